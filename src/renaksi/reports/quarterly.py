"""The quarterly report to the Bupati (*laporan triwulan*): data in, xlsx out, no I/O else.

Sheets: ``Ringkasan`` (cover: period, as-of, headline numbers, how to read the colours),
``KPI per PD`` (the quarter's KPIs against the KPI-link targets, kabupaten total), ``Tren KPI``
(last four quarters, line charts), ``Progres Renaksi`` (per action), ``Belum Melapor`` (units
whose progress for the quarter is missing) and ``Prioritas Anggaran`` with the signature
block at the end.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

from renaksi.formatting import quarter_name
from renaksi.lapor.kpi import Period
from renaksi.reports import frames
from renaksi.reports.rows import fit_row, write_row
from renaksi.reports.sheets import (
    KPI_AS_OF,
    PRIORITY_ROWS,
    Signer,
    capped_note,
    kpi_as_of,
    kpi_day,
    kpi_sheet,
    signature,
    trend_sheet,
    write_priorities,
)
from renaksi.reports.styles import (
    LINE_POINTS,
    Column,
    Kind,
    Styles,
    autofilter,
    open_workbook,
    print_setup,
    table_sheet,
    text_lines,
    write_cell,
)

SHEET_COVER = "Ringkasan"
SHEET_KPI = "KPI per PD"
SHEET_TREND = "Tren KPI"
SHEET_PROGRESS = "Progres Renaksi"
SHEET_MISSING = "Belum Melapor"
SHEET_PRIORITIES = "Prioritas Anggaran"
TITLE = "Laporan Triwulan Pelaksanaan Rencana Aksi SP4N LAPOR!"
#: what the as-of date fixes: complaints and progress reports, not money; PRIORITAS' KPIs
#: are taken at the as-of date too, but no later than the year's end (``KPI_AS_OF``)
DATA_AS_OF = "Pengaduan dan progres per tanggal"

PROGRESS_SCHEMA = pl.Schema(
    {
        "action_code": pl.String(),
        "title": pl.String(),
        "unit_code": pl.String(),
        "indicator": pl.String(),
        "measure_unit": pl.String(),
        "direction": pl.String(),
        "target": pl.Float64(),
        "status": pl.String(),
        "achieved": pl.Float64(),
        "progress_pct": pl.Float64(),
        "problems": pl.String(),
        "follow_up": pl.String(),
        "reported_by": pl.String(),
        "reported_at": pl.Datetime("us", "UTC"),
    }
)


@dataclass(frozen=True)
class QuarterlyData:
    region: str
    plan_code: str
    plan_name: str
    year: int
    quarter: int
    as_of: dt.date
    generated_at: dt.datetime
    unit_names: dict[str, str]
    #: :func:`frames.report_units`: KPI rows of the units shown, then the total (unit null)
    kpis: pl.DataFrame
    #: :func:`frames.strictest_targets` of the year's KPI links
    targets: pl.DataFrame
    #: kabupaten totals of the last four quarters, oldest first (``period`` = quarter label)
    trend: pl.DataFrame
    #: :data:`PROGRESS_SCHEMA`, one row per action active in the year
    progress: pl.DataFrame
    #: :func:`frames.reporting_gaps`
    gaps: pl.DataFrame
    #: :func:`frames.priority_rows` and the quarter their KPIs come from
    priorities: pl.DataFrame
    priority_period: Period | None
    signer: Signer
    #: KPI names as shown (:func:`frames.kpi_labels`: the completion limit in force)
    kpi_labels: dict[str, str]

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def name(self) -> str:
        return quarter_name(self.year, self.quarter)

    @property
    def note(self) -> str:
        """Page-header note: complaints and progress reports are counted as of that day."""
        partial = " (triwulan belum berakhir, angka sementara)" if self.unfinished_note else ""
        return f"{self.name} · {DATA_AS_OF} {self.as_of:%d/%m/%Y}{partial}"

    @property
    def unfinished_note(self) -> str | None:
        """Said beside the data date when the quarter had not ended on it."""
        end = self.period.end
        if self.as_of >= end:
            return None
        return (
            f"{self.name} belum berakhir pada tanggal data (berakhir {end:%d/%m/%Y}): "
            "angka triwulan ini sementara, dan titik terakhir di Tren KPI belum lengkap."
        )

    @property
    def kpi_as_of(self) -> dt.date:
        """The day the KPIs ``PRIORITAS`` compares are taken at: the as-of date, but no later
        than 31 December of the report year (as the flags compute it)."""
        return kpi_day(self.year, self.as_of)

    @property
    def priority_note(self) -> str:
        """Page-header note of ``Prioritas Anggaran``: there the as-of date fixes only the
        KPIs (no later than the year's end), the money is what the database held at
        generation time (budget lines carry no date)."""
        return f"{self.name} · {kpi_as_of(self.year, self.as_of)}"


def build_quarterly(data: QuarterlyData, target: Path | IO[bytes]) -> None:
    """Write the workbook to ``target`` (a path or a binary file object)."""
    book = open_workbook(
        target, title=f"{TITLE} {data.name}", subject=data.plan_code, now=data.generated_at
    )
    styles = Styles(book)
    _cover_sheet(book, styles, data)
    kpi_sheet(
        book,
        styles,
        SHEET_KPI,
        kpis=data.kpis,
        targets=data.targets,
        unit_names=data.unit_names,
        region=data.region,
        kpi_labels=data.kpi_labels,
        title=f"KPI Penanganan Pengaduan per PD, {data.name} — {data.region}",
        note=data.note,
    )
    trend_sheet(
        book,
        styles,
        SHEET_TREND,
        trend=data.trend,
        kpi_labels=data.kpi_labels,
        title=f"Tren KPI Empat Triwulan Terakhir sampai {data.name} — {data.region}",
        note=data.note,
    )
    _progress_sheet(book, styles, data)
    _missing_sheet(book, styles, data)
    sheet, row = write_priorities(
        book,
        styles,
        SHEET_PRIORITIES,
        data.priorities,
        unit_names=data.unit_names,
        kpi_period=data.priority_period,
        kpi_labels=data.kpi_labels,
        title=f"Prioritas Anggaran {data.year} — {data.region}",
        note=data.priority_note,
    )
    signature(sheet, styles, data.signer, data.as_of, row=row + 2, col=7)
    book.close()


def _total(data: QuarterlyData) -> dict[str, Any]:
    totals = data.kpis.filter(pl.col("unit_code").is_null())
    return totals.row(0, named=True) if totals.height else {}


def _cover_sheet(book: Any, styles: Styles, data: QuarterlyData) -> None:
    sheet = book.add_worksheet(SHEET_COVER)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 80)
    print_setup(sheet, title=f"{TITLE} {data.name}", note=data.region)
    total = _total(data)
    progress = data.progress
    reported = progress.filter(pl.col("status").is_not_null()).height
    period = data.period
    lines: list[tuple[str, Any, Kind]] = [
        ("Rencana aksi", f"{data.plan_code} — {data.plan_name}", "text"),
        ("Awal triwulan", period.start, "date"),
        ("Akhir triwulan", period.end, "date"),
        (DATA_AS_OF, data.as_of, "date"),
        (KPI_AS_OF, data.kpi_as_of, "date"),
        ("Dibuat pada (WITA)", data.generated_at, "datetime"),
        ("Pengaduan diterima", total.get("received"), "count"),
        (
            "Pengaduan ditindaklanjuti",
            frames.kpi_cell("pct_followed_up", total.get("pct_followed_up")),
            "pct",
        ),
        ("Pengaduan selesai", frames.kpi_cell("pct_resolved", total.get("pct_resolved")), "pct"),
        (
            "Tanggapan tepat waktu",
            frames.kpi_cell("pct_response_on_time", total.get("pct_response_on_time")),
            "pct",
        ),
        ("Median hari kerja sampai tanggapan", total.get("median_response_workdays"), "decimal"),
        ("Aksi aktif tahun ini", progress.height, "count"),
        ("Aksi yang sudah dilaporkan triwulan ini", reported, "count"),
        ("PD yang belum melaporkan semua aksinya", data.gaps.height, "count"),
        ("Aksi PRIORITAS pendanaan", data.priorities["action_code"].n_unique(), "count"),
    ]
    sheet.write_string(0, 0, TITLE.upper(), styles.title)
    sheet.write_string(1, 0, f"{data.name.upper()} — {data.region.upper()}", styles.subtitle)
    capped = capped_note(data.year, data.as_of)
    explained = {KPI_AS_OF: capped, DATA_AS_OF: data.unfinished_note}
    row = 3
    for label, value, kind in lines:
        sheet.write_string(row, 0, label, styles.label)
        write_cell(sheet, row, 1, value, kind, styles)
        if why := explained.get(label):
            sheet.set_row(row, LINE_POINTS * text_lines(why, 80) + 2)
            write_cell(sheet, row, 2, why, "wrap", styles)
        row += 1
    notes = [
        (
            "Periode KPI",
            "Pengaduan dihitung menurut tanggal laporan (WITA) dalam triwulan; "
            "peristiwa sesudah tanggal data dianggap belum terjadi. Persentase atas himpunan "
            "kosong dibiarkan kosong.",
        ),
        (
            "Warna KPI",
            "Hijau: memenuhi target; merah: di bawah target. Target per PD diambil "
            "dari tautan KPI rencana aksi untuk tahun ini; bila beberapa aksi menautkan KPI yang "
            "sama, dipakai target yang paling ketat. Untuk median hari kerja dan tanggapan "
            "terlambat, makin kecil makin baik.",
        ),
        (
            "Progres",
            "Laporan kemajuan terakhir tiap aksi untuk triwulan ini yang dicatat "
            "sampai tanggal data. Aksi tanpa laporan ditandai 'Belum melapor'.",
        ),
        (
            "Prioritas anggaran",
            "Aksi TANPA_PAGU atau KURANG_PAGU yang KPI tautannya di bawah "
            "target pada triwulan lengkap terakhir per tanggal KPI untuk PRIORITAS (tanggal "
            "data, paling lambat akhir tahun laporan). Usulan, pagu dan selisih "
            "sesuai data saat laporan dibuat (lihat 'Dibuat pada'), tidak dibekukan per "
            "tanggal data: data anggaran tidak menyimpan tanggal pencatatan. " + PRIORITY_ROWS,
        ),
    ]
    row += 1
    sheet.write_string(row, 0, "Cara membaca", styles.header)
    sheet.write_string(row, 1, "", styles.header)
    sheet.write_string(row, 2, "", styles.header)
    for label, text in notes:
        row += 1
        sheet.set_row(row, LINE_POINTS * text_lines(text, 100) + 2)
        sheet.write_string(row, 0, label, styles.label)
        sheet.merge_range(row, 1, row, 2, text, styles.cell("wrap"))


def _progress_sheet(book: Any, styles: Styles, data: QuarterlyData) -> None:
    columns = [
        Column("Kode Aksi", 11),
        Column("Aksi", 40, "wrap"),
        Column("PD", 14),
        Column("Indikator", 32, "wrap"),
        Column("Satuan", 10),
        Column("Arah", 7),
        Column(f"Target {data.year}", 10, "number"),
        Column("Capaian", 10, "number"),
        Column("Progres", 9, "pct"),
        Column("Status", 15),
        Column("Kendala", 36, "wrap"),
        Column("Tindak Lanjut", 36, "wrap"),
        Column("Dilaporkan Oleh", 18, "wrap"),
        Column("Tanggal Lapor (WITA)", 16, "datetime"),
    ]
    sheet = table_sheet(
        book,
        styles,
        SHEET_PROGRESS,
        columns,
        title=f"Progres Rencana Aksi {data.name} — {data.region}",
        note=data.note,
        freeze_cols=1,
    )
    row = 0
    for row, r in enumerate(data.progress.iter_rows(named=True), start=1):
        pct = r["progress_pct"]
        label, colour = frames.PROGRESS_LABELS.get(r["status"], frames.NOT_REPORTED)
        values = [
            r["action_code"],
            r["title"],
            r["unit_code"],
            r["indicator"],
            r["measure_unit"],
            r["direction"],
            r["target"],
            r["achieved"],
            None if pct is None else pct / 100,
            label,
            r["problems"],
            r["follow_up"],
            r["reported_by"],
            r["reported_at"],
        ]
        fit_row(sheet, row, values, columns)
        write_row(sheet, row, values[:9], columns[:9], styles, fit=False)
        sheet.write_string(row, 9, label, styles.fills[colour])
        write_row(sheet, row, values[10:], columns[10:], styles, start_col=10, fit=False)
    autofilter(sheet, 0, row, columns)


def _missing_sheet(book: Any, styles: Styles, data: QuarterlyData) -> None:
    columns = [
        Column("Kode PD", 14),
        Column("Nama PD", 36, "wrap"),
        Column("Aksi Aktif", 10, "count"),
        Column("Sudah Melapor", 10, "count"),
        Column("Belum Melapor", 10, "count"),
        Column("Aksi Belum Dilaporkan", 50, "wrap"),
    ]
    sheet = table_sheet(
        book,
        styles,
        SHEET_MISSING,
        columns,
        title=f"PD yang Belum Melaporkan Progres {data.name} — {data.region}",
        note=data.note,
        freeze_cols=1,
    )
    if data.gaps.is_empty():
        sheet.write_string(
            1, 0, "Semua PD sudah melaporkan progres triwulan ini.", styles.cell("text")
        )
        return
    row = 0
    for row, r in enumerate(data.gaps.iter_rows(named=True), start=1):
        values = [
            r["unit_code"],
            data.unit_names.get(r["unit_code"], ""),
            r["active_actions"],
            r["reported"],
            r["missing"],
            r["missing_codes"],
        ]
        write_row(sheet, row, values, columns, styles)
    autofilter(sheet, 0, row, columns)
