"""The budget-gap workbook on the Kutai Timur demo: every number as the services compute it."""

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.budget.service import list_flags, summary
from renaksi.codes import Flag
from renaksi.db.models import Action
from renaksi.errors import NotFoundError, ValidationError
from renaksi.lapor import service as lapor_service
from renaksi.lapor.service import kpis
from renaksi.reports import frames
from renaksi.reports.budget_gap import build_budget_gap
from renaksi.reports.queries import budget_gap_data
from renaksi.reports.service import render_budget_gap, write_budget_gap
from renaksi.reports.styles import MONEY
from renaksi.settings import Settings
from tests.integration.reports_support import AS_OF, load_complaints, open_book, rows

MATRIX_LABEL = {
    Flag.TANPA_PAGU: "Tidak didanai",
    Flag.KURANG_PAGU: "Sebagian didanai",
}


@pytest.fixture
def demo_with_complaints(demo_loaded: Session, settings: Settings) -> Session:
    load_complaints(demo_loaded, settings)
    return demo_loaded


def test_budget_gap_matches_flags_summary_and_kpis(
    demo_with_complaints: Session, settings: Settings
) -> None:
    session = demo_with_complaints
    path = write_budget_gap(session, settings=settings, year=2024, as_of=AS_OF)
    assert path == settings.exports_dir / "selisih-anggaran-2024-per-2024-12-31.xlsx"
    book = open_book(path)
    assert book.sheetnames == [
        "Ringkasan",
        "Rincian",
        "Matriks 2022-2026",
        "Prioritas",
        "Keterangan",
    ]

    flags = list_flags(session, year=2024, as_of=AS_OF, settings=settings)
    detail = rows(book, "Rincian")
    assert [
        (r["Kode Aksi"], r["PD"], r["Tahun"], r["Usulan"], r["Pagu"], r["Realisasi"], r["Selisih"])
        for r in detail
    ] == [(f.action_code, f.unit_code, 2024, f.usulan, f.pagu, f.realisasi, f.gap) for f in flags]
    assert [r["Status Anggaran"] for r in detail] == [
        frames.flag_text([x.value for x in f.flags]) for f in flags
    ]
    assert {r["Kode Flag"] for r in detail} >= {"TANPA_PAGU", "KURANG_PAGU", "BELUM_USULAN"}
    assert any("PRIORITAS" in (r["Kode Flag"] or "") for r in detail)
    sheet = book["Rincian"]
    assert all(sheet.cell(r, 7).number_format == MONEY for r in range(2, len(detail) + 2))

    expected = summary(session, year=2024, as_of=AS_OF, settings=settings)
    ringkasan = rows(book, "Ringkasan")
    unit_rows, total = ringkasan[:-1], ringkasan[-1]
    assert [
        (
            r["Kode PD"],
            r["Aksi Aktif"],
            r["Usulan"],
            r["Pagu"],
            r["Realisasi"],
            r["Selisih"],
            r["Aksi Berpagu"],
        )
        for r in unit_rows
    ] == [
        (u.unit_code, u.active_actions, u.usulan, u.pagu, u.realisasi, u.gap, u.funded_actions)
        for u in expected.units
    ]
    for r, u in zip(unit_rows, expected.units, strict=True):
        assert r["Porsi Aksi Berpagu"] == pytest.approx(u.share_funded), u.unit_code
    t = expected.total
    assert (total["Kode PD"], total["Usulan"], total["Pagu"], total["Realisasi"], total["Selisih"]) == (
        "TOTAL", t.usulan, t.pagu, t.realisasi, t.gap,
    )  # fmt: skip
    assert total["Porsi Aksi Berpagu"] == pytest.approx(t.share_funded)
    unfunded = Counter(f.unit_code for f in flags if Flag.TANPA_PAGU in f.flags)
    assert {r["Kode PD"]: r["Aksi Tanpa Pagu"] for r in unit_rows} == {
        u.unit_code: unfunded.get(u.unit_code or "", 0) for u in expected.units
    }
    assert book["Ringkasan"]["D2"].number_format == MONEY
    assert len(book["Ringkasan"]._charts) == 1  # type: ignore[attr-defined]
    # the chart draws the Usulan (D) and Pagu (E) columns of every unit row, named by unit
    chart = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert (book["Ringkasan"]["D1"].value, book["Ringkasan"]["E1"].value) == ("Usulan", "Pagu")
    last = len(unit_rows) + 1
    refs = re.findall(r"<c:f>([^<]*)</c:f>", chart)
    assert refs == [
        "Ringkasan!$D$1",
        f"Ringkasan!$B$2:$B${last}",
        f"Ringkasan!$D$2:$D${last}",
        "Ringkasan!$E$1",
        f"Ringkasan!$B$2:$B${last}",
        f"Ringkasan!$E$2:$E${last}",
    ]

    matrix = {r["Kode Aksi"]: r for r in rows(book, "Matriks 2022-2026")}
    for f in flags:
        label = next(
            (MATRIX_LABEL[x] for x in (Flag.TANPA_PAGU, Flag.KURANG_PAGU) if x in f.flags), None
        )
        assert matrix[f.action_code]["2024"] in ({label} if label else {"Didanai", "Tidak aktif"})

    prio = rows(book, "Prioritas")
    assert {r["Kode Aksi"] for r in prio} == {
        f.action_code for f in flags if Flag.PRIORITAS in f.flags
    }
    q4 = {
        (k.unit_code, name): getattr(k, name)
        for k in kpis(session, settings=settings, year=2024, quarter=4, as_of=AS_OF)
        for name in frames.KPI_NAMES
    }
    value_header = "Nilai KPI (Triwulan IV 2024)"
    for r in prio:
        kpi = next(k for k, label in frames.KPI_LABELS.items() if label == r["KPI Terkait"])
        assert r[value_header] == pytest.approx(frames.kpi_cell(kpi, q4[(r["PD KPI"], kpi)]))
    assert "Di bawah target" in {r["Capaian KPI"] for r in prio}

    notes = {r[0].value: r[1].value for r in book["Keterangan"].iter_rows(min_row=3, max_row=10)}
    assert notes["KPI untuk PRIORITAS per tanggal"] == dt.datetime(2024, 12, 31)
    assert notes["PD"] == "Semua PD"
    assert notes["Triwulan KPI untuk PRIORITAS"].startswith("Triwulan IV 2024")
    assert notes["Usulan, pagu, realisasi"].startswith("Sesuai data saat laporan dibuat")


