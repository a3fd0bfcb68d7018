"""Wire formats for budget lines, flags and summaries."""

from typing import Annotated

import msgspec

from renaksi.codes import Flag, Source, Stage
from renaksi.plan.schemas import clean_note
from renaksi.schemas import NO_NUL_PATTERN, Code, Id, Rupiah, Year

Note = Annotated[str, msgspec.Meta(max_length=2000, pattern=NO_NUL_PATTERN)]


class BudgetLine(msgspec.Struct):
    id: int
    action_id: int
    action_code: str
    year: int
    stage: Stage
    source: Source
    unit: str
    amount: int
    note: str | None
    version: int


class BudgetLineCreate(msgspec.Struct, forbid_unknown_fields=True):
    action_id: Id
    year: Year
    stage: Stage
    source: Source
    amount: Rupiah
    #: unit code whose budget carries the line; the action's lead unit when left out
    unit: Code | None = None
    note: Note | None = None

    def __post_init__(self) -> None:
        self.note = clean_note(self.note)  # as a workbook cell is read


class BudgetLineUpdate(msgspec.Struct, forbid_unknown_fields=True):
    amount: Rupiah | msgspec.UnsetType = msgspec.UNSET
    note: Note | None | msgspec.UnsetType = msgspec.UNSET
    source: Source | msgspec.UnsetType = msgspec.UNSET
    stage: Stage | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.note, str):
            self.note = clean_note(self.note)


class ActionYearFlags(msgspec.Struct):
    """Budget position and flags of one action in one year (``renaksi flags --json`` rows)."""

    action_code: str
    year: int
    unit_code: str
    usulan: int
    pagu: int
    realisasi: int
    gap: int
    #: sorted flag codes, empty when none apply
    flags: list[Flag]


class UnitSummary(msgspec.Struct):
    #: lead unit; null on the kabupaten-wide total
    unit_code: str | None
    year: int
    active_actions: int
    usulan: int
    pagu: int
    realisasi: int
    gap: int
    flagged_actions: int
    funded_actions: int
    #: active actions with pagu > 0 / active actions, 0–1; null when no action is active
    share_funded: float | None


class Summary(msgspec.Struct):
    year: int
    plan: str
    units: list[UnitSummary]
    total: UnitSummary
