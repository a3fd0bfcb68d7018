"""The pure workbook builders on literal data, read back with openpyxl (cells, not bytes)."""

import dataclasses
import datetime as dt
import gc
import io
import re
import zipfile
from itertools import cycle
from typing import Any

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from renaksi.budget.schemas import UnitSummary
from renaksi.lapor.kpi import KPI_SCHEMA, Period
from renaksi.reports import frames
from renaksi.reports.budget_gap import DETAIL_SCHEMA, BudgetGapData, build_budget_gap
from renaksi.reports.quarterly import PROGRESS_SCHEMA, QuarterlyData, build_quarterly
from renaksi.reports.rows import RowWriter, fit_row, write_row
from renaksi.reports.sheets import Signer
from renaksi.reports.styles import (
    MONEY,
    WORKBOOK_OPTIONS,
    Column,
    Styles,
    collector_paused,
    write_cell,
)

AS_OF = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.UTC)
#: user text that a spreadsheet would run as a formula if it were written as one
DANGEROUS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\r\n=1+1",
    '=HYPERLINK("http://x")',
]


def unit_summary(code: str | None, active: int, usulan: int, pagu: int) -> UnitSummary:
    funded = active if pagu else 0
    return UnitSummary(
        unit_code=code,
        year=2025,
        active_actions=active,
        usulan=usulan,
        pagu=pagu,
        realisasi=pagu // 2,
        gap=max(usulan - pagu, 0),
        flagged_actions=0 if pagu >= usulan else active,
        funded_actions=funded,
        share_funded=funded / active if active else None,
    )


def budget_data(titles: list[str]) -> BudgetGapData:
    detail = pl.DataFrame(
        [
            (f"A.{i:02d}", title, "DISKOMINFO", 2025, True, 100, 40, 10, 60, flags)
            for i, (title, flags) in enumerate(
                zip(titles, cycle([["KURANG_PAGU", "PRIORITAS"], ["TANPA_PAGU"], []])),
                start=1,
            )
        ],
        schema=DETAIL_SCHEMA,
        orient="row",
    )
    matrix = pl.DataFrame(
        {
            "action_code": detail["action_code"],
            "title": detail["title"],
            "unit_code": detail["unit_code"],
            **{
                str(y): ["DIDANAI", "SEBAGIAN", "TIDAK_DIDANAI", "TIDAK_AKTIF", "DIDANAI"][y - 2022]
                for y in range(2022, 2027)
            },
        }
    )
    action = ("A.01", titles[0], "DISKOMINFO", 100, 40, 60, ["KURANG_PAGU", "PRIORITAS"])
    priorities = pl.DataFrame(
        [
            (*action, "pct_response_on_time", "DINKES", 61.5, 75.0, True),
            (*action, "median_response_workdays", "DINKES", 2.5, 4.0, False),
        ],
        schema=frames.PRIORITY_SCHEMA,
        orient="row",
    )
    units = [unit_summary("BAPPEDA", 1, 50, 0), unit_summary("DISKOMINFO", 3, 300, 120)]
    return BudgetGapData(
        kpi_labels=frames.kpi_labels(60),
        region="Kabupaten Kutai Timur",
        plan_code="RENAKSI-2022-2026",
        plan_name="Renaksi SP4N LAPOR! 2022–2026",
        years=[2022, 2023, 2024, 2025, 2026],
        year=2025,
        unit=None,
        unit_names={"DISKOMINFO": "Dinas Kominfo", "BAPPEDA": "=Bappeda"},
        as_of=AS_OF,
        kpi_period=Period(2025, 2),
        generated_at=NOW,
        summary=units,
        total=unit_summary(None, 4, 350, 120),
        detail=detail,
        matrix=matrix,
        priorities=priorities,
    )


def load(build: Any, data: Any) -> tuple[openpyxl.Workbook, bytes]:
    buffer = io.BytesIO()
    build(data, buffer)
    content = buffer.getvalue()
    return openpyxl.load_workbook(io.BytesIO(content)), content


def header(sheet: Worksheet, row: int = 1) -> list[Any]:
    return [c.value for c in sheet[row]]