def test_unit_filter_and_a_formula_looking_title(
    demo_with_complaints: Session, settings: Settings
) -> None:
    session = demo_with_complaints
    session.execute(sa.update(Action).where(Action.code == "A.02.01").values(title="=1+1"))
    session.commit()
    report = render_budget_gap(
        session, settings=settings, year=2024, unit="DISKOMINFO", as_of=AS_OF
    )
    assert report.filename == "selisih-anggaran-2024-diskominfo-per-2024-12-31.xlsx"
    book = open_book(report.content)
    detail = rows(book, "Rincian")
    expected = list_flags(session, year=2024, unit="DISKOMINFO", as_of=AS_OF, settings=settings)
    assert [r["Kode Aksi"] for r in detail] == [f.action_code for f in expected]
    assert {r["PD"] for r in detail} == {"DISKOMINFO"}
    formula = next(r for r in detail if r["Kode Aksi"] == "A.02.01")
    assert formula["Aksi"] == "=1+1"
    row = next(c.row for c in book["Rincian"]["A"] if c.value == "A.02.01")
    assert book["Rincian"].cell(row, 2).data_type == "s"
    ringkasan = rows(book, "Ringkasan")
    assert [r["Kode PD"] for r in ringkasan] == ["DISKOMINFO", "TOTAL"]
    assert ringkasan[0]["Usulan"] == ringkasan[1]["Usulan"] == sum(f.usulan for f in expected)
    assert {r["PD"] for r in rows(book, "Matriks 2022-2026")} == {"DISKOMINFO"}

    with pytest.raises(NotFoundError):
        render_budget_gap(session, settings=settings, year=2024, unit="DINAS-ANTAH", as_of=AS_OF)


