"""Wire formats for LAPOR! imports, KPIs, holidays and unmatched unit names."""

import datetime as dt
from typing import Annotated

import msgspec


class UnmatchedUnit(msgspec.Struct):
    """A unit name from LAPOR! exports that matches no unit code, name or alias."""

    name: str
    complaints: int


class RejectedRow(msgspec.Struct):
    row: int
    errors: list[str]


class ImportBatch(msgspec.Struct):
    id: int | None
    file_name: str
    sha256: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    unmatched_units: list[UnmatchedUnit]
    rejected_rows: list[RejectedRow]
    imported_by: str
    imported_at: dt.datetime
    dry_run: bool = False


class KpiRow(msgspec.Struct, omit_defaults=False):
    """Complaint-handling KPIs of one unit (``unit_code`` null: the kabupaten total)."""

    unit_code: str | None
    period: str
    received: int
    followed_up: int
    pct_followed_up: float | None
    resolved: int
    pct_resolved: float | None
    response_on_time: int
    response_late: int
    pct_response_on_time: float | None
    median_response_workdays: float | None
    pct_resolved_within_60d: float | None


class QualityWarning(msgspec.Struct):
    tracking_id: str
    unit_code: str | None
    status: str
    message: str


class Holiday(msgspec.Struct):
    date: dt.date
    name: str
    #: "nasional" (holidays package: public holidays and cuti bersama) or "lokal"
    source: str


class HolidayCreate(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