def test_budget_gap_layout_formats_and_chart() -> None:
    book, content = load(build_budget_gap, budget_data(["Aksi satu", "Aksi dua", "Aksi tiga"]))
    assert book.sheetnames == [
        "Ringkasan",
        "Rincian",
        "Matriks 2022-2026",
        "Prioritas",
        "Keterangan",
    ]

    summary = book["Ringkasan"]
    assert header(summary)[:7] == [
        "Kode PD",
        "Nama PD",
        "Aksi Aktif",
        "Usulan",
        "Pagu",
        "Realisasi",
        "Selisih",
    ]
    assert [c.value for c in summary[4]][:7] == ["TOTAL", "Semua PD", 4, 350, 120, 60, 230]
    assert summary["D2"].number_format == MONEY
    assert summary["K3"].value == 1.0 and summary["K3"].number_format.endswith("%")
    assert summary["B2"].value == "=Bappeda" and summary["B2"].data_type == "s"
    assert len(summary._charts) == 1  # type: ignore[attr-defined]
    chart = zipfile.ZipFile(io.BytesIO(content)).read("xl/charts/chart1.xml").decode()
    # units top to bottom as in the table (categories reversed), and the Rupiah axis crossing
    # at the last unit: at the bottom of the chart, not moved to the top by the reversal
    category_axis = re.search(r"<c:catAx>.*</c:catAx>", chart, re.S)
    value_axis = re.search(r"<c:valAx>.*</c:valAx>", chart, re.S)
    assert category_axis and '<c:orientation val="maxMin"/>' in category_axis.group()
    assert value_axis and '<c:crosses val="max"/>' in value_axis.group()

    detail = book["Rincian"]
    assert header(detail) == [
        "Kode Aksi", "Aksi", "PD", "Nama PD", "Tahun", "Aktif", "Usulan", "Pagu",
        "Realisasi", "Selisih", "Status Anggaran", "Kode Flag",
    ]  # fmt: skip
    assert [c.value for c in detail[2]][9:] == [
        60,
        "Prioritas pendanaan; Pagu kurang dari usulan",
        "PRIORITAS, KURANG_PAGU",
    ]
    # an action-year without flags: a blank Kode Flag (filters list it as empty), not ""
    assert [c.value for c in detail[4]][10:] == ["Tanpa flag", None]
    assert all(detail.cell(r, c).number_format == MONEY for r in (2, 3, 4) for c in (7, 8, 9, 10))
    rules = [r.formula[0] for cf in detail.conditional_formatting for r in cf.rules if r.formula]
    assert any("PRIORITAS" in f for f in rules) and any("TANPA_PAGU" in f for f in rules)
    # workmanship of every sheet: test_every_sheet_prints_and_filters_well
    assert detail.auto_filter.ref == "A1:L4"

    matrix = book["Matriks 2022-2026"]
    assert header(matrix)[:8] == ["Kode Aksi", "Aksi", "PD", "2022", "2023", "2024", "2025", "2026"]
    assert [c.value for c in matrix[2]][3:8] == [
        "Didanai", "Sebagian didanai", "Tidak didanai", "Tidak aktif", "Didanai",
    ]  # fmt: skip
    assert matrix["D2"].fill.fgColor.rgb.endswith("C6EFCE")  # green
    assert matrix["F2"].fill.fgColor.rgb.endswith("FFC7CE")  # red
    legend = [matrix.cell(r, 10).value for r in range(1, 6)]
    assert legend == [
        "Keterangan warna",
        "Didanai",
        "Sebagian didanai",
        "Tidak didanai",
        "Tidak aktif",
    ]

    prio = book["Prioritas"]
    assert header(prio)[9] == "Nilai KPI (Triwulan II 2025)"
    row = [c.value for c in prio[2]]
    assert row[7:] == ["% Tanggapan Tepat Waktu", "DINKES", 0.615, 0.75, "Di bawah target"]
    assert prio["J2"].number_format.endswith("%")
    assert [c.value for c in prio[3]][9:] == [2.5, 4.0, "Memenuhi"]

    notes = book["Keterangan"]
    facts = {r[0].value: r[1].value for r in notes.iter_rows(min_row=3, max_row=10)}
    assert facts["KPI untuk PRIORITAS per tanggal"] == dt.datetime(2025, 6, 30)
    assert facts["Triwulan KPI untuk PRIORITAS"] == "Triwulan II 2025 (01/04/2025–30/06/2025)"
    assert facts["Dibuat pada (WITA)"] == dt.datetime(2025, 7, 1, 17, 30)
    assert facts["Tahun anggaran"] == 2025
    meanings = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    for flag in ("TANPA_PAGU", "KURANG_PAGU", "BELUM_USULAN", "PRIORITAS"):
        assert flag in meanings


