"""*Detail aksi* shows each linked KPI over the last quarters with complaints, with the target:
a table and a small SVG line, the same numbers as the KPI API."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.formatting import quarter_name
from renaksi.lapor import service as lapor
from renaksi.lapor.kpi import Period, latest_complete_quarter
from renaksi.plan import service as plan_service
from renaksi.reports.queries import previous_quarters
from renaksi.settings import Settings
from tests.integration.web_support import web_clients

Client = TestClient  # type: ignore[type-arg]
HEADER = (
    "No Tracking;Tanggal Laporan;Instansi Tujuan;Status;Tanggal Disposisi;Tanggal Tindak Lanjut"
)


@pytest.fixture
def web_as(settings: Settings, demo_loaded: Session) -> Iterator[Callable[..., Client]]:
    with web_clients(settings, demo_loaded) as login:
        yield login


def _complaint(tracking: str, period: Period, *, late: bool) -> str:
    """One DINKES complaint in the middle of ``period``, answered the next day or 3 weeks on."""
    day = period.start + timedelta(days=40)
    answered = day + timedelta(days=21 if late else 1)
    stamp = f"{day:%d/%m/%Y}"
    return (
        f"{tracking};{stamp} 08:00;Dinas Kesehatan;Ditindaklanjuti;{stamp} 09:00;"
        f"{answered:%d/%m/%Y} 10:00"
    )


def test_linked_kpi_shows_its_last_four_quarters_with_data_and_targets(
    web_as: Callable[..., Client], demo_loaded: Session, settings: Settings
) -> None:
    latest = latest_complete_quarter(lapor.today_wita())
    quarters = previous_quarters(latest, 9)  # oldest first
    # complaints in five quarters, with gaps; the oldest one is beyond the last four
    chosen = {quarters[0]: False, quarters[2]: True, quarters[3]: False, quarters[6]: True}
    chosen[quarters[7]] = False
    rows = [_complaint(f"TR-{i}", p, late=late) for i, (p, late) in enumerate(chosen.items())]
    data = "\n".join([HEADER, *rows]).encode()
    lapor.import_complaints(
        demo_loaded, data, file_name="tren.csv", settings=settings, actor=Actor.system()
    )
    action = next(
        a.id
        for a in plan_service.list_actions(
            demo_loaded, actor=Actor.system(), search="A.05.03"
        ).items
        if a.code == "A.05.03"  # linked to % on-time response of DINKES and DISDUKCAPIL
    )
    client = web_as("koordinator")
    html = client.get(f"/aksi/{action}").text
    section = html[html.index('id="kpi-terkait"') :]
    dinkes = section[: section.index("PD DISDUKCAPIL")]
    shown = [p for p in chosen if p != quarters[0]]  # newest four, oldest first
    names = re.findall(r"<tr><td>(Triwulan [IV]+ \d{4})</td>", dinkes)
    assert names == [quarter_name(p.year, p.quarter or 4) for p in shown]
    cells = re.findall(r'<td class="angka ?([a-z]*)">([^<]+)</td><td class="angka">', dinkes)
    assert [v for _, v in cells] == ["0%" if chosen[p] else "100%" for p in shown]
    # coloured against that year's target where the plan (2022–2026) sets one
    expected = [("merah" if chosen[p] else "hijau") if p.year <= 2026 else "" for p in shown]
    assert [c for c, _ in cells] == expected
    # the same numbers as the API
    for p in shown:
        api = client.get(f"/api/v1/kpis?year={p.year}&quarter={p.quarter}&unit=DINKES").json()
        assert api[0]["pct_response_on_time"] == (0.0 if chosen[p] else 100.0)
    assert "% Tanggapan Tepat Waktu" in dinkes
    line = re.search(r'<polyline points="([\d., ]+)" class="garis"/>', dinkes)
    assert line and len(line[1].split()) == 4  # one point per quarter shown
    if any(p.year <= 2026 for p in shown):
        assert re.search(r'<polyline points="[\d., ]+" class="target"/>', dinkes)
    rest = section[section.index("PD DISDUKCAPIL") :]
    assert "Belum ada pengaduan untuk PD DISDUKCAPIL" in rest
