"""Bappeda's budget-gap workbook (*laporan selisih anggaran*): data in, xlsx out, no I/O else.

Sheets: ``Ringkasan`` (per unit, total row, chart usulan vs pagu), ``Rincian`` (one row per
action-year, flags highlighted), ``Matriks <period>`` (actions × years, funding status),
``Prioritas`` (``PRIORITAS`` actions with their linked KPIs) and ``Keterangan`` (the date the
KPIs for ``PRIORITAS`` are taken at, generation time, filters, what each flag means).
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

from renaksi.budget.schemas import UnitSummary
from renaksi.codes import FLAG_LABELS, Flag
from renaksi.formatting import quarter_name
from renaksi.lapor.kpi import Period
from renaksi.reports import frames
from renaksi.reports.rows import RowWriter, write_row
from renaksi.reports.sheets import (
    KPI_AS_OF,
    PRIORITY_ROWS,
    capped_note,
    kpi_as_of,
    kpi_day,
    write_priorities,
)
from renaksi.reports.styles import (
    LINE_POINTS,
    Column,
    Styles,
    autofilter,
    collector_paused,
    open_workbook,
    print_setup,
    table_sheet,
    text_lines,
    write_cell,
)

SHEET_SUMMARY = "Ringkasan"
SHEET_DETAIL = "Rincian"
SHEET_PRIORITIES = "Prioritas"
SHEET_NOTES = "Keterangan"
TITLE = "Selisih Anggaran Rencana Aksi SP4N LAPOR!"
#: budget lines carry no date: usulan, pagu and realisasi are never "as of" a day
MONEY_AS_OF = (
    "Sesuai data saat laporan dibuat (lihat 'Dibuat pada'), tidak dibekukan per tanggal KPI "
    "di atas: data anggaran tidak menyimpan tanggal pencatatan, jadi pagu (DPA/DPPA) yang "
    "dicatat sesudah tanggal itu ikut dihitung."
)

#: detail frame columns (one row per action-year)
DETAIL_SCHEMA = pl.Schema(
    {
        "action_code": pl.String(),
        "title": pl.String(),
        "unit_code": pl.String(),
        "year": pl.Int64(),
        "active": pl.Boolean(),
        "usulan": pl.Int64(),
        "pagu": pl.Int64(),
        "realisasi": pl.Int64(),
        "gap": pl.Int64(),
        "flags": pl.List(pl.String()),
    }
)


@dataclass(frozen=True)
class BudgetGapData:
    """Everything the workbook shows, already computed by the services."""

    region: str
    plan_code: str
    plan_name: str
    years: list[int]
    year: int
    #: unit filter (lead unit code) or None for every unit
    unit: str | None
    unit_names: dict[str, str]
    #: the as-of date asked for; the KPIs are taken at :attr:`kpi_as_of` (capped at year end)
    as_of: dt.date
    #: the quarter whose KPIs ``PRIORITAS`` compared; None when no action has a KPI link
    kpi_period: Period | None
    generated_at: dt.datetime
    #: per-unit rows of ``budget.service.summary`` (filtered to ``unit``) and their total
    summary: list[UnitSummary]
    total: UnitSummary
    #: :data:`DETAIL_SCHEMA`, sorted by unit then action code
    detail: pl.DataFrame
    #: :func:`frames.funding_matrix`
    matrix: pl.DataFrame
    #: :func:`frames.priority_rows`
    priorities: pl.DataFrame
    #: KPI names as shown (:func:`frames.kpi_labels`: the completion limit in force)
    kpi_labels: dict[str, str]

    @property
    def matrix_sheet(self) -> str:
        return f"Matriks {self.years[0]}-{self.years[-1]}"

    @property
    def scope(self) -> str:
        return f"PD {self.unit}" if self.unit else "semua PD"

    @property
    def kpi_as_of(self) -> dt.date:
        """The day the KPIs ``PRIORITAS`` compares are taken at: the as-of date, but no later
        than 31 December of the report year (as the flags compute it)."""
        return kpi_day(self.year, self.as_of)

    @property
    def note(self) -> str:
        """Page-header note. The as-of date only fixes the KPIs ``PRIORITAS`` compares (and
        those no later than the year's end): budget lines carry no date, so the money is what
        the database held at generation time."""
        return f"Tahun {self.year} · {self.scope} · {kpi_as_of(self.year, self.as_of)}"


def build_budget_gap(data: BudgetGapData, target: Path | IO[bytes]) -> None:
    """Write the workbook to ``target`` (a path or a binary file object)."""
    book = open_workbook(
        target, title=f"{TITLE} {data.year}", subject=data.plan_code, now=data.generated_at
    )
    styles = Styles(book)
    with collector_paused():
        _summary_sheet(book, styles, data)
        _detail_sheet(book, styles, data)
        _matrix_sheet(book, styles, data)
        write_priorities(
            book,
            styles,
            SHEET_PRIORITIES,
            data.priorities,
            unit_names=data.unit_names,
            kpi_period=data.kpi_period,
            kpi_labels=data.kpi_labels,
            title=f"Aksi Prioritas Pendanaan {data.year} — {data.region}",
            note=data.note,
        )
        _notes_sheet(book, styles, data)
        book.close()


SUMMARY_COLUMNS = [
    Column("Kode PD", 14),
    Column("Nama PD", 40, "wrap"),
    Column("Aksi Aktif", 10, "count"),
    Column("Usulan", 18, "money"),
    Column("Pagu", 18, "money"),
    Column("Realisasi", 18, "money"),
    Column("Selisih", 18, "money"),
    Column("Aksi Tanpa Pagu", 11, "count"),
    Column("Aksi dengan Flag", 11, "count"),
    Column("Aksi Berpagu", 11, "count"),
    Column("Porsi Aksi Berpagu", 12, "pct"),
]


def _summary_values(u: UnitSummary, code: str, name: str) -> list[Any]:
    # active actions without pagu are exactly the TANPA_PAGU ones (active, pagu = 0)
    return [
        code,
        name,
        u.active_actions,
        u.usulan,
        u.pagu,
        u.realisasi,
        u.gap,
        u.active_actions - u.funded_actions,
        u.flagged_actions,
        u.funded_actions,
        u.share_funded,
    ]


def _summary_sheet(book: Any, styles: Styles, data: BudgetGapData) -> None:
    sheet = table_sheet(
        book,
        styles,
        SHEET_SUMMARY,
        SUMMARY_COLUMNS,
        title=f"Ringkasan {TITLE} {data.year} — {data.region}",
        note=data.note,
        freeze_cols=2,
    )
    row = 0
    for row, u in enumerate(data.summary, start=1):
        code = u.unit_code or ""
        values = _summary_values(u, code, data.unit_names.get(code, ""))
        write_row(sheet, row, values, SUMMARY_COLUMNS, styles)
    last = row
    label = f"PD {data.unit}" if data.unit else "Semua PD"
    write_row(
        sheet,
        last + 1,
        _summary_values(data.total, "TOTAL", label),
        SUMMARY_COLUMNS,
        styles,
        total=True,
    )
    autofilter(sheet, 0, last, SUMMARY_COLUMNS)
    if not data.summary:
        return
    chart = book.add_chart({"type": "bar"})
    for col, colour in ((3, "#5B9BD5"), (4, "#ED7D31")):
        chart.add_series(
            {
                "name": [SHEET_SUMMARY, 0, col],
                "categories": [SHEET_SUMMARY, 1, 1, last, 1],
                "values": [SHEET_SUMMARY, 1, col, last, col],
                "fill": {"color": colour},
                "gap": 60,
            }
        )
    chart.set_title({"name": f"Usulan dan Pagu per PD, {data.year}"})
    chart.set_x_axis({"num_format": '"Rp" #,##0', "major_gridlines": {"visible": True}})
    # units in the table's order (top to bottom); the Rupiah axis then crosses at the last
    # unit, i.e. stays at the bottom instead of moving to the top
    chart.set_y_axis({"reverse": True, "crossing": "max"})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 960, "height": max(320, 24 * len(data.summary) + 140)})
    sheet.insert_chart(last + 3, 0, chart)


DETAIL_COLUMNS = [
    Column("Kode Aksi", 11),
    Column("Aksi", 48, "wrap"),
    Column("PD", 14),
    Column("Nama PD", 30, "wrap"),
    Column("Tahun", 7, "year"),
    Column("Aktif", 7),
    Column("Usulan", 17, "money"),
    Column("Pagu", 17, "money"),
    Column("Realisasi", 17, "money"),
    Column("Selisih", 17, "money"),
    Column("Status Anggaran", 34, "wrap"),
    Column("Kode Flag", 26),
]
#: conditional highlight of ``Status Anggaran`` by flag code, most urgent first
FLAG_COLOURS = [
    (Flag.PRIORITAS, "alarm"),
    (Flag.TANPA_PAGU, "red"),
    (Flag.KURANG_PAGU, "yellow"),
    (Flag.BELUM_USULAN, "blue"),
]


def detail_cells(detail: pl.DataFrame, unit_names: dict[str, str]) -> pl.DataFrame:
    """The cells of ``Rincian``, one column per :data:`DETAIL_COLUMNS` entry."""
    flags = frames.flag_labels(detail["flags"])
    # no flag: a blank cell (filters list it as "(Kosong)"), not an empty text
    codes = flags["flag_codes"].replace("", None)
    return detail.select(
        "action_code",
        "title",
        "unit_code",
        pl.col("unit_code")
        .replace_strict(unit_names, default="", return_dtype=pl.String())
        .alias("unit_name"),
        "year",
        pl.when(pl.col("active")).then(pl.lit("Ya")).otherwise(pl.lit("Tidak")).alias("aktif"),
        "usulan",
        "pagu",
        "realisasi",
        "gap",
        flags["flag_text"],
        codes,
    )


def _detail_sheet(book: Any, styles: Styles, data: BudgetGapData) -> None:
    sheet = table_sheet(
        book,
        styles,
        SHEET_DETAIL,
        DETAIL_COLUMNS,
        title=f"Rincian {TITLE} {data.year} — {data.region}",
        note=data.note,
        freeze_cols=1,
    )
    writer = RowWriter(sheet, DETAIL_COLUMNS, styles)
    row = writer.write_frame(1, detail_cells(data.detail, data.unit_names))
    autofilter(sheet, 0, row, DETAIL_COLUMNS)
    if row == 0:
        return
    for flag, colour in FLAG_COLOURS:
        sheet.conditional_format(
            1,
            10,
            row,
            11,
            {
                "type": "formula",
                "criteria": f'=ISNUMBER(SEARCH("{flag.value}",$L2))',
                "format": styles.highlights[colour],
                "stop_if_true": True,
            },
        )
    sheet.conditional_format(
        1,
        9,
        row,
        9,
        {"type": "cell", "criteria": ">", "value": 0, "format": styles.highlights["red"]},
    )


def _matrix_sheet(book: Any, styles: Styles, data: BudgetGapData) -> None:
    columns = [
        Column("Kode Aksi", 11),
        Column("Aksi", 48, "wrap"),
        Column("PD", 14),
        *(Column(str(y), 15) for y in data.years),
    ]
    legend_col = len(columns) + 1
    sheet = table_sheet(
        book,
        styles,
        data.matrix_sheet,
        columns,
        title=f"Matriks Pendanaan Rencana Aksi {data.years[0]}–{data.years[-1]} — {data.region}",
        note=f"{data.scope} · anggaran sesuai data saat laporan dibuat",
        freeze_cols=1,
    )
    sheet.set_column(legend_col, legend_col, 22)
    sheet.write_string(0, legend_col, "Keterangan warna", styles.header)
    legend = [(label, styles.fills[colour]) for label, colour in frames.FUNDING.values()]
    cells = {
        code: (label, styles.fills[colour]) for code, (label, colour) in frames.FUNDING.items()
    }
    writer = RowWriter(sheet, columns[:3], styles)
    string = writer.write_string
    year_cols = range(3, 3 + len(data.years))

    def statuses(row: int, values: tuple[Any, ...]) -> None:
        for col in year_cols:
            string(row, col, *cells[values[col]])
        if row <= len(legend):
            string(row, legend_col, *legend[row - 1])

    row = writer.write_frame(1, data.matrix, then=statuses)
    for extra in range(row + 1, len(legend) + 1):  # fewer actions than legend lines
        sheet.write_string(extra, legend_col, *legend[extra - 1])
    autofilter(sheet, 0, row, columns)


FLAG_MEANINGS = {
    Flag.TANPA_PAGU: "Aksi aktif (punya target tahun ini) tanpa pagu (DPA/DPPA) di atas Rp 0.",
    Flag.KURANG_PAGU: "Pagu di atas Rp 0 tetapi di bawah usulan.",
    Flag.BELUM_USULAN: "Aksi aktif tanpa usulan di atas Rp 0 (baris usulan Rp 0 bukan usulan).",
    Flag.PRIORITAS: "TANPA_PAGU atau KURANG_PAGU, dan KPI pengaduan yang ditautkan ke aksi "
    "berada di bawah targetnya pada triwulan lengkap terakhir: didanai lebih dulu.",
}
TERMS = [
    ("Usulan", "Jumlah yang diminta PD untuk aksi pada tahun itu (tahap RKA/Renja)."),
    ("Pagu", "Jumlah yang dialokasikan: DPA, atau DPPA bila ada (DPPA menggantikan DPA)."),
    ("Realisasi", "Jumlah yang sudah dibelanjakan."),
    ("Selisih", "Usulan dikurangi pagu, paling kecil Rp 0."),
    ("Aksi aktif", "Aksi yang punya target pada tahun itu."),
    (
        "Aksi berpagu",
        "Aksi aktif dengan pagu di atas Rp 0, termasuk yang KURANG_PAGU (di Matriks: "
        "'Didanai' atau 'Sebagian didanai').",
    ),
    ("NON_APBD", "Bantuan di luar APBD (mis. donor) tidak dihitung sebagai usulan atau pagu."),
    (SHEET_PRIORITIES, PRIORITY_ROWS),
]


NOTE_WIDTH = 95
#: label of the line saying the KPI date is the year's end, not the as-of date asked for
CAPPED_LABEL = "Batas akhir tahun"


def _note(sheet: Any, styles: Styles, row: int, text: str) -> None:
    sheet.set_row(row, LINE_POINTS * text_lines(text, NOTE_WIDTH) + 2)
    write_cell(sheet, row, 1, text, "wrap", styles)


def _notes_sheet(book: Any, styles: Styles, data: BudgetGapData) -> None:
    sheet = book.add_worksheet(SHEET_NOTES)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, NOTE_WIDTH)
    print_setup(sheet, title=f"Keterangan {TITLE} {data.year}", note=data.note)
    unit = "Semua PD"
    if data.unit:
        unit = f"{data.unit} — {data.unit_names.get(data.unit, '')}"
    period = "-"
    if data.kpi_period is not None:
        p = data.kpi_period
        period = f"{quarter_name(p.year, p.quarter or 4)} ({p.start:%d/%m/%Y}–{p.end:%d/%m/%Y})"
    facts: list[tuple[str, Any, Any]] = [
        ("Laporan", f"{TITLE} — {data.region}", "text"),
        ("Rencana aksi", f"{data.plan_code} — {data.plan_name}", "text"),
        ("Tahun anggaran", data.year, "year"),
        ("PD", unit, "text"),
        (KPI_AS_OF, data.kpi_as_of, "date"),
        ("Triwulan KPI untuk PRIORITAS", period, "text"),
        ("Dibuat pada (WITA)", data.generated_at, "datetime"),
    ]
    capped = capped_note(data.year, data.as_of)
    sheet.write_string(0, 0, f"{TITLE} {data.year}", styles.title)
    row = 2
    for label, value, kind in facts:
        sheet.write_string(row, 0, label, styles.label)
        write_cell(sheet, row, 1, value, kind, styles)
        row += 1
        if label == KPI_AS_OF and capped:
            # right below the date it explains
            sheet.write_string(row, 0, CAPPED_LABEL, styles.label)
            _note(sheet, styles, row, capped)
            row += 1
    sheet.write_string(row, 0, "Usulan, pagu, realisasi", styles.label)
    _note(sheet, styles, row, MONEY_AS_OF)
    row += 1
    row += 1
    sheet.write_string(row, 0, "Flag", styles.header)
    sheet.write_string(row, 1, "Arti", styles.header)
    for flag in frames.FLAG_ORDER:
        row += 1
        sheet.write_string(row, 0, flag.value, styles.label)
        meaning = f"{FLAG_LABELS[flag]}: {FLAG_MEANINGS[flag]}"
        _note(sheet, styles, row, meaning)
    row += 2
    sheet.write_string(row, 0, "Istilah", styles.header)
    sheet.write_string(row, 1, "Arti", styles.header)
    for term, meaning in TERMS:
        row += 1
        sheet.write_string(row, 0, term, styles.label)
        _note(sheet, styles, row, meaning)
    row += 2
    sheet.write_string(row, 0, f"Warna pada {data.matrix_sheet}", styles.header)
    sheet.write_string(row, 1, "Arti", styles.header)
    meanings = {
        "DIDANAI": "Aksi aktif dengan pagu di atas Rp 0 yang tidak kurang dari usulan.",
        "SEBAGIAN": "Aksi aktif dengan pagu di bawah usulan (KURANG_PAGU).",
        "TIDAK_DIDANAI": "Aksi aktif tanpa pagu (TANPA_PAGU).",
        "TIDAK_AKTIF": "Aksi tidak punya target pada tahun itu.",
    }
    for code, (label, colour) in frames.FUNDING.items():
        row += 1
        sheet.write_string(row, 0, label, styles.fills[colour])
        _note(sheet, styles, row, meanings[code])
