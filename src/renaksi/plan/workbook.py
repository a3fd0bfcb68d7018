"""The plan workbook layout (sheets ``Aksi``, ``Anggaran``, ``KPI``): read and validate.

Import is three steps a test can call one at a time:
:func:`read_plan_workbook` (file → tables), :func:`check_plan` (tables + reference data →
typed rows and every error at once) and :func:`renaksi.plan.importer.persist_plan` (adds the
role and lock refusals, then one transaction). :mod:`renaksi.plan.exporter` writes the same layout back.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from renaksi.codes import Direction, KpiName, Source, Stage
from renaksi.errors import FieldError, translate
from renaksi.formatting import number
from renaksi.plan import schemas
from renaksi.plan.schemas import one_line
from renaksi.plan.service import LEAD_NOT_SUPPORTING, normalise_sub_kegiatan, plan_code_for
from renaksi.schemas import CODE_RULE, Code
from renaksi.tabular import (
    ROW,
    Table,
    header_key,
    map_columns,
    parse_int,
    parse_number,
    parse_rupiah,
    read_xlsx,
    require_no_errors,
)

SHEET_ACTIONS, SHEET_BUDGET, SHEET_KPI, SHEET_LISTS = "Aksi", "Anggaran", "KPI", "Daftar"

ACTION_COLUMNS = {
    "code": ["Kode Aksi"],
    "objective": ["Sasaran"],
    "title": ["Aksi"],
    "indicator": ["Indikator"],
    "measure_unit": ["Satuan"],
    "direction": ["Arah"],
    "baseline": ["Baseline"],
    "lead_unit": ["PD Penanggung Jawab"],
    "supporting_units": ["PD Terkait"],
    "sub_kegiatan": ["Kode Sub Kegiatan"],
    "note": ["Keterangan"],
}
ACTION_REQUIRED = (
    "code",
    "objective",
    "title",
    "indicator",
    "measure_unit",
    "direction",
    "lead_unit",
)
BUDGET_COLUMNS = {
    "code": ["Kode Aksi"],
    "year": ["Tahun"],
    "stage": ["Tahap"],
    "source": ["Sumber Dana"],
    "amount": ["Jumlah"],
    "unit": ["PD"],
    "note": ["Keterangan"],
}
BUDGET_REQUIRED = ("code", "year", "stage", "source", "amount")
KPI_COLUMNS = {"code": ["Kode Aksi"], "kpi": ["KPI"], "unit": ["PD"]}
KPI_REQUIRED = ("code", "kpi")

#: how errors name the file: "Workbook rencana aksi ditolak: …"
WHAT = "Workbook rencana aksi"
_TARGET = re.compile(r"^target(\d{4})$")
#: plausible plan years (the API's bounds) and the longest plan period
YEAR_MIN, YEAR_MAX, MAX_PLAN_YEARS = 2000, 2100, 10
#: the API's types for the same cells: a workbook holds nothing the API would refuse
_TEXT_TYPES: dict[str, Any] = {
    "code": Code,
    "objective": schemas.ObjectiveText,
    "title": schemas.Text,
    "indicator": schemas.Text,
    "measure_unit": schemas.ShortText,
}


@dataclass
class PlanTables:
    """The sheets of a plan workbook, columns mapped; ``target_years`` from ``Target YYYY``."""

    actions: Table
    budget: Table | None
    kpi: Table | None
    target_years: list[int]
    target_headers: dict[int, str]
    kpi_years: list[int]
    kpi_headers: dict[int, str]
    #: header problems (missing columns, bad ``Target`` headers), reported with the cell errors
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class ActionRow:
    row: int
    code: str
    objective: str
    title: str
    indicator: str
    measure_unit: str
    direction: Direction
    baseline: float | None
    targets: dict[int, float]
    lead_unit: str
    supporting_units: list[str]
    sub_kegiatan_code: str | None
    note: str | None


@dataclass
class LineRow:
    row: int
    action_code: str
    year: int
    stage: Stage
    source: Source
    amount: int
    unit: str  # resolved: the action's lead unit when the cell was empty
    note: str | None
    #: the PD cell was empty: the line follows the action's lead unit
    unit_from_lead: bool = False


@dataclass
class KpiRow:
    row: int
    action_code: str
    kpi: KpiName
    unit: str  # resolved like LineRow.unit
    targets: dict[int, float]
    unit_from_lead: bool = False


@dataclass
class Reference:
    """What validation needs from the database."""

    unit_codes: set[str]
    #: plan period; None when the import will create the plan from the Target columns
    period: tuple[int, int] | None
    #: action code → lead unit code of actions already in the plan
    existing_leads: dict[str, str] = field(default_factory=dict)
    #: code of the plan imported into (None when the import creates it)
    plan_code: str | None = None


@dataclass
class ValidatedPlan:
    period: tuple[int, int]
    actions: list[ActionRow]
    lines: list[LineRow]
    kpis: list[KpiRow]


def _year_columns(frame: pl.DataFrame, sheet: str, errors: list[FieldError]) -> dict[int, str]:
    """``Target YYYY`` headers by year. A header that starts with ``Target`` but is not
    ``Target YYYY`` (2000–2100) is an error: ignoring it would silently drop that year."""
    found: dict[int, str] = {}
    for header in frame.columns:
        key = header_key(header)
        if not key.startswith("target"):
            continue
        match = _TARGET.match(key)
        if match is None:
            problem = "judul kolom target harus berbentuk 'Target YYYY', mis. 'Target 2025'"
        elif not YEAR_MIN <= int(match.group(1)) <= YEAR_MAX:
            problem = f"tahun target harus {YEAR_MIN}–{YEAR_MAX}"
        else:
            found[int(match.group(1))] = header
            continue
        errors.append(FieldError(sheet=sheet, row=1, column=header, value=header, message=problem))
    return dict(sorted(found.items()))


def _period_problems(target_headers: dict[int, str]) -> list[FieldError]:
    """A new plan's period comes from the Target columns: they must be consecutive years
    and span at most :data:`MAX_PLAN_YEARS` (a typo like 'Target 2205' must not make a
    two-century plan)."""
    years = list(target_headers)
    errors: list[FieldError] = []
    for before, year in pairwise(years):
        if year != before + 1:
            missing = ", ".join(str(y) for y in range(before + 1, year))
            errors.append(
                FieldError(
                    sheet=SHEET_ACTIONS,
                    row=1,
                    column=target_headers[year],
                    value=target_headers[year],
                    message=f"kolom target harus berurutan; tidak ada kolom 'Target {missing}'",
                )
            )
    if years and years[-1] - years[0] + 1 > MAX_PLAN_YEARS:
        errors.append(
            FieldError(
                sheet=SHEET_ACTIONS,
                row=1,
                column=target_headers[years[-1]],
                value=target_headers[years[-1]],
                message=f"periode rencana aksi {years[0]}–{years[-1]} lebih dari "
                f"{MAX_PLAN_YEARS} tahun; periksa judul kolom target",
            )
        )
    return errors


def _find_sheet(sheets: dict[str, pl.DataFrame], name: str) -> pl.DataFrame | None:
    for sheet_name, frame in sheets.items():
        if header_key(sheet_name) == header_key(name):
            return frame
    return None


def _has_columns(frame: pl.DataFrame | None) -> pl.DataFrame | None:
    """A sheet with no header row at all (everything deleted) counts as absent."""
    if frame is None or not [c for c in frame.columns if c != ROW]:
        return None
    return frame


def read_plan_workbook(source: bytes | Path) -> PlanTables:
    """Read the sheets and map their columns.

    Only a missing ``Aksi`` sheet stops here; missing columns are kept in
    :attr:`PlanTables.errors` so :func:`check_plan` lists them with every cell error.
    """
    sheets = read_xlsx(source)
    errors: list[FieldError] = []
    actions_frame = _find_sheet(sheets, SHEET_ACTIONS)
    if actions_frame is None:
        errors.append(FieldError(sheet=SHEET_ACTIONS, message="sheet 'Aksi' tidak ada"))
        require_no_errors(errors, WHAT)
        raise AssertionError("unreachable")
    target_headers = _year_columns(actions_frame, SHEET_ACTIONS, errors)
    actions = map_columns(
        actions_frame.rename({h: f"target:{y}" for y, h in target_headers.items()}),
        sheet=SHEET_ACTIONS,
        columns=ACTION_COLUMNS | {f"target:{y}": [f"target:{y}"] for y in target_headers},
        required=ACTION_REQUIRED,
        errors=errors,
    )
    if not target_headers:
        errors.append(
            FieldError(
                sheet=SHEET_ACTIONS,
                row=1,
                column="Target YYYY",
                message="tidak ada kolom target tahunan (mis. 'Target 2022')",
            )
        )
    budget = kpi = None
    kpi_headers: dict[int, str] = {}
    if (frame := _has_columns(_find_sheet(sheets, SHEET_BUDGET))) is not None:
        budget = map_columns(
            frame,
            sheet=SHEET_BUDGET,
            columns=BUDGET_COLUMNS,
            required=BUDGET_REQUIRED,
            errors=errors,
        )
    if (frame := _has_columns(_find_sheet(sheets, SHEET_KPI))) is not None:
        kpi_headers = _year_columns(frame, SHEET_KPI, errors)
        kpi = map_columns(
            frame.rename({h: f"target:{y}" for y, h in kpi_headers.items()}),
            sheet=SHEET_KPI,
            columns=KPI_COLUMNS | {f"target:{y}": [f"target:{y}"] for y in kpi_headers},
            required=KPI_REQUIRED,
            errors=errors,
        )
    return PlanTables(
        actions=actions,
        budget=budget,
        kpi=kpi,
        target_years=list(target_headers),
        target_headers=target_headers,
        kpi_years=list(kpi_headers),
        kpi_headers=kpi_headers,
        errors=errors,
    )


class _Collector:
    """Collects cell errors with the user-facing column header."""

    def __init__(self, table: Table, extra_headers: dict[str, str] | None = None) -> None:
        self.table = table
        self.headers = {**table.headers, **(extra_headers or {})}
        self.errors: list[FieldError] = []

    def has(self, field_name: str) -> bool:
        """Whether the sheet has the column (a missing one is reported once, in row 1)."""
        return field_name in self.headers

    def add(self, row: int, field_name: str, message: str, value: object = None) -> None:
        column = self.headers.get(field_name, field_name)
        self.errors.append(
            FieldError(
                sheet=self.table.sheet,
                row=row,
                column=column,
                value=None if value is None else str(value),
                message=message,
            )
        )


def _parse(
    collect: _Collector,
    row: int,
    field_name: str,
    raw: str | None,
    parser: Callable[[str], Any],
    *,
    required: bool = False,
    label: str = "nilai",
) -> Any:
    if raw is None:
        if required and collect.has(field_name):
            collect.add(row, field_name, f"{label} wajib diisi")
        return None
    try:
        return parser(raw)
    except ValueError as exc:
        collect.add(row, field_name, str(exc) or f"{label} tidak valid", raw)
        return None


def _measure(text: str) -> float:
    """A target or baseline, bounded and rounded as the API does (:data:`schemas.Measure`)."""
    value = parse_number(text)
    if abs(value) > schemas.MEASURE_LIMIT:
        raise ValueError(f"angka terlalu besar (maksimal {number(schemas.MEASURE_LIMIT)})")
    return schemas.round_measure(value)


def _choice(enum: type[StrEnum], raw: str) -> Any:
    """A code typed the way people write it: ``dak fisik``, ``DAK Non-Fisik``, ``usulan``."""
    key = re.sub(r"[\s_\-]+", "", raw).upper()
    for member in enum:
        if member.value.replace("_", "").upper() == key or member.name.replace("_", "") == key:
            return member
    raise ValueError("pilihan tidak dikenal; yang sah: " + ", ".join(m.value for m in enum))


def check_plan(tables: PlanTables, ref: Reference) -> tuple[ValidatedPlan, list[FieldError]]:
    """Check every cell of every sheet. The errors are returned, not raised, so the importer
    can add its own (refused stages, locked years) and still report everything at once.

    Only valid rows are returned; checks that need a missing column are skipped (the
    missing column itself is already among the errors).
    """
    errors: list[FieldError] = list(tables.errors)
    if ref.period is None:
        years = tables.target_years
        period = (min(years), max(years)) if years else (0, 0)
        errors += _period_problems(tables.target_headers)
    else:
        period = ref.period
        years = tables.target_years
        outside = [y for y in years if not period[0] <= y <= period[1]]
        hint = ""
        if outside and len(outside) == len(years):  # a workbook for another plan
            hint = (
                f"; untuk rencana aksi {years[0]}–{years[-1]} pakai --plan, mis. "
                f"--plan {plan_code_for(years[0], years[-1])}"
            )
        for year in outside:
            errors.append(
                FieldError(
                    sheet=SHEET_ACTIONS,
                    row=1,
                    column=tables.target_headers[year],
                    value=str(year),
                    message=f"tahun di luar periode {period[0]}–{period[1]}"
                    + (f" ({ref.plan_code})" if ref.plan_code else "")
                    + hint,
                )
            )
    actions, on_sheet = _validate_actions(tables, ref, errors)
    leads = ref.existing_leads | {a.code: a.lead_unit for a in actions}
    # every Kode Aksi on sheet Aksi is known, valid or not: an action with an error of its
    # own must not make its budget and KPI rows claim it does not exist
    known: set[str] | None = (set(leads) | on_sheet) if "code" in tables.actions.headers else None
    lines = (
        _validate_lines(tables.budget, ref, period, leads, known, errors) if tables.budget else []
    )
    kpis = _validate_kpis(tables, ref, period, leads, known, errors) if tables.kpi else []
    return ValidatedPlan(period=period, actions=actions, lines=lines, kpis=kpis), errors


def _text_problem(name: str, value: str) -> str | None:
    if name not in _TEXT_TYPES:
        return None
    try:
        msgspec.convert(value, _TEXT_TYPES[name])
    except msgspec.ValidationError as exc:
        return CODE_RULE if name == "code" else translate(str(exc))
    return None


def _unit_check(collect: _Collector, ref: Reference, row: int, field_name: str, code: str) -> bool:
    if code not in ref.unit_codes:
        collect.add(row, field_name, "kode PD tidak dikenal", code)
        return False
    return True


def _validate_actions(
    tables: PlanTables, ref: Reference, errors: list[FieldError]
) -> tuple[list[ActionRow], set[str]]:
    """Valid action rows, and every Kode Aksi written on the sheet."""
    table = tables.actions
    collect = _Collector(table, {f"target:{y}": h for y, h in tables.target_headers.items()})
    result: list[ActionRow] = []
    seen: dict[str, int] = {}
    for cells in table.rows():
        row = int(cells[ROW] or 0)
        before = len(collect.errors)
        texts: dict[str, str] = {}
        for name in ("code", "objective", "title", "indicator", "measure_unit", "lead_unit"):
            value = cells[name]
            if value is None:
                if collect.has(name):
                    collect.add(row, name, "wajib diisi")
            else:
                texts[name] = one_line(value) if name != "code" else value.strip()
                if problem := _text_problem(name, texts[name]):
                    collect.add(row, name, problem, value)
        code = texts.get("code")
        if code is not None:
            if code in seen:
                collect.add(row, "code", f"Kode Aksi ganda (juga di baris {seen[code]})", code)
            seen.setdefault(code, row)
        direction = _parse(
            collect,
            row,
            "direction",
            cells["direction"],
            lambda v: _choice(Direction, v),
            required=True,
            label="Arah",
        )
        baseline = _parse(collect, row, "baseline", cells["baseline"], _measure)
        targets: dict[int, float] = {}
        for year in tables.target_years:
            value = _parse(collect, row, f"target:{year}", cells[f"target:{year}"], _measure)
            if value is not None:
                targets[year] = value
        if "lead_unit" in texts:
            _unit_check(collect, ref, row, "lead_unit", texts["lead_unit"])
        supporting = [c.strip() for c in (cells["supporting_units"] or "").split(";") if c.strip()]
        for unit in supporting:
            if _unit_check(collect, ref, row, "supporting_units", unit) and unit == texts.get(
                "lead_unit"
            ):
                collect.add(row, "supporting_units", LEAD_NOT_SUPPORTING, unit)
        sub = _parse(collect, row, "sub_kegiatan", cells["sub_kegiatan"], normalise_sub_kegiatan)
        complete = len(texts) == 6 and direction is not None  # a missing column leaves a gap
        if len(collect.errors) == before and complete:
            result.append(
                ActionRow(
                    row=row,
                    code=texts["code"],
                    objective=texts["objective"],
                    title=texts["title"],
                    indicator=texts["indicator"],
                    measure_unit=texts["measure_unit"],
                    direction=direction,
                    baseline=baseline,
                    targets=targets,
                    lead_unit=texts["lead_unit"],
                    supporting_units=sorted(dict.fromkeys(supporting)),
                    sub_kegiatan_code=sub,
                    note=cells["note"],
                )
            )
    errors.extend(collect.errors)
    return result, set(seen)


def _known(code: str, leads: dict[str, str], known: set[str] | None) -> bool:
    """Whether a Kode Aksi exists (None: sheet Aksi has no Kode Aksi column, so we can't say)."""
    return known is None or code in known or code in leads


def _check_year(
    collect: _Collector, row: int, year: int | None, period: tuple[int, int], raw: str | None
) -> bool:
    if year is None:
        return False
    if not period[0] <= year <= period[1]:
        collect.add(row, "year", f"tahun di luar periode {period[0]}–{period[1]}", raw)
        return False
    return True


def _validate_lines(
    table: Table,
    ref: Reference,
    period: tuple[int, int],
    leads: dict[str, str],
    known: set[str] | None,
    errors: list[FieldError],
) -> list[LineRow]:
    collect = _Collector(table)
    result: list[LineRow] = []
    seen: dict[tuple[str, int, Stage, Source, str], int] = {}
    for cells in table.rows():
        row = int(cells[ROW] or 0)
        before = len(collect.errors)
        code = cells["code"]
        if code is None:
            if collect.has("code"):
                collect.add(row, "code", "wajib diisi")
        elif not _known(code, leads, known):
            collect.add(row, "code", "Kode Aksi tidak ada di sheet Aksi maupun di database", code)
        year = _parse(collect, row, "year", cells["year"], parse_int, required=True, label="Tahun")
        _check_year(collect, row, year, period, cells["year"])
        stage = _parse(
            collect,
            row,
            "stage",
            cells["stage"],
            lambda v: _choice(Stage, v),
            required=True,
            label="Tahap",
        )
        source = _parse(
            collect,
            row,
            "source",
            cells["source"],
            lambda v: _choice(Source, v),
            required=True,
            label="Sumber Dana",
        )
        amount = _parse(
            collect, row, "amount", cells["amount"], parse_rupiah, required=True, label="Jumlah"
        )
        unit = cells["unit"] or (leads.get(code) if code else None)
        if cells["unit"] is not None:
            _unit_check(collect, ref, row, "unit", cells["unit"])
        if (
            len(collect.errors) == before
            and code
            and unit
            and None not in (year, stage, source, amount)
        ):
            key = (code, year, stage, source, unit)
            if key in seen:
                collect.add(
                    row, "code", f"baris anggaran ganda (sama dengan baris {seen[key]})", code
                )
                continue
            seen[key] = row
            result.append(
                LineRow(
                    row=row,
                    action_code=code,
                    year=year,
                    stage=stage,
                    source=source,
                    amount=amount,
                    unit=unit,
                    note=cells["note"],
                    unit_from_lead=cells["unit"] is None,
                )
            )
    errors.extend(collect.errors)
    return result


def _validate_kpis(
    tables: PlanTables,
    ref: Reference,
    period: tuple[int, int],
    leads: dict[str, str],
    known: set[str] | None,
    errors: list[FieldError],
) -> list[KpiRow]:
    assert tables.kpi is not None
    collect = _Collector(tables.kpi, {f"target:{y}": h for y, h in tables.kpi_headers.items()})
    for year, _header in tables.kpi_headers.items():
        if not period[0] <= year <= period[1]:
            collect.add(1, f"target:{year}", f"tahun di luar periode {period[0]}–{period[1]}", year)
    result: list[KpiRow] = []
    seen: dict[tuple[str, KpiName, str], int] = {}
    for cells in tables.kpi.rows():
        row = int(cells[ROW] or 0)
        before = len(collect.errors)
        code = cells["code"]
        if code is None:
            if collect.has("code"):
                collect.add(row, "code", "wajib diisi")
        elif not _known(code, leads, known):
            collect.add(row, "code", "Kode Aksi tidak ada di sheet Aksi maupun di database", code)
        kpi = _parse(
            collect,
            row,
            "kpi",
            cells["kpi"],
            lambda v: (
                KpiName(v.strip().lower())
                if v.strip().lower() in {k.value for k in KpiName}
                else _choice(KpiName, v)
            ),
            required=True,
            label="KPI",
        )
        if cells["unit"] is not None:
            _unit_check(collect, ref, row, "unit", cells["unit"])
        targets: dict[int, float] = {}
        for year in tables.kpi_years:
            value = _parse(collect, row, f"target:{year}", cells[f"target:{year}"], _measure)
            if value is not None:
                targets[year] = value
        unit = cells["unit"] or (leads.get(code) if code else None)
        if len(collect.errors) == before and code and unit and kpi is not None:
            key = (code, kpi, unit)
            if key in seen:
                collect.add(
                    row, "kpi", f"tautan KPI ganda (sama dengan baris {seen[key]})", cells["kpi"]
                )
                continue
            seen[key] = row
            result.append(
                KpiRow(
                    row=row,
                    action_code=code,
                    kpi=kpi,
                    unit=unit,
                    targets=targets,
                    unit_from_lead=cells["unit"] is None,
                )
            )
    errors.extend(collect.errors)
    return result
