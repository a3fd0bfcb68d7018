"""The quarterly report to the Bupati on the demo: KPIs as the KPI service computes them,
progress as reported by the as-of day, and the units still to report."""

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.budget.service import list_flags
from renaksi.codes import Flag, ProgressStatus
from renaksi.db.models import KpiLink, KpiTarget, Unit
from renaksi.errors import NotFoundError, ValidationError
from renaksi.lapor import service as lapor_service
from renaksi.lapor.kpi import LOWER_IS_BETTER
from renaksi.lapor.service import kpis
from renaksi.reports import frames
from renaksi.reports.quarterly import build_quarterly
from renaksi.reports.queries import quarterly_data
from renaksi.reports.service import write_quarterly
from renaksi.settings import Settings
from tests.integration.reports_support import AS_OF, add_report, load_complaints, open_book, rows

WITA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def reported(demo_loaded: Session, settings: Settings) -> Session:
    """Demo + complaints + a few progress reports around the end of 2024."""
    session = demo_loaded
    load_complaints(session, settings)
    q4 = {"year": 2024, "quarter": 4}
    add_report(
        session, "A.05.03", **q4, status=ProgressStatus.BERJALAN, progress_pct=60,
        reported_at=dt.datetime(2024, 12, 20, 10, tzinfo=WITA),
    )  # fmt: skip
    add_report(
        session, "A.05.03", **q4, status=ProgressStatus.SELESAI, progress_pct=100, achieved=12,
        problems="=SUM(1)", follow_up="Lanjut ke tahun depan",
        reported_at=dt.datetime(2024, 12, 31, 23, 30, tzinfo=WITA),
    )  # fmt: skip
    add_report(
        session, "A.06.05", **q4, status=ProgressStatus.BERJALAN, progress_pct=50,
        reported_at=dt.datetime(2024, 12, 2, tzinfo=WITA),
    )  # fmt: skip
    # filed after the as-of day: not seen in the frozen view
    add_report(
        session, "A.04.03", **q4, status=ProgressStatus.SELESAI,
        reported_at=dt.datetime(2025, 1, 1, 0, 30, tzinfo=WITA),
    )  # fmt: skip
    # another quarter: not this report's business
    add_report(
        session, "A.04.04", year=2024, quarter=3, status=ProgressStatus.SELESAI,
        reported_at=dt.datetime(2024, 9, 30, tzinfo=WITA),
    )  # fmt: skip
    return session


def _strictest_targets(session: Session) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    for unit, kpi, value in session.execute(
        sa.select(Unit.code, KpiLink.kpi, KpiTarget.value)
        .join(KpiLink, KpiLink.unit_id == Unit.id)
        .join(KpiTarget, KpiTarget.link_id == KpiLink.id)
        .where(KpiTarget.year == 2024)
    ):
        pick = min if kpi.value in LOWER_IS_BETTER else max
        found[(unit, kpi.value)] = pick(value, found.get((unit, kpi.value), value))
    return found


