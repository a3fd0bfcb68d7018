"""Report downloads over HTTP: attachment headers, content type, and errors in the one shape."""

import datetime as dt
from collections.abc import Callable

import pytest
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.lapor import service as lapor_service
from renaksi.reports.styles import XLSX_MEDIA_TYPE
from tests.integration.reports_support import open_book, rows


def test_both_workbooks_download_as_dated_attachments(
    demo_loaded: Session,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    response = client.get("/api/v1/reports/budget-gap.xlsx?year=2024&as_of=2024-12-31")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"] == (
        'attachment; filename="selisih-anggaran-2024-per-2024-12-31.xlsx"'
    )
    assert open_book(response.content).sheetnames[:2] == ["Ringkasan", "Rincian"]

    response = client.get(
        "/api/v1/reports/budget-gap.xlsx",
        params={"year": 2025, "unit": "DISKOMINFO", "as_of": "2025-03-31"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="selisih-anggaran-2025-diskominfo-per-2025-03-31.xlsx"'
    )

    response = client.get("/api/v1/reports/quarterly.xlsx?year=2024&quarter=4&as_of=2024-12-31")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"] == (
        'attachment; filename="laporan-triwulan-2024-tw4-per-2024-12-31.xlsx"'
    )
    assert open_book(response.content).sheetnames[-1] == "Prioritas Anggaran"


def test_report_errors_use_the_json_error_shape(
    demo_loaded: Session,
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    cases = [
        ("/api/v1/reports/budget-gap.xlsx?year=2031", 404, None),
        ("/api/v1/reports/budget-gap.xlsx?year=2024&unit=DINAS-ANTAH", 404, "unit"),
        ("/api/v1/reports/budget-gap.xlsx?year=2024&as_of=31-12-2024", 400, None),
        ("/api/v1/reports/quarterly.xlsx?year=2024&quarter=5", 400, None),
        ("/api/v1/reports/quarterly.xlsx?year=2024", 400, None),
        ("/api/v1/reports/quarterly.xlsx?year=2024&quarter=4&as_of=2024-09-30", 422, "as_of"),
        ("/api/v1/reports/quarterly.xlsx?year=2024&quarter=4&as_of=9999-12-31", 422, "as_of"),
        ("/api/v1/reports/budget-gap.xlsx?year=2024&as_of=0001-01-01", 422, "as_of"),
    ]
    for url, status, field in cases:
        response = client.get(url)
        assert response.status_code == status, (url, response.text)
        assert response.headers["content-type"].startswith("application/json"), url
        body = response.json()
        assert set(body) == {"status_code", "title", "detail", "errors"}, url
        assert "content-disposition" not in response.headers
        if field:
            assert body["errors"][0]["field"] == field, url


def test_a_planner_downloads_their_own_unit_only(
    demo_loaded: Session,
    client_as: Callable[..., TestClient],  # type: ignore[type-arg]
) -> None:
    planner = client_as("perencana", unit="DINKES")
    response = planner.get("/api/v1/reports/budget-gap.xlsx?year=2024&as_of=2024-12-31")
    assert response.status_code == 200, response.text
    assert (
        'filename="selisih-anggaran-2024-dinkes-per-2024-12-31.xlsx"'
        in (response.headers["content-disposition"])
    )
    detail = rows(open_book(response.content), "Rincian")
    assert detail and {r["PD"] for r in detail} == {"DINKES"}

    response = planner.get("/api/v1/reports/budget-gap.xlsx?year=2024&unit=PUPR")
    assert response.status_code == 403
    assert response.json()["status_code"] == 403
    # the quarterly report to the Bupati is not a planner's to download
    assert planner.get("/api/v1/reports/quarterly.xlsx?year=2024&quarter=4").status_code == 403


def test_future_dates_and_years_without_a_plan_are_refused(
    demo_loaded: Session,
    client: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 11, 29))
    cases = [
        ("/api/v1/reports/budget-gap.xlsx?year=2026&as_of=2027-01-05", 422, "as_of"),
        ("/api/v1/reports/quarterly.xlsx?year=2026&quarter=4&as_of=2027-03-31", 422, "as_of"),
        ("/api/v1/reports/quarterly.xlsx?year=2027&quarter=1", 404, None),
        ("/api/v1/reports/quarterly.xlsx?year=2027&quarter=1&as_of=2027-03-31", 404, None),
    ]
    for url, status, field in cases:
        response = client.get(url)
        assert response.status_code == status, (url, response.text)
        body = response.json()
        if field:
            assert body["errors"][0]["field"] == field, url
            assert "sesudah hari ini (2026-11-29, WITA)" in body["detail"], url
        else:
            assert body["detail"] == "Tidak ada rencana aksi yang mencakup tahun 2027.", url
    today = client.get("/api/v1/reports/budget-gap.xlsx?year=2026&as_of=2026-11-29")
    assert today.status_code == 200, today.text

    monkeypatch.setattr(lapor_service, "today_wita", lambda: dt.date(2026, 8, 15))
    response = client.get("/api/v1/reports/quarterly.xlsx?year=2026&quarter=4")
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("Triwulan IV 2026 belum dimulai")
    assert response.json()["errors"][0]["field"] == "quarter"
