"""Write the plan workbook from the database, in exactly the layout the importer reads.

Dropdown validation (Arah, Tahap, Sumber Dana, KPI, unit codes) comes from lists on a hidden
``Daftar`` sheet, so long unit lists are not limited by Excel's 255-character inline list.
User text is always written as text: a title starting with ``=`` stays a title.
"""

import io
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import Session, selectinload

from renaksi.codes import Direction, KpiName, Source, Stage
from renaksi.db.models import Action, BudgetLine, KpiLink, Unit
from renaksi.plan.service import resolve_plan
from renaksi.plan.workbook import (
    ACTION_COLUMNS,
    BUDGET_COLUMNS,
    KPI_COLUMNS,
    SHEET_ACTIONS,
    SHEET_BUDGET,
    SHEET_KPI,
    SHEET_LISTS,
)

WORKBOOK_OPTIONS = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "constant_memory": False,
}
MAX_ROWS = 1_048_575
#: dropdowns reach this far below the data (at least to row 10 000): rows a user adds get them
VALIDATION_ROWS = 10_000


def _header(name: str, columns: dict[str, list[str]]) -> str:
    return columns[name][0]


def export_plan(session: Session, *, plan: str | None = None) -> bytes:
    """The plan as an XLSX workbook (bytes)."""
    plan_row = resolve_plan(session, plan)
    years = list(plan_row.years)
    unit_codes = dict(session.execute(sa.select(Unit.id, Unit.code)).all())
    actions = list(
        session.scalars(
            sa.select(Action)
            .where(Action.plan_id == plan_row.id)
            .order_by(Action.code)
            .options(
                selectinload(Action.objective),
                selectinload(Action.targets),
                selectinload(Action.supporting_units),
                selectinload(Action.lead_unit),
            )
        )
    )
    codes = {a.id: a.code for a in actions}
    # the lead's own lines and KPI links leave PD empty, as the seed workbook does: "follows
    # the lead", so a lead changed in the exported file takes its money and KPIs along
    leads = {a.id: a.lead_unit_id for a in actions}

    def unit_cell(action_id: int, unit_id: int) -> str | None:
        return None if leads[action_id] == unit_id else unit_codes[unit_id]

    lines = sorted(
        session.scalars(sa.select(BudgetLine).where(BudgetLine.action_id.in_(list(codes)))),
        key=lambda b: (
            codes[b.action_id],
            b.year,
            list(Stage).index(b.stage),
            b.source,
            unit_codes[b.unit_id],
        ),
    )
    links = sorted(
        session.scalars(
            sa.select(KpiLink)
            .where(KpiLink.action_id.in_(list(codes)))
            .options(selectinload(KpiLink.targets))
        ),
        key=lambda k: (codes[k.action_id], k.kpi, unit_codes[k.unit_id]),
    )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    fmt = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": book.add_format({"valign": "top", "text_wrap": True}),
        "number": book.add_format({"valign": "top", "num_format": "#,##0.##"}),
        "money": book.add_format({"valign": "top", "num_format": '"Rp" #,##0'}),
        "int": book.add_format({"valign": "top", "num_format": "0"}),
    }
    list_values = _list_values(sorted(unit_codes.values()))
    lists = _list_ranges(list_values)

    sheet = book.add_worksheet(SHEET_ACTIONS)
    sheet.activate()  # the workbook opens on Aksi, never on the hidden lists
    headers = [
        _header(k, ACTION_COLUMNS)
        for k in (
            "code",
            "objective",
            "title",
            "indicator",
            "measure_unit",
            "direction",
            "baseline",
        )
    ]
    headers += [f"Target {y}" for y in years]
    headers += [
        _header(k, ACTION_COLUMNS)
        for k in ("lead_unit", "supporting_units", "sub_kegiatan", "note")
    ]
    widths = [11, 36, 44, 36, 12, 8, 10, *([10] * len(years)), 16, 22, 20, 30]
    _start(sheet, headers, widths, fmt["header"])
    for r, action in enumerate(actions, start=1):
        targets = {t.year: t.value for t in action.targets}
        cells: list[tuple[Any, str]] = [
            (action.code, "text"),
            (action.objective.title, "text"),
            (action.title, "text"),
            (action.indicator, "text"),
            (action.measure_unit, "text"),
            (action.direction.value, "text"),
            (action.baseline, "number"),
            *((targets.get(y), "number") for y in years),
            (action.lead_unit.code, "text"),
            (";".join(u.code for u in action.supporting_units), "text"),
            (action.sub_kegiatan_code, "text"),
            (action.note, "text"),
        ]
        _write_row(sheet, r, cells, fmt)
    n = len(headers)
    last = _last_row(len(actions))
    sheet.data_validation(1, 5, last, 5, _list_rule(lists["arah"], "Arah"))
    sheet.data_validation(
        1, 7 + len(years), last, 7 + len(years), _list_rule(lists["pd"], "PD Penanggung Jawab")
    )
    sheet.autofilter(0, 0, max(len(actions), 1), n - 1)

    sheet = book.add_worksheet(SHEET_BUDGET)
    headers = [
        _header(k, BUDGET_COLUMNS)
        for k in ("code", "year", "stage", "source", "amount", "unit", "note")
    ]
    _start(sheet, headers, [11, 8, 11, 17, 18, 16, 36], fmt["header"])
    for r, line in enumerate(lines, start=1):
        _write_row(
            sheet,
            r,
            [
                (codes[line.action_id], "text"),
                (line.year, "int"),
                (line.stage.value, "text"),
                (line.source.value, "text"),
                (line.amount, "money"),
                (unit_cell(line.action_id, line.unit_id), "text"),
                (line.note, "text"),
            ],
            fmt,
        )
    last = _last_row(len(lines))
    sheet.data_validation(
        1,
        1,
        last,
        1,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": years[0],
            "maximum": years[-1],
            "error_message": f"Tahun {years[0]}–{years[-1]}",
        },
    )
    sheet.data_validation(1, 2, last, 2, _list_rule(lists["tahap"], "Tahap"))
    sheet.data_validation(1, 3, last, 3, _list_rule(lists["sumber"], "Sumber Dana"))
    sheet.data_validation(
        1,
        4,
        last,
        4,
        {"validate": "integer", "criteria": ">=", "value": 0, "error_message": "Rupiah bulat ≥ 0"},
    )
    sheet.data_validation(1, 5, last, 5, _list_rule(lists["pd"], "PD"))
    sheet.autofilter(0, 0, max(len(lines), 1), len(headers) - 1)

    sheet = book.add_worksheet(SHEET_KPI)
    headers = [_header(k, KPI_COLUMNS) for k in ("code", "kpi", "unit")]
    headers += [f"Target {y}" for y in years]
    _start(sheet, headers, [11, 28, 16, *([10] * len(years))], fmt["header"])
    for r, link in enumerate(links, start=1):
        targets = {t.year: t.value for t in link.targets}
        _write_row(
            sheet,
            r,
            [
                (codes[link.action_id], "text"),
                (link.kpi.value, "text"),
                (unit_cell(link.action_id, link.unit_id), "text"),
                *((targets.get(y), "number") for y in years),
            ],
            fmt,
        )
    last = _last_row(len(links))
    sheet.data_validation(1, 1, last, 1, _list_rule(lists["kpi"], "KPI"))
    sheet.data_validation(1, 2, last, 2, _list_rule(lists["pd"], "PD"))
    _write_lists(book, list_values)  # last: hidden, and not the sheet Excel opens on
    book.close()
    return buffer.getvalue()