def test_quarterly_matches_kpis_progress_and_priorities(
    reported: Session, settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        settings,
        report_signer_name="Drs. Contoh Pejabat, M.Si.",
        report_signer_title="Kepala Diskominfo Staper",
        report_signer_nip="197001011990031001",
    )
    path = write_quarterly(
        reported, settings=settings, year=2024, quarter=4, as_of=AS_OF, out=tmp_path
    )
    assert path == tmp_path / "laporan-triwulan-2024-tw4-per-2024-12-31.xlsx"
    book = open_book(path)
    assert book.sheetnames == [
        "Ringkasan", "KPI per PD", "Tren KPI", "Progres Renaksi", "Belum Melapor",
        "Prioritas Anggaran",
    ]  # fmt: skip

    # KPIs: the units with complaints, a target or an active action (a unit of the plan with
    # no complaint shows 0), then the total, as the KPI service says
    service = kpis(reported, settings=settings, year=2024, quarter=4, as_of=AS_OF)
    targets = _strictest_targets(reported)
    progress_units = {r["PD"] for r in rows(book, "Progres Renaksi")}
    shown_units = {u for u, _ in targets} | progress_units
    expected = [k for k in service if k.unit_code and (k.received or k.unit_code in shown_units)]
    assert any(k.received == 0 for k in expected)
    expected.append(next(k for k in service if k.unit_code is None))
    shown = rows(book, "KPI per PD")
    assert [r["Kode PD"] for r in shown] == [k.unit_code or "TOTAL" for k in expected]
    for r, k in zip(shown, expected, strict=True):
        for kpi in frames.KPI_NAMES:
            got = r[frames.KPI_LABELS[kpi]]
            assert got == pytest.approx(frames.kpi_cell(kpi, getattr(k, kpi))), (k.unit_code, kpi)
    dinkes = next(r for r in shown if r["Kode PD"] == "DINKES")
    assert dinkes["Target % Tanggapan Tepat Waktu"] == pytest.approx(
        targets[("DINKES", "pct_response_on_time")] / 100
    )

    trend = {r["KPI (total kabupaten)"]: r for r in rows(book, "Tren KPI")}
    for quarter in (1, 2, 3, 4):
        total = next(
            k
            for k in kpis(reported, settings=settings, year=2024, quarter=quarter, as_of=AS_OF)
            if k.unit_code is None
        )
        label = f"Triwulan {('I', 'II', 'III', 'IV')[quarter - 1]} 2024"
        assert trend["Pengaduan Diterima"][label] == total.received
    assert len(book["Tren KPI"]._charts) == 2  # type: ignore[attr-defined]

    progress = {r["Kode Aksi"]: r for r in rows(book, "Progres Renaksi")}
    assert progress["A.05.03"]["Status"] == "Selesai"  # the latest report of the quarter
    assert progress["A.05.03"]["Progres"] == 1.0
    assert progress["A.05.03"]["Capaian"] == 12
    assert progress["A.05.03"]["Kendala"] == "=SUM(1)"
    assert progress["A.05.03"]["Tanggal Lapor (WITA)"] == dt.datetime(2024, 12, 31, 23, 30)
    assert progress["A.06.05"]["Progres"] == 0.5
    assert progress["A.04.03"]["Status"] == "Belum melapor"  # filed on 1 January
    assert progress["A.04.04"]["Status"] == "Belum melapor"  # reported for Q3 only

    missing = {r["Kode PD"]: r for r in rows(book, "Belum Melapor")}
    assert "INSPEKTORAT" not in missing  # both its actions reported
    assert missing["64.08.02"]["Aksi Belum Dilaporkan"] == "A.04.03"

    flags = list_flags(reported, year=2024, as_of=AS_OF, settings=settings)
    last = book["Prioritas Anggaran"]
    prio = rows(book, "Prioritas Anggaran")
    assert {r["Kode Aksi"] for r in prio} == {
        f.action_code for f in flags if Flag.PRIORITAS in f.flags
    }
    column = [c.value for c in last["H"]]
    start = column.index("Sangatta, 31 Desember 2024")
    assert column[start : start + 7] == [
        "Sangatta, 31 Desember 2024", "Kepala Diskominfo Staper", None, None, None,
        "Drs. Contoh Pejabat, M.Si.", "NIP. 197001011990031001",
    ]  # fmt: skip


def test_quarterly_cells_do_not_depend_on_the_generation_time(
    reported: Session, settings: Settings
) -> None:
    outputs = []
    for hour in (1, 20):
        data = quarterly_data(
            reported, settings=settings, year=2024, quarter=4, as_of=AS_OF,
            now=dt.datetime(2025, 3, 1, hour, tzinfo=dt.UTC),
        )  # fmt: skip
        buffer = io.BytesIO()
        build_quarterly(data, buffer)
        book = open_book(buffer.getvalue())
        outputs.append(
            {
                (s.title, c.coordinate): c.value
                for s in book.worksheets
                for row in s.iter_rows()
                for c in row
            }
        )
    changed = {
        k for k in outputs[0].keys() | outputs[1].keys() if outputs[0].get(k) != outputs[1].get(k)
    }
    assert changed == {("Ringkasan", "B9")}  # "Dibuat pada"


def test_as_of_before_the_quarter_is_refused(demo_loaded: Session, settings: Settings) -> None:
    with pytest.raises(ValidationError) as caught:
        quarterly_data(
            demo_loaded, settings=settings, year=2024, quarter=3, as_of=dt.date(2024, 6, 30)
        )
    assert caught.value.errors[0].field == "as_of"