def test_budget_gap_says_the_as_of_date_fixes_kpis_not_money() -> None:
    """Budget lines carry no date: a pagu recorded after the as-of day is in the workbook, so
    nothing may read as if the money were frozen at that day."""
    book, _ = load(build_budget_gap, budget_data(["Aksi satu", "Aksi dua"]))
    notes = book["Keterangan"]
    facts = {r[0].value: r[1].value for r in notes.iter_rows(min_row=3, max_row=10)}
    assert "Data per tanggal" not in facts
    money = facts["Usulan, pagu, realisasi"]
    assert money.startswith("Sesuai data saat laporan dibuat (lihat 'Dibuat pada')")
    assert "tidak dibekukan per tanggal KPI" in money
    assert "Dibuat pada (WITA)" in facts  # the moment that line points at
    assert "Batas akhir tahun" not in facts  # the KPIs are taken at the as-of date itself
    assert notes.row_dimensions[10].height > 15  # two lines: the whole sentence shows
    headers = {name: book[name].oddHeader.right.text for name in book.sheetnames}
    for name in ("Ringkasan", "Rincian", "Prioritas", "Keterangan"):
        assert headers[name] == "Tahun 2025 · semua PD · KPI untuk PRIORITAS per tanggal 30/06/2025"
    assert headers["Matriks 2022-2026"] == "semua PD · anggaran sesuai data saat laporan dibuat"


def test_budget_gap_prints_the_kpi_date_capped_at_the_year_end() -> None:
    """Asked after the report year, PRIORITAS compares the KPIs of 31 December: that is the
    date printed beside them (Keterangan, every page header), with the reason."""
    data = dataclasses.replace(
        budget_data(["Aksi satu", "Aksi dua"]),
        as_of=dt.date(2026, 3, 31),
        kpi_period=Period(2025, 4),
    )
    book, _ = load(build_budget_gap, data)
    notes = book["Keterangan"]
    assert [notes[f"A{r}"].value for r in range(7, 11)] == [
        "KPI untuk PRIORITAS per tanggal",
        "Batas akhir tahun",
        "Triwulan KPI untuk PRIORITAS",
        "Dibuat pada (WITA)",
    ]
    assert notes["B7"].value == dt.datetime(2025, 12, 31)
    assert notes["B7"].number_format == "dd/mm/yyyy"
    assert notes["B8"].value.startswith(
        "Tanggal data 31/03/2026 sesudah akhir tahun 2025: PRIORITAS tahun 2025 membandingkan "
        "KPI per 31/12/2025 (akhir tahun)"
    )
    assert notes.row_dimensions[8].height > 15  # the whole sentence shows
    assert notes["B9"].value == "Triwulan IV 2025 (01/10/2025–31/12/2025)"
    assert notes["B11"].value.startswith("Sesuai data saat laporan dibuat")
    for name in ("Ringkasan", "Rincian", "Prioritas", "Keterangan"):
        assert book[name].oddHeader.right.text == (
            "Tahun 2025 · semua PD · KPI untuk PRIORITAS per tanggal 31/12/2025 (akhir tahun)"
        )
    # 31 December itself is not capped
    book, _ = load(build_budget_gap, dataclasses.replace(data, as_of=dt.date(2025, 12, 31)))
    assert book["Keterangan"]["A8"].value == "Triwulan KPI untuk PRIORITAS"
    assert book["Prioritas"].oddHeader.right.text.endswith("per tanggal 31/12/2025")


