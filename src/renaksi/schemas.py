"""Wire types shared across features."""

from typing import Annotated, Generic, TypeVar

import msgspec

T = TypeVar("T")

Rupiah = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="whole Rupiah")]
Code = Annotated[
    str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_/]*$")
]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
Quarter = Annotated[int, msgspec.Meta(ge=1, le=4)]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list. ``total`` counts every match, not just this page."""

    items: list[T]
    total: int
    page: int
    per_page: int


class ImportCounts(msgspec.Struct):
    """What an import did (or, in a dry run, would do) to one kind of record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def changed(self) -> int:
        return self.created + self.updated
