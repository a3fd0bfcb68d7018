"""Wire types shared across features."""

from typing import Annotated, Generic, TypeVar

import msgspec

T = TypeVar("T")

#: database ids are 32-bit on PostgreSQL: a larger number can never name a row
MAX_ID = 2**31 - 1
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-_/]*$"
#: the same rule in words, for people
CODE_RULE = "kode: 1–40 huruf, angka, '.', '-', '_' atau '/', diawali huruf atau angka"
#: text a person typed: something visible, and no NUL (PostgreSQL cannot store it in text)
TEXT_PATTERN = r"^(?![^\x00]*\x00)\s*\S"
#: optional free text (may be blank) without NUL
NO_NUL_PATTERN = r"^[^\x00]*$"

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
#: a thousand trillion Rupiah: far above any regional budget, far below BIGINT's limit
MAX_RUPIAH = 10**15
Rupiah = Annotated[int, msgspec.Meta(ge=0, le=MAX_RUPIAH, description="whole Rupiah")]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=CODE_PATTERN)]
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