def test_priorities_show_an_actions_money_once() -> None:
    """One row per linked KPI, but the money of an action on its first row only: totalling a
    (filtered) Usulan or Selisih column counts each action once."""
    data = budget_data(["Aksi satu", "Aksi dua"])
    second = ("A.02", "Aksi dua", "DISKOMINFO", 500, 0, 500, ["TANPA_PAGU", "PRIORITAS"])
    extra = pl.DataFrame(
        [
            (*second, "pct_followed_up", "DINKES", 40.0, 80.0, True),
            (*second, "pct_resolved", "DINKES", 10.0, 50.0, True),
            (*second, "pct_resolved", "PUPR", None, 50.0, None),
        ],
        schema=frames.PRIORITY_SCHEMA,
        orient="row",
    )
    data = dataclasses.replace(data, priorities=pl.concat([data.priorities, extra]))
    book, _ = load(build_budget_gap, data)
    prio = book["Prioritas"]
    table = [[c.value for c in row] for row in prio.iter_rows(min_row=2, max_row=6)]
    assert [r[:6] for r in table] == [
        ["A.01", "Aksi satu", "DISKOMINFO", 100, 40, 60],
        ["A.01", "Aksi satu", "DISKOMINFO", None, None, None],
        ["A.02", "Aksi dua", "DISKOMINFO", 500, 0, 500],
        ["A.02", "Aksi dua", "DISKOMINFO", None, None, None],
        ["A.02", "Aksi dua", "DISKOMINFO", None, None, None],
    ]
    assert sum(r[5] or 0 for r in table) == 60 + 500  # each action's gap once
    # every row still names its action and budget status, so filters keep working
    assert all(r[6] for r in table)
    assert [r[7] for r in table][2:] == [
        "% Ditindaklanjuti", "% Selesai", "% Selesai",
    ]  # fmt: skip
    assert prio["D3"].number_format == MONEY  # a formatted blank, not a stray text
    terms = {r[0].value: r[1].value for r in book["Keterangan"].iter_rows() if r[0].value}
    assert terms["Prioritas"].startswith("Satu baris per KPI yang ditautkan ke aksi.")
    assert "hanya ditulis pada baris pertama tiap aksi" in terms["Prioritas"]


def test_matrix_sheet_is_named_after_the_plan_period() -> None:
    data = budget_data(["Aksi satu", "Aksi dua"])
    years = [2025, 2026, 2027, 2028, 2029]
    matrix = data.matrix.select("action_code", "title", "unit_code").with_columns(
        pl.lit("DIDANAI").alias(str(y)) for y in years
    )
    data = dataclasses.replace(
        data, years=years, matrix=matrix, plan_code="RENAKSI-2025-2029", year=2027
    )
    book, _ = load(build_budget_gap, data)
    assert book.sheetnames == [
        "Ringkasan",
        "Rincian",
        "Matriks 2025-2029",
        "Prioritas",
        "Keterangan",
    ]
    sheet = book["Matriks 2025-2029"]
    assert header(sheet)[:8] == ["Kode Aksi", "Aksi", "PD", *map(str, years)]
    assert sheet.oddHeader.left.text == (
        "&BMatriks Pendanaan Rencana Aksi 2025–2029 — Kabupaten Kutai Timur"
    )
    headings = [r[0].value for r in book["Keterangan"].iter_rows() if r[1].value == "Arti"]
    assert headings == ["Flag", "Istilah", "Warna pada Matriks 2025-2029"]


@pytest.mark.parametrize("title", DANGEROUS)
def test_user_text_is_always_text(title: str) -> None:
    book, _ = load(build_budget_gap, budget_data([title, "Aksi dua", "Aksi tiga"]))
    for sheet, cell in (("Rincian", "B2"), ("Matriks 2022-2026", "B2"), ("Prioritas", "B2")):
        target = book[sheet][cell]
        # a CR is stored escaped (_x000D_, else XML would turn it into LF); openpyxl reads
        # the escape back undecoded
        assert target.value == title.replace("\r", "_x000D_")
        assert target.data_type == "s"
        # stays text after someone edits the cell in Excel and presses Enter
        assert target.quotePrefix


def test_workbooks_are_written_in_constant_memory_with_safe_options() -> None:
    assert WORKBOOK_OPTIONS == {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": True,
    }
    # constant memory writes row by row: a long table still comes back whole and in order
    buffer = io.BytesIO()
    build_budget_gap(budget_data([f"Aksi {i}" for i in range(1500)]), buffer)
    book = openpyxl.load_workbook(buffer, read_only=True)
    codes = [r[0] for r in book["Rincian"].iter_rows(min_row=2, values_only=True)]
    assert codes == [f"A.{i:02d}" for i in range(1, 1501)]


