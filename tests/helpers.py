"""Test helpers: build small plan workbooks in the documented layout, dump tables."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import xlsxwriter

from renaksi.db.base import Base

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
YEARS = [2022, 2023, 2024, 2025, 2026]
ACTION_HEADERS = [
    "Kode Aksi",
    "Sasaran",
    "Aksi",
    "Indikator",
    "Satuan",
    "Arah",
    "Baseline",
    *(f"Target {y}" for y in YEARS),
    "PD Penanggung Jawab",
    "PD Terkait",
    "Kode Sub Kegiatan",
    "Keterangan",
]
BUDGET_HEADERS = ["Kode Aksi", "Tahun", "Tahap", "Sumber Dana", "Jumlah", "PD", "Keterangan"]
KPI_HEADERS = ["Kode Aksi", "KPI", "PD", *(f"Target {y}" for y in YEARS)]


def action(
    code: str, lead: str = "DISKOMINFO", targets: dict[int, float] | None = None, **over: Any
) -> list[Any]:
    """One ``Aksi`` row; targets default to every year of 2022–2026."""
    t = {y: 1 for y in YEARS} if targets is None else targets
    row = {
        "Kode Aksi": code,
        "Sasaran": "Meningkatnya kepatuhan tindak lanjut pengaduan",
        "Aksi": f"Aksi {code}",
        "Indikator": "Jumlah dokumen",
        "Satuan": "Dokumen",
        "Arah": "naik",
        "Baseline": 0,
        "PD Penanggung Jawab": lead,
        "PD Terkait": "",
        "Kode Sub Kegiatan": "2.16.02.2.01.0002",
        "Keterangan": None,
        **{f"Target {y}": t.get(y) for y in YEARS},
    }
    row.update(over)
    return [row[h] for h in ACTION_HEADERS]


def write_workbook(
    path: Path,
    actions: Sequence[Sequence[Any]],
    budget: Sequence[Sequence[Any]] = (),
    kpi: Sequence[Sequence[Any]] | None = None,
    *,
    action_headers: Sequence[str] = ACTION_HEADERS,
    budget_headers: Sequence[str] = BUDGET_HEADERS,
) -> Path:
    """Write a plan workbook; cells are written as given (numbers stay numbers)."""
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = [
        ("Aksi", action_headers, actions),
        ("Anggaran", budget_headers, budget),
    ]
    if kpi is not None:
        sheets.append(("KPI", KPI_HEADERS, kpi))
    for name, headers, rows in sheets:
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, list(headers))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
    book.close()
    return path


#: columns that record a use, not a change
USE_BOOKKEEPING = {("api_token", "last_used_at")}


def dump_database(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered: compare before/after to prove nothing changed.

    Leaves out ``api_token.last_used_at``: using a token (even for a refused request) writes
    down when, and that is not a change of data.
    """
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.c if (table.name, c.name) not in USE_BOOKKEEPING]
            rows = conn.execute(sa.select(*columns)).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result
