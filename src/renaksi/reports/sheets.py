"""Sheet writers that take plain arguments: the ``PRIORITAS`` table both reports carry, the
complaint-KPI sheets of the quarterly report, and the signature block."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from xlsxwriter.utility import xl_col_to_name

from renaksi.formatting import long_date, quarter_name
from renaksi.lapor.kpi import LOWER_IS_BETTER, Period, priority_view
from renaksi.reports import frames
from renaksi.reports.rows import write_row
from renaksi.reports.styles import (
    Column,
    Styles,
    autofilter,
    table_sheet,
    write_cell,
)

#: what an as-of date fixes for the ``PRIORITAS`` tables: the KPIs compared, not the money
#: (budget lines carry no date, so usulan, pagu and realisasi are the data at generation time)
KPI_AS_OF = "KPI untuk PRIORITAS per tanggal"
#: said after that date when it is the report year's last day instead of the as-of date
CAPPED = "akhir tahun"
#: how to read the PRIORITAS table (Keterangan / the quarterly cover)
PRIORITY_ROWS = (
    "Satu baris per KPI yang ditautkan ke aksi. Usulan, pagu dan selisih hanya ditulis pada "
    "baris pertama tiap aksi, supaya jumlah kolom tidak menghitung aksi yang sama dua kali."
)


def kpi_day(year: int, as_of: dt.date) -> dt.date:
    """The day the KPIs ``PRIORITAS`` compares for ``year`` are taken at: ``as_of``, but no
    later than 31 December of ``year`` (:func:`renaksi.lapor.kpi.priority_view`)."""
    return priority_view(year, as_of)[0]


def kpi_as_of(year: int, as_of: dt.date) -> str:
    """``KPI untuk PRIORITAS per tanggal 31/12/2025 (akhir tahun)``: the date actually used,
    for page headers."""
    day = kpi_day(year, as_of)
    capped = f" ({CAPPED})" if day < as_of else ""
    return f"{KPI_AS_OF} {day:%d/%m/%Y}{capped}"


def capped_note(year: int, as_of: dt.date) -> str | None:
    """Why the KPI date is not ``as_of`` (None when it is)."""
    day = kpi_day(year, as_of)
    if day == as_of:
        return None
    return (
        f"Tanggal data {as_of:%d/%m/%Y} sesudah akhir tahun {year}: PRIORITAS tahun {year} "
        f"membandingkan KPI per {day:%d/%m/%Y} (akhir tahun), yaitu KPI triwulan lengkap "
        "terakhir tahun itu, bukan KPI per tanggal data."
    )


@dataclass(frozen=True)
class Signer:
    """The official who signs the report (from settings)."""

    name: str
    title: str
    nip: str
    place: str


PRIORITY_COLUMNS = [
    Column("Kode Aksi", 11),
    Column("Aksi", 40, "wrap"),
    Column("PD", 14),
    Column("Usulan", 17, "money"),
    Column("Pagu", 17, "money"),
    Column("Selisih", 17, "money"),
    Column("Status Anggaran", 30, "wrap"),
    Column("KPI Terkait", 28, "wrap"),
    Column("PD KPI", 14),
    Column("Nilai KPI", 12, "number"),
    Column("Target KPI", 12, "number"),
    Column("Capaian KPI", 18),
]


def write_priorities(
    book: Any,
    styles: Styles,
    name: str,
    rows: pl.DataFrame,
    *,
    unit_names: dict[str, str],
    kpi_period: Period | None,
    kpi_labels: dict[str, str],
    title: str,
    note: str,
) -> tuple[Any, int]:
    """The ``PRIORITAS`` table both reports carry, one row per linked KPI. An action's money
    (usulan, pagu, selisih) is written on its first row only, its other KPI rows leave those
    cells blank: the total of a (filtered) money column counts each action once. Returns the
    sheet and the first free row below the table."""
    period = f" ({quarter_name(kpi_period.year, kpi_period.quarter or 4)})" if kpi_period else ""
    columns = [
        *PRIORITY_COLUMNS[:9],
        Column(f"Nilai KPI{period}", 14, "number"),
        *PRIORITY_COLUMNS[10:],
    ]
    sheet = table_sheet(book, styles, name, columns, title=title, note=note, freeze_cols=1)
    if rows.is_empty():
        sheet.write_string(1, 0, "Tidak ada aksi PRIORITAS pada tahun ini.", styles.cell("text"))
        return sheet, 2
    row = 0
    previous = None
    for row, r in enumerate(rows.iter_rows(named=True), start=1):
        # rows come sorted by unit then action: an action's KPI rows are consecutive
        first = r["action_code"] != previous
        previous = r["action_code"]
        values = [
            r["action_code"],
            r["title"],
            r["unit_code"],
            r["usulan"] if first else None,
            r["pagu"] if first else None,
            r["gap"] if first else None,
            frames.flag_text(r["flags"]),
            kpi_labels.get(r["kpi"], r["kpi"]),
            r["kpi_unit"],
        ]
        write_row(sheet, row, values, columns[:9], styles)
        kind = frames.kpi_kind(r["kpi"])
        write_cell(sheet, row, 9, frames.kpi_cell(r["kpi"], r["value"]), kind, styles)
        write_cell(sheet, row, 10, frames.kpi_cell(r["kpi"], r["target"]), kind, styles)
        if r["missed"] is None:
            write_cell(sheet, row, 11, "Belum ada data", "text", styles)
        else:
            label, colour = ("Di bawah target", "red") if r["missed"] else ("Memenuhi", "green")
            sheet.write_string(row, 11, label, styles.fills[colour])
    autofilter(sheet, 0, row, columns)
    return sheet, row + 1


def _kpi_columns(
    targets: pl.DataFrame, kpi_labels: dict[str, str]
) -> tuple[list[Column], dict[str, int]]:
    """KPI columns, each followed by its target column when some unit has a target."""
    with_target = set(targets["kpi"].to_list())
    columns = [Column("Kode PD", 14), Column("Nama PD", 34, "wrap")]
    target_col: dict[str, int] = {}
    for kpi in frames.KPI_NAMES:
        kind = frames.kpi_kind(kpi)
        columns.append(Column(kpi_labels[kpi], 13, kind))
        if kpi in with_target:
            target_col[kpi] = len(columns)
            columns.append(Column(f"Target {kpi_labels[kpi]}", 12, kind))
    return columns, target_col


def kpi_sheet(
    book: Any,
    styles: Styles,
    name: str,
    *,
    kpis: pl.DataFrame,
    targets: pl.DataFrame,
    unit_names: dict[str, str],
    region: str,
    kpi_labels: dict[str, str],
    title: str,
    note: str,
) -> None:
    """KPIs per unit (then the total row) with a target column after each KPI some unit has
    a target for; a value is green when it meets its target and red when it misses it."""
    columns, target_col = _kpi_columns(targets, kpi_labels)
    sheet = table_sheet(
        book,
        styles,
        name,
        columns,
        title=title,
        note=note,
        freeze_cols=2,
    )
    goals = {(u, k): t for u, k, t in targets.iter_rows()}
    row = 0
    for row, r in enumerate(kpis.iter_rows(named=True), start=1):
        code = r["unit_code"]
        is_total = code is None
        values: list[Any] = [
            "TOTAL" if is_total else code,
            region if is_total else unit_names.get(code, ""),
        ]
        for kpi in frames.KPI_NAMES:
            values.append(frames.kpi_cell(kpi, r[kpi]))
            if kpi in target_col:
                values.append(None if is_total else frames.kpi_cell(kpi, goals.get((code, kpi))))
        write_row(sheet, row, values, columns, styles, total=is_total)
    units_last = row - 1  # the last row is the kabupaten total
    autofilter(sheet, 0, units_last, columns)
    for kpi, t_col in target_col.items():
        v_col = t_col - 1
        value, goal = f"{xl_col_to_name(v_col)}2", f"{xl_col_to_name(t_col)}2"
        better = "<=" if kpi in LOWER_IS_BETTER else ">="
        worse = ">" if kpi in LOWER_IS_BETTER else "<"
        both = f"ISNUMBER({value}),ISNUMBER({goal})"
        for op, colour in ((better, "green"), (worse, "red")):
            sheet.conditional_format(
                1,
                v_col,
                max(units_last, 1),
                v_col,
                {
                    "type": "formula",
                    "criteria": f"=AND({both},{value}{op}{goal})",
                    "format": styles.highlights[colour],
                },
            )


def trend_sheet(
    book: Any,
    styles: Styles,
    name: str,
    *,
    trend: pl.DataFrame,
    kpi_labels: dict[str, str],
    title: str,
    note: str,
) -> None:
    """One row per KPI, one column per quarter (``trend``: one row per quarter, oldest first,
    ``period`` its label), and line charts of the percentages and of the counts."""
    labels = trend["period"].to_list()
    columns = [Column("KPI (total kabupaten)", 36), *(Column(p, 16, "number") for p in labels)]
    sheet = table_sheet(
        book,
        styles,
        name,
        columns,
        title=title,
        note=note,
        freeze_cols=1,
    )
    rows = trend.to_dicts()
    kpi_row: dict[str, int] = {}
    for row, kpi in enumerate(frames.KPI_NAMES, start=1):
        kpi_row[kpi] = row
        write_cell(sheet, row, 0, kpi_labels[kpi], "text", styles)
        for c, quarter in enumerate(rows, start=1):
            write_cell(
                sheet, row, c, frames.kpi_cell(kpi, quarter[kpi]), frames.kpi_kind(kpi), styles
            )
    autofilter(sheet, 0, len(frames.KPI_NAMES), columns)
    last_col = len(labels)
    groups = [
        (
            "Persentase (total kabupaten)",
            sorted(frames.PERCENT_KPIS, key=frames.KPI_NAMES.index),
            "0%",
        ),
        ("Jumlah pengaduan (total kabupaten)", ["received", "followed_up", "resolved"], "#,##0"),
    ]
    for i, (chart_title, kpis, num_format) in enumerate(groups):
        chart = book.add_chart({"type": "line"})
        for kpi in kpis:
            r = kpi_row[kpi]
            chart.add_series(
                {
                    "name": [name, r, 0],
                    "categories": [name, 0, 1, 0, last_col],
                    "values": [name, r, 1, r, last_col],
                    "marker": {"type": "circle"},
                }
            )
        chart.set_title({"name": chart_title})
        axis: dict[str, Any] = {"num_format": num_format, "min": 0}
        if num_format == "0%":
            axis["max"] = 1
        chart.set_y_axis({**axis, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 340})
        sheet.insert_chart(len(frames.KPI_NAMES) + 2, i * 4, chart)


def signature(
    sheet: Any, styles: Styles, signer: Signer, day: dt.date, *, row: int, col: int
) -> None:
    """``Sangatta, 31 Desember 2024`` / title / room to sign / name / NIP."""
    write_cell(sheet, row, col, f"{signer.place}, {long_date(day)}", "text", styles)
    write_cell(sheet, row + 1, col, signer.title, "text", styles)
    sheet.write_string(row + 5, col, signer.name, styles.signature_name)
    write_cell(sheet, row + 6, col, f"NIP. {signer.nip}", "text", styles)