def test_row_writer_writes_what_write_cell_writes() -> None:
    """The fast row writer and the cell-by-cell one give the same sheet XML, row heights
    included, for every kind of value the reports write."""
    columns = [
        Column("Teks", 10),
        Column("Bungkus", 8, "wrap"),
        Column("Rp", 12, "money"),
        Column("Persen", 8, "pct"),
        Column("Tanggal", 10, "date"),
        Column("Waktu", 14, "datetime"),
        Column("Tahun", 6, "year"),
    ]
    rows: list[list[Any]] = [
        ["=1+1", "kata yang cukup panjang untuk dua baris", 1_500_000, 0.25, AS_OF, NOW, 2025],
        [None, None, None, None, None, None, None],
        ["", "", 0, float("nan"), AS_OF, NOW.replace(tzinfo=None), 2025],
        [12, 3.5, 2.5, 1, AS_OF, NOW, True],
        ["-x", "baris\nbaru dengan\ttab dan-tanda-hubung-panjang", -7, float("inf"), None, None, 0],
    ]

    def sheet_xml(write: Any) -> bytes:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, dict(WORKBOOK_OPTIONS))
        sheet = book.add_worksheet()
        write(sheet, Styles(book))
        book.close()
        return zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")

    def cell_by_cell(sheet: Any, styles: Styles) -> None:
        for row, values in enumerate(rows, start=1):
            fit_row(sheet, row, values, columns)
            total = row == len(rows)
            for col, (value, column) in enumerate(zip(values, columns, strict=True)):
                write_cell(sheet, row, col, value, column.kind, styles, total=total)

    def fast(sheet: Any, styles: Styles) -> None:
        writer = RowWriter(sheet, columns, styles)
        for row, values in enumerate(rows[:-1], start=1):
            writer.write(row, values)
        write_row(sheet, len(rows), rows[-1], columns, styles, total=True)

    assert sheet_xml(fast) == sheet_xml(cell_by_cell)
    with pytest.raises(ValueError, match="7 columns"):
        sheet_xml(lambda sheet, styles: write_row(sheet, 1, [1, 2], columns, styles))


def test_collector_is_paused_while_writing_and_back_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # an export inside another (or another thread's)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()  # switched off by someone else: left off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    build_budget_gap(budget_data(["Aksi satu"]), io.BytesIO())
    assert gc.isenabled()


def assert_prints_well(sheet: Worksheet) -> None:
    """A4 landscape, one page wide and as many down as needed, page numbers in the footer."""
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert setup.fitToWidth in (None, 1), sheet.title  # 1 is the default, left out of the XML
    assert setup.fitToHeight == 0, sheet.title
    assert sheet.oddFooter.center.text == "Halaman &P dari &N", sheet.title


def assert_table_layout(sheet: Worksheet, freeze: str) -> None:
    """A table sheet: header frozen (with the identifying columns), filter over the whole
    table, header repeated on every printed page, every column given its width."""
    assert_prints_well(sheet)
    assert sheet.freeze_panes == freeze, sheet.title
    assert sheet.print_title_rows == "$1:$1", sheet.title
    names = header(sheet)
    width = names.index(None) if None in names else len(names)  # a legend may follow a gap
    last_row = 1
    while sheet.cell(last_row + 1, 1).value is not None:
        last_row += 1
    if sheet.cell(last_row, 1).value == "TOTAL":
        last_row -= 1  # the total row stays out of the filter: sorting keeps it last
    assert last_row > 1, sheet.title
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(width)}{last_row}", sheet.title
    for col in range(1, width + 1):
        dims = [d for d in sheet.column_dimensions.values() if d.min <= col <= d.max]
        assert len(dims) == 1 and dims[0].customWidth, (sheet.title, col)
        assert 7 <= dims[0].width <= 60, (sheet.title, col, dims[0].width)


def test_every_sheet_prints_and_filters_well() -> None:
    budget, _ = load(build_budget_gap, budget_data(["Aksi satu", "Aksi dua", "Aksi tiga"]))
    tables = {"Ringkasan": "C2", "Rincian": "B2", "Matriks 2022-2026": "B2", "Prioritas": "B2"}
    assert set(budget.sheetnames) == {*tables, "Keterangan"}
    for name, freeze in tables.items():
        assert_table_layout(budget[name], freeze)
    assert_prints_well(budget["Keterangan"])

    data = dataclasses.replace(quarterly_data(), priorities=budget_data(["Aksi"]).priorities)
    quarterly, _ = load(build_quarterly, data)
    tables = {
        "KPI per PD": "C2",
        "Tren KPI": "B2",
        "Progres Renaksi": "B2",
        "Belum Melapor": "B2",
        "Prioritas Anggaran": "B2",
    }
    assert set(quarterly.sheetnames) == {*tables, "Ringkasan"}
    for name, freeze in tables.items():
        assert_table_layout(quarterly[name], freeze)
    assert_prints_well(quarterly["Ringkasan"])


