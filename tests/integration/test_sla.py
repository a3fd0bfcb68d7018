"""SLA limits over the API: read by everyone, changed by an admin with If-Match, validated in
Bahasa Indonesia, audited, and counted by every KPI at once."""

from collections.abc import Callable

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.db.models import AuditLog
from renaksi.lapor import service as lapor
from renaksi.settings import Settings
from tests.integration.shapes import assert_error

Client = TestClient  # type: ignore[type-arg]
URL = "/api/v1/settings/sla"
HEADER = (
    "No Tracking;Tanggal Laporan;Instansi Tujuan;Status;Tanggal Disposisi;Tanggal Tindak Lanjut"
)
#: two DINKES complaints of June 2024 answered 2 and 4 working days after disposition
ANSWERED = [
    "SLA-1;03/06/2024 08:00;Dinas Kesehatan;Ditindaklanjuti;03/06/2024 09:00;05/06/2024 10:00",
    "SLA-2;03/06/2024 08:00;Dinas Kesehatan;Ditindaklanjuti;03/06/2024 09:00;07/06/2024 10:00",
]


def import_answered(session: Session, settings: Settings) -> None:
    """Complaints whose on-time rate depends on the response limit (2 of 2 at 5 days, 1 at 3)."""
    data = "\n".join([HEADER, *ANSWERED]).encode()
    lapor.import_complaints(
        session, data, file_name="sla.csv", settings=settings, actor=Actor.system()
    )


def on_time(client: Client, unit: str = "DINKES") -> float:
    response = client.get("/api/v1/kpis", params={"year": 2024, "quarter": 2, "unit": unit})
    assert response.status_code == 200, response.text
    value: float = response.json()[0]["pct_response_on_time"]
    return value


def test_defaults_come_from_the_environment_settings(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["response_workdays"] == 5 and body["complete_days"] == 60
    assert body["overridden"] == [] and body["defaults"]["verify_workdays"] == 3
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_admin_change_counts_in_the_kpis_and_is_audited(
    client: Client, units_loaded: Session, settings: Settings, engine: sa.Engine
) -> None:
    import_answered(units_loaded, settings)
    assert on_time(client) == 100.0
    tag = client.get(URL).headers["ETag"]
    changed = client.put(URL, json={"response_workdays": 3}, headers={"If-Match": tag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["response_workdays"] == 3
    assert changed.json()["overridden"] == ["response_workdays"]
    assert on_time(client) == 50.0
    # left out → back to the RENAKSI_SLA_* default
    reset = client.put(URL, json={}, headers={"If-Match": changed.headers["ETag"]})
    assert reset.json()["response_workdays"] == 5 and reset.json()["overridden"] == []
    assert on_time(client) == 100.0
    with engine.connect() as conn:
        history = conn.execute(
            sa.select(AuditLog.action, AuditLog.actor).where(AuditLog.entity == "app_setting")
        ).all()
    assert [a for a, _ in history] == ["create", "update"]
    assert {who for _, who in history} == {"admin-uji"}


def test_change_needs_a_current_if_match(client: Client) -> None:
    assert_error(client.put(URL, json={"complete_days": 30}), 428)
    tag = client.get(URL).headers["ETag"]
    assert client.put(URL, json={"complete_days": 30}, headers={"If-Match": tag}).status_code == 200
    stale = client.put(URL, json={"complete_days": 45}, headers={"If-Match": tag})
    assert_error(stale, 412)
    assert client.get(URL).json()["complete_days"] == 30


def test_out_of_range_limits_are_refused_in_indonesian(client: Client) -> None:
    tag = client.get(URL).headers["ETag"]
    for body, message in [
        ({"response_workdays": 0}, "minimal 1"),
        ({"response_workdays": 61}, "maksimal 60"),
        ({"complete_days": 1000}, "maksimal 365"),
        ({"complete_days": "enam puluh"}, "harus"),
        ({"sla_days": 3}, "tidak dikenal"),
    ]:
        response = client.put(URL, json=body, headers={"If-Match": tag})
        assert_error(response, 400)
        assert message in response.text, (body, response.text)
    assert client.get(URL).json()["overridden"] == []


def test_only_an_admin_changes_the_limits(
    client_as: Callable[..., Client], units_loaded: Session
) -> None:
    for role, unit in [("koordinator", None), ("bappeda", None), ("perencana", "DINKES")]:
        caller = client_as(role, unit=unit)
        read = caller.get(URL)
        assert read.status_code == 200
        refused = caller.put(
            URL, json={"response_workdays": 1}, headers={"If-Match": read.headers["ETag"]}
        )
        assert_error(refused, 403)
    assert caller.get(URL).json()["response_workdays"] == 5


def test_kpi_page_labels_the_completion_limit_in_force(
    client: Client, settings: Settings, session: Session
) -> None:
    from tests.integration.web_support import web_clients

    tag = client.get(URL).headers["ETag"]
    assert client.put(URL, json={"complete_days": 45}, headers={"If-Match": tag}).status_code == 200
    with web_clients(settings, session) as login:
        page = login("koordinator").get("/kinerja?tahun=2024&triwulan=2")
    assert page.status_code == 200
    assert "≤ 45 hari" in page.text and "≤ 60 hari" not in page.text


def test_workbooks_label_the_completion_limit_in_force(
    client: Client, demo_loaded: Session
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    tag = client.get(URL).headers["ETag"]
    assert client.put(URL, json={"complete_days": 45}, headers={"If-Match": tag}).status_code == 200
    response = client.get("/api/v1/reports/quarterly.xlsx", params={"year": 2024, "quarter": 2})
    assert response.status_code == 200, response.text
    book = load_workbook(BytesIO(response.content), read_only=True)
    texts = {
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    }
    assert "% Selesai ≤ 45 Hari" in texts and "% Selesai ≤ 60 Hari" not in texts