def _cells(content: bytes) -> dict[tuple[str, str], object]:
    book = open_book(content)
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    }


def test_same_database_and_as_of_give_the_same_cells(
    demo_with_complaints: Session, settings: Settings, tmp_path: Path
) -> None:
    outputs = []
    for hour in (8, 17):
        now = dt.datetime(2025, 1, 2, hour, tzinfo=dt.UTC)
        data = budget_gap_data(
            demo_with_complaints, settings=settings, year=2024, as_of=AS_OF, now=now
        )
        buffer = io.BytesIO()
        build_budget_gap(data, buffer)
        outputs.append(_cells(buffer.getvalue()))
    first, second = outputs
    changed = {key for key in first.keys() | second.keys() if first.get(key) != second.get(key)}
    assert changed == {("Keterangan", "B9")}  # "Dibuat pada": the generation time only


def test_kpis_asked_after_the_year_are_dated_at_its_end(
    demo_with_complaints: Session, settings: Settings
) -> None:
    """PRIORITAS for 2024 asked on 31/03/2025 compares the KPIs of 31/12/2024 (2024-Q4): the
    workbook prints that day and says why, not the as-of date asked for."""
    session = demo_with_complaints
    report = render_budget_gap(session, settings=settings, year=2024, as_of=dt.date(2025, 3, 31))
    assert report.filename == "selisih-anggaran-2024-per-2025-03-31.xlsx"
    book = open_book(report.content)
    notes = book["Keterangan"]
    assert notes["A7"].value == "KPI untuk PRIORITAS per tanggal"
    assert notes["B7"].value == dt.datetime(2024, 12, 31)
    assert notes["A8"].value == "Batas akhir tahun"
    assert notes["B8"].value == (
        "Tanggal data 31/03/2025 sesudah akhir tahun 2024: PRIORITAS tahun 2024 membandingkan "
        "KPI per 31/12/2024 (akhir tahun), yaitu KPI triwulan lengkap terakhir tahun itu, "
        "bukan KPI per tanggal data."
    )
    assert notes["B9"].value == "Triwulan IV 2024 (01/10/2024–31/12/2024)"
    header = "Tahun 2024 · semua PD · KPI untuk PRIORITAS per tanggal 31/12/2024 (akhir tahun)"
    for name in ("Ringkasan", "Rincian", "Prioritas", "Keterangan"):
        assert book[name].oddHeader.right.text == header, name
    # the very figures of the report as of 31/12/2024
    year_end = open_book(
        render_budget_gap(session, settings=settings, year=2024, as_of=AS_OF).content
    )
    assert rows(book, "Prioritas") == rows(year_end, "Prioritas")
    assert rows(book, "Prioritas")
    assert "Batas akhir tahun" not in [c.value for c in year_end["Keterangan"]["A"]]


def test_an_as_of_after_today_is_refused(
    demo_loaded: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day still to come would count Q4 2026 as complete (and list its PRIORITAS actions)."""
    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 11, 29))
    with pytest.raises(ValidationError) as caught:
        budget_gap_data(demo_loaded, settings=settings, year=2026, as_of=dt.date(2027, 1, 5))
    assert caught.value.detail.startswith(
        "Tanggal data (as_of / --as-of) 2027-01-05 sesudah hari ini (2026-11-29, WITA)"
    )
    assert [(e.field, e.value) for e in caught.value.errors] == [("as_of", "2027-01-05")]
    # today itself, given or by default, is a day with data
    for as_of in (dt.date(2026, 11, 29), None):
        data = budget_gap_data(demo_loaded, settings=settings, year=2026, as_of=as_of)
        assert data.as_of == data.kpi_as_of == dt.date(2026, 11, 29)
    # a year no plan covers says so first, whatever the date
    with pytest.raises(NotFoundError, match="Tidak ada rencana aksi yang mencakup tahun 2027"):
        budget_gap_data(demo_loaded, settings=settings, year=2027, as_of=dt.date(2027, 1, 5))