def write_plan(session: Session, path: Path, *, plan: str | None = None) -> Path:
    data = export_plan(session, plan=plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _start(sheet: Any, headers: list[str], widths: list[int], header_format: Any) -> None:
    for c, (title, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, c, title, header_format)
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)


def _write_row(sheet: Any, row: int, cells: list[tuple[Any, str]], fmt: dict[str, Any]) -> None:
    for col, (value, kind) in enumerate(cells):
        if value is None or value == "":
            continue
        if kind == "text":
            sheet.write_string(row, col, str(value), fmt["text"])
        else:
            sheet.write_number(row, col, value, fmt[kind])


def _last_row(rows: int) -> int:
    """Last 0-based row a column's validation covers: the data plus room to add rows."""
    return min(max(rows + 1_000, VALIDATION_ROWS), MAX_ROWS)


def _list_values(unit_codes: list[str]) -> dict[str, list[str]]:
    return {
        "arah": [d.value for d in Direction],
        "tahap": [s.value for s in Stage],
        "sumber": [s.value for s in Source],
        "kpi": [k.value for k in KpiName],
        "pd": unit_codes,
    }


def _list_ranges(columns: dict[str, list[str]]) -> dict[str, str]:
    """Range formulas on the ``Daftar`` sheet, one column per list, for the validations."""
    ranges: dict[str, str] = {}
    for c, (name, values) in enumerate(columns.items()):
        letter = xlsxwriter.utility.xl_col_to_name(c)
        ranges[name] = f"={SHEET_LISTS}!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return ranges


def _write_lists(book: Any, columns: dict[str, list[str]]) -> None:
    """The hidden sheet with the allowed values (see :func:`_list_ranges`)."""
    sheet = book.add_worksheet(SHEET_LISTS)
    for c, (name, values) in enumerate(columns.items()):
        sheet.write_string(0, c, name)
        for r, value in enumerate(values, start=1):
            sheet.write_string(r, c, value)
    sheet.hide()


def _list_rule(source: str, title: str) -> dict[str, Any]:
    return {
        "validate": "list",
        "source": source,
        "error_title": title,
        "error_message": f"Pilih {title} dari daftar.",
    }