def test_priority_kpis_after_the_year_are_dated_at_its_end(
    reported: Session, settings: Settings
) -> None:
    """Asked on 15/02/2025, the 2024-Q4 report counts complaints and progress as of that day,
    but PRIORITAS compares the KPIs of 31/12/2024: the cover and the header say so."""
    as_of = dt.date(2025, 2, 15)
    data = quarterly_data(reported, settings=settings, year=2024, quarter=4, as_of=as_of)
    buffer = io.BytesIO()
    build_quarterly(data, buffer)
    book = open_book(buffer.getvalue())
    cover = book["Ringkasan"]
    assert [cover[f"A{r}"].value for r in (7, 8)] == [
        "Pengaduan dan progres per tanggal",
        "KPI untuk PRIORITAS per tanggal",
    ]
    assert cover["B7"].value == dt.datetime(2025, 2, 15)
    assert cover["B8"].value == dt.datetime(2024, 12, 31)
    assert cover["C8"].value == (
        "Tanggal data 15/02/2025 sesudah akhir tahun 2024: PRIORITAS tahun 2024 membandingkan "
        "KPI per 31/12/2024 (akhir tahun), yaitu KPI triwulan lengkap terakhir tahun itu, "
        "bukan KPI per tanggal data."
    )
    headers = {name: book[name].oddHeader.right.text for name in book.sheetnames[1:]}
    assert (
        headers["KPI per PD"] == "Triwulan IV 2024 · Pengaduan dan progres per tanggal 15/02/2025"
    )
    assert headers["Prioritas Anggaran"] == (
        "Triwulan IV 2024 · KPI untuk PRIORITAS per tanggal 31/12/2024 (akhir tahun)"
    )
    prio = rows(book, "Prioritas Anggaran")
    assert prio and prio[0]["Nilai KPI (Triwulan IV 2024)"] is not None
    year_end = quarterly_data(reported, settings=settings, year=2024, quarter=4, as_of=AS_OF)
    buffer = io.BytesIO()
    build_quarterly(year_end, buffer)
    assert prio == rows(open_book(buffer.getvalue()), "Prioritas Anggaran")
    assert open_book(buffer.getvalue())["Ringkasan"]["C8"].value is None


def test_a_quarter_not_yet_ended_is_marked_provisional(
    reported: Session, settings: Settings
) -> None:
    """As of 15/11/2024 the Q4 figures are partial: the cover and every page header say so,
    and a finished quarter's report says nothing of the kind."""
    data = quarterly_data(
        reported, settings=settings, year=2024, quarter=4, as_of=dt.date(2024, 11, 15)
    )
    buffer = io.BytesIO()
    build_quarterly(data, buffer)
    book = open_book(buffer.getvalue())
    cover = book["Ringkasan"]
    assert cover["A7"].value == "Pengaduan dan progres per tanggal"
    assert cover["C7"].value.startswith(
        "Triwulan IV 2024 belum berakhir pada tanggal data (berakhir 31/12/2024): angka "
        "triwulan ini sementara"
    )
    assert book["KPI per PD"].oddHeader.right.text.endswith(
        "15/11/2024 (triwulan belum berakhir, angka sementara)"
    )
    finished = quarterly_data(reported, settings=settings, year=2024, quarter=4, as_of=AS_OF)
    buffer = io.BytesIO()
    build_quarterly(finished, buffer)
    book = open_book(buffer.getvalue())
    assert book["Ringkasan"]["C7"].value is None
    assert "sementara" not in book["KPI per PD"].oddHeader.right.text


def test_future_dates_and_quarters_are_refused_naming_the_reason(
    demo_loaded: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = dt.date(2026, 11, 29)
    monkeypatch.setattr(lapor_service, "today_wita", lambda: today)
    # a day still to come: the report would be signed "Sangatta, 31 Maret 2027"
    with pytest.raises(ValidationError) as caught:
        quarterly_data(
            demo_loaded, settings=settings, year=2026, quarter=4, as_of=dt.date(2027, 3, 31)
        )
    assert "sesudah hari ini (2026-11-29, WITA)" in caught.value.detail
    assert [e.field for e in caught.value.errors] == ["as_of"]
    # no plan covers 2027: that comes first, with or without a date
    for as_of in (None, dt.date(2026, 11, 29), dt.date(2027, 3, 31)):
        with pytest.raises(NotFoundError) as missing:
            quarterly_data(demo_loaded, settings=settings, year=2027, quarter=1, as_of=as_of)
        assert missing.value.detail == "Tidak ada rencana aksi yang mencakup tahun 2027."
    # the current quarter as of today is fine
    data = quarterly_data(demo_loaded, settings=settings, year=2026, quarter=4)
    assert data.as_of == today

    # in August, the fourth quarter has not started, whatever as-of is given
    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 8, 15))
    for as_of in (None, dt.date(2026, 8, 15), dt.date(2026, 7, 1)):
        with pytest.raises(ValidationError) as early:
            quarterly_data(demo_loaded, settings=settings, year=2026, quarter=4, as_of=as_of)
        assert early.value.detail == (
            "Triwulan IV 2026 belum dimulai: triwulan itu mulai 2026-10-01, hari ini 2026-08-15 "
            "(WITA)."
        )
        assert [(e.field, e.value) for e in early.value.errors] == [("quarter", "4")]
