"""Wire formats for the plan: plans, actions with targets, progress reports, KPI links."""

from datetime import datetime
from typing import Annotated

import msgspec

from renaksi.codes import Direction, KpiName, ProgressStatus
from renaksi.schemas import NO_NUL_PATTERN, TEXT_PATTERN, Code, ImportCounts, Quarter, Year

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=TEXT_PATTERN)]
#: the sasaran text is its key within a plan (a VARCHAR(500) column)
ObjectiveText = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=TEXT_PATTERN)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=TEXT_PATTERN)]
LongText = Annotated[str, msgspec.Meta(max_length=10000, pattern=NO_NUL_PATTERN)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]
#: a target, baseline or achieved value: finite (the bounds refuse "NaN" and "Infinity",
#: which a text-to-number conversion would otherwise let in) and of a size an indicator has
MEASURE_LIMIT = 1e12
Measure = Annotated[float, msgspec.Meta(ge=-MEASURE_LIMIT, le=MEASURE_LIMIT)]

#: targets and baselines keep 6 decimals, whether typed in the API or read from a workbook
#: (a workbook cell is read back with at most 9), so export → import changes nothing
MEASURE_DECIMALS = 6


def round_measure(value: float) -> float:
    return round(value, MEASURE_DECIMALS) + 0.0  # + 0.0: no negative zero


def one_line(text: str) -> str:
    """Single-line fields (title, indicator, satuan, sasaran): inner whitespace collapsed,
    as the workbook import does, so both ways in store the same text."""
    return " ".join(text.split())


def clean_note(text: str | None) -> str | None:
    """Notes keep their line breaks; surrounding blanks go and a blank note is no note
    (a workbook cell is read the same way)."""
    if text is None:
        return None
    return text.strip() or None


_ONE_LINE_FIELDS = ("objective", "title", "indicator", "measure_unit")
SUB_KEGIATAN_PATTERN = r"^\d\.\d{2}\.\d{2}\.\d\.\d{2}\.(\d{2}|\d{4})$"
SUB_KEGIATAN_RULE = "kode sub kegiatan U.BB.PP.K.KK.SSSS, mis. 2.16.02.2.01.0002"
SubKegiatan = Annotated[
    str,
    msgspec.Meta(
        pattern=SUB_KEGIATAN_PATTERN,
        description="kode sub kegiatan U.BB.PP.K.KK.SSSS (2-digit SS accepted, stored as 4 digits)",
        examples=["2.16.02.2.01.0002"],
    ),
]


class Plan(msgspec.Struct):
    id: int
    code: str
    name: str
    start_year: int
    end_year: int


class Target(msgspec.Struct):
    year: Year
    value: Measure

    def __post_init__(self) -> None:
        self.value = round_measure(self.value)


class Action(msgspec.Struct):
    id: int
    plan: str
    code: str
    objective: str
    title: str
    indicator: str
    measure_unit: str
    direction: Direction
    baseline: float | None
    targets: list[Target]
    lead_unit: str
    supporting_units: list[str]
    sub_kegiatan_code: str | None
    note: str | None
    #: status and progress from the latest progress report (null when none yet)
    status: ProgressStatus | None
    progress_pct: float | None
    version: int


class ActionCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    objective: ObjectiveText
    title: Text
    indicator: Text
    measure_unit: ShortText
    lead_unit: Code
    direction: Direction = Direction.NAIK
    baseline: Measure | None = None
    targets: list[Target] = msgspec.field(default_factory=list)
    supporting_units: list[Code] = msgspec.field(default_factory=list)
    sub_kegiatan_code: SubKegiatan | None = None
    note: LongText | None = None
    #: plan code; may be left out while the database holds one plan
    plan: Code | None = None

    def __post_init__(self) -> None:
        _normalise(self)


class ActionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """PATCH body. ``targets`` replaces all targets; a year left out becomes inactive."""

    objective: ObjectiveText | msgspec.UnsetType = msgspec.UNSET
    title: Text | msgspec.UnsetType = msgspec.UNSET
    indicator: Text | msgspec.UnsetType = msgspec.UNSET
    measure_unit: ShortText | msgspec.UnsetType = msgspec.UNSET
    direction: Direction | msgspec.UnsetType = msgspec.UNSET
    baseline: Measure | None | msgspec.UnsetType = msgspec.UNSET
    targets: list[Target] | msgspec.UnsetType = msgspec.UNSET
    lead_unit: Code | msgspec.UnsetType = msgspec.UNSET
    supporting_units: list[Code] | msgspec.UnsetType = msgspec.UNSET
    sub_kegiatan_code: SubKegiatan | None | msgspec.UnsetType = msgspec.UNSET
    note: LongText | None | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        _normalise(self)


def _normalise(data: "ActionCreate | ActionUpdate") -> None:
    """Store what the workbook import would store for the same text and numbers."""
    for name in _ONE_LINE_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            setattr(data, name, one_line(value))
    if isinstance(data.baseline, float | int):
        data.baseline = round_measure(data.baseline)
    if isinstance(data.note, str):
        data.note = clean_note(data.note)


class ProgressReport(msgspec.Struct):
    id: int
    action_id: int
    year: int
    quarter: int
    status: ProgressStatus
    achieved_value: float | None
    progress_pct: float | None
    problems: str | None
    follow_up: str | None
    reported_by: str
    reported_at: datetime


class ProgressCreate(msgspec.Struct, forbid_unknown_fields=True):
    year: Year
    quarter: Quarter
    status: ProgressStatus
    achieved_value: Measure | None = None
    progress_pct: Percent | None = None
    problems: LongText | None = None
    follow_up: LongText | None = None


class KpiLink(msgspec.Struct):
    id: int
    action_id: int
    kpi: KpiName
    unit: str
    targets: list[Target]


class KpiLinkCreate(msgspec.Struct, forbid_unknown_fields=True):
    kpi: KpiName
    #: unit whose KPI is meant; the action's lead unit when left out
    unit: Code | None = None
    targets: list[Target] = msgspec.field(default_factory=list)


class PlanImportResult(msgspec.Struct):
    plan: str
    plan_created: bool
    actions: ImportCounts
    budget_lines: ImportCounts
    kpi_links: ImportCounts
    dry_run: bool
    #: stored budget lines of the plan that no Anggaran row names: an import never deletes
    budget_lines_not_in_file: int = 0