def quarterly_data() -> QuarterlyData:
    def kpi_row(unit: str | None, received: int, pct: float | None) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(KPI_SCHEMA)
        row.update(
            unit_code=unit, period="2025-Q2", received=received, followed_up=received,
            resolved=0, response_on_time=0, response_late=0, pct_followed_up=pct,
            median_response_workdays=2.0,
        )  # fmt: skip
        return row

    kpis = pl.DataFrame(
        [kpi_row("DINKES", 10, 60.0), kpi_row("PUPR", 5, 90.0), kpi_row(None, 15, 70.0)],
        schema=KPI_SCHEMA,
    )
    trend = pl.concat(
        [kpis.filter(pl.col("unit_code").is_null()).with_columns(pl.lit(p).alias("period"))
         for p in ("Triwulan III 2024", "Triwulan IV 2024", "Triwulan I 2025", "Triwulan II 2025")]
    )  # fmt: skip
    progress = pl.DataFrame(
        [
            ("A.01", "=1+1", "DINKES", "Indikator", "Dokumen", "naik", 4.0, "BERJALAN", 2.0,
             50.0, "-kendala", "@tindak", "operator", NOW),
            ("A.02", "Aksi dua", "PUPR", "Indikator", "Persen", "turun", 10.0, None, None,
             None, None, None, None, None),
        ],
        schema=PROGRESS_SCHEMA,
        orient="row",
    )  # fmt: skip
    return QuarterlyData(
        kpi_labels=frames.kpi_labels(60),
        region="Kabupaten Kutai Timur",
        plan_code="RENAKSI-2022-2026",
        plan_name="Renaksi",
        year=2025,
        quarter=2,
        as_of=AS_OF,
        generated_at=NOW,
        unit_names={"DINKES": "Dinas Kesehatan", "PUPR": "Dinas PUPR"},
        kpis=kpis,
        targets=pl.DataFrame(
            [("DINKES", "pct_followed_up", 80.0), ("PUPR", "pct_followed_up", 85.0)],
            schema={"unit_code": pl.String, "kpi": pl.String, "target": pl.Float64},
            orient="row",
        ),
        trend=trend,
        progress=progress,
        gaps=pl.DataFrame([("PUPR", 1, 0, 1, "A.02")], schema=frames.GAPS_SCHEMA, orient="row"),
        priorities=pl.DataFrame(schema=frames.PRIORITY_SCHEMA),
        priority_period=Period(2025, 2),
        signer=Signer(
            name="Dr. Nama Pejabat",
            title="Kepala Dinas",
            nip="197001012000031001",
            place="Sangatta",
        ),
    )


