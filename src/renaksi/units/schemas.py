"""Wire formats for units (Perangkat Daerah)."""

from typing import Annotated

import msgspec

from renaksi.codes import UnitKind
from renaksi.schemas import TEXT_PATTERN, Code, ImportCounts

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class Unit(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: UnitKind
    aliases: list[str]
    version: int


class UnitCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    name: Name
    kind: UnitKind
    aliases: list[Name] = msgspec.field(default_factory=list)


class UnitUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PATCH body: fields not sent stay as they are. ``aliases`` replaces the whole list."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: UnitKind | msgspec.UnsetType = msgspec.UNSET
    aliases: list[Name] | msgspec.UnsetType = msgspec.UNSET


class AliasCreate(msgspec.Struct, forbid_unknown_fields=True):
    alias: Name


class UnitImportResult(msgspec.Struct):
    units: ImportCounts
    dry_run: bool