def test_quarterly_layout_colours_chart_and_signature() -> None:
    book, content = load(build_quarterly, quarterly_data())
    assert book.sheetnames == [
        "Ringkasan", "KPI per PD", "Tren KPI", "Progres Renaksi", "Belum Melapor",
        "Prioritas Anggaran",
    ]  # fmt: skip

    kpi = book["KPI per PD"]
    names = header(kpi)
    assert names[:6] == [
        "Kode PD", "Nama PD", "Pengaduan Diterima", "Ditindaklanjuti", "% Ditindaklanjuti",
        "Target % Ditindaklanjuti",
    ]  # fmt: skip
    assert [c.value for c in kpi[2]][:6] == ["DINKES", "Dinas Kesehatan", 10, 10, 0.6, 0.8]
    assert [c.value for c in kpi[4]][:6] == ["TOTAL", "Kabupaten Kutai Timur", 15, 15, 0.7, None]
    assert kpi["E2"].number_format.endswith("%")
    rules = [r.formula[0] for cf in kpi.conditional_formatting for r in cf.rules]
    assert "AND(ISNUMBER(E2),ISNUMBER(F2),E2>=F2)" in rules
    assert "AND(ISNUMBER(E2),ISNUMBER(F2),E2<F2)" in rules

    trend = book["Tren KPI"]
    assert header(trend) == [
        "KPI (total kabupaten)", "Triwulan III 2024", "Triwulan IV 2024", "Triwulan I 2025",
        "Triwulan II 2025",
    ]  # fmt: skip
    assert [c.value for c in trend[4]] == ["% Ditindaklanjuti", 0.7, 0.7, 0.7, 0.7]
    assert len(trend._charts) == 2  # type: ignore[attr-defined]
    chart_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/charts/chart1.xml").decode()
    assert "<c:lineChart>" in chart_xml

    progress = book["Progres Renaksi"]
    first = [c.value for c in progress[2]]
    assert first[1] == "=1+1" and progress["B2"].data_type == "s"
    assert first[6:12] == [4, 2, 0.5, "Berjalan", "-kendala", "@tindak"]
    assert first[13] == dt.datetime(2025, 7, 1, 17, 30)  # shown in WITA
    assert [c.value for c in progress[3]][9] == "Belum melapor"

    assert [c.value for c in book["Belum Melapor"][2]] == ["PUPR", "Dinas PUPR", 1, 0, 1, "A.02"]
    last = book["Prioritas Anggaran"]
    assert last["A2"].value == "Tidak ada aksi PRIORITAS pada tahun ini."
    block = [last.cell(r, 8).value for r in range(5, 12)]
    assert block == [
        "Sangatta, 30 Juni 2025", "Kepala Dinas", None, None, None, "Dr. Nama Pejabat",
        "NIP. 197001012000031001",
    ]  # fmt: skip
    cover = {r[0].value: r[1].value for r in book["Ringkasan"].iter_rows(min_row=4, max_row=18)}
    assert cover["Pengaduan dan progres per tanggal"] == dt.datetime(2025, 6, 30)
    assert cover["KPI untuk PRIORITAS per tanggal"] == dt.datetime(2025, 6, 30)
    assert book["Ringkasan"]["C8"].value is None  # the as-of date itself: nothing to explain
    reading = {r[0].value: r[1].value for r in book["Ringkasan"].iter_rows(min_row=19)}
    assert (
        "Usulan, pagu dan selisih sesuai data saat laporan dibuat" in reading["Prioritas anggaran"]
    )
    notes = {name: book[name].oddHeader.right.text for name in book.sheetnames[1:]}
    assert notes["KPI per PD"] == "Triwulan II 2025 · Pengaduan dan progres per tanggal 30/06/2025"
    assert notes["Prioritas Anggaran"] == (
        "Triwulan II 2025 · KPI untuk PRIORITAS per tanggal 30/06/2025"
    )
    assert cover["Aksi yang sudah dilaporkan triwulan ini"] == 1
    assert cover["Pengaduan ditindaklanjuti"] == 0.7


def test_quarterly_prints_the_priority_kpi_date_capped_at_the_year_end() -> None:
    """Asked in 2026, the 2025 report counts complaints and progress as of that day, but
    PRIORITAS compares the KPIs of 31/12/2025: the cover and the page header say so."""
    data = dataclasses.replace(
        quarterly_data(), as_of=dt.date(2026, 1, 15), priority_period=Period(2025, 4)
    )
    book, _ = load(build_quarterly, data)
    cover = book["Ringkasan"]
    assert [(cover[f"A{r}"].value, cover[f"B{r}"].value) for r in (7, 8)] == [
        ("Pengaduan dan progres per tanggal", dt.datetime(2026, 1, 15)),
        ("KPI untuk PRIORITAS per tanggal", dt.datetime(2025, 12, 31)),
    ]
    assert cover["B8"].number_format == "dd/mm/yyyy"
    assert cover["C8"].value.startswith(
        "Tanggal data 15/01/2026 sesudah akhir tahun 2025: PRIORITAS tahun 2025 membandingkan "
        "KPI per 31/12/2025 (akhir tahun)"
    )
    assert cover["C8"].alignment.wrap_text
    reading = {r[0].value: r[1].value for r in cover.iter_rows(min_row=20)}
    assert "paling lambat akhir tahun laporan" in reading["Prioritas anggaran"]
    headers = {name: book[name].oddHeader.right.text for name in book.sheetnames[1:]}
    assert (
        headers["KPI per PD"] == "Triwulan II 2025 · Pengaduan dan progres per tanggal 15/01/2026"
    )
    assert headers["Prioritas Anggaran"] == (
        "Triwulan II 2025 · KPI untuk PRIORITAS per tanggal 31/12/2025 (akhir tahun)"
    )
