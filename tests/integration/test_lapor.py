"""SP4N LAPOR! import, unmatched units, KPIs over CLI and API, and PRIORITAS."""

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import xlsxwriter
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.lapor.service import today_wita
from renaksi.settings import Settings
from tests.conftest import Cli, make_user
from tests.helpers import SEEDS, action, dump_database, write_workbook

HEADER = (
    "No Tracking;Tanggal Laporan;Kanal;Kategori;Instansi Tujuan;Status;Tanggal Disposisi;"
    "Tanggal Tindak Lanjut;Tanggal Selesai;Anonim;Nama Pelapor;No HP;Email;NIK;Alamat;"
    "Isi Laporan"
)
PERSONAL = [
    "Siti Rahmawati Contoh",
    "0812-9999-1234",
    "siti.contoh@example.invalid",
    "6408011234567890",
    "Jl. Yos Sudarso No. 99 Sangatta",
    "Jalan berlubang dekat pasar",
]


def lapor_csv(path: Path, rows: list[str], *, bom: bool = True) -> Path:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def row(
    tracking: str,
    submitted: str,
    unit: str,
    status: str,
    disposed: str = "",
    answered: str = "",
    closed: str = "",
    personal: list[str] = PERSONAL,
) -> str:
    return ";".join(
        [
            tracking,
            submitted,
            "WhatsApp",
            "PEKERJAAN UMUM DAN PENATAAN RUANG",
            unit,
            status,
            disposed,
            answered,
            closed,
            "Tidak",
            *personal,
        ]
    )


def _units(cli: Cli) -> None:
    assert cli("units", "import", str(SEEDS / "units.csv")).exit_code == 0


def test_semicolon_bom_export_imports_without_personal_data(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _units(cli)
    path = lapor_csv(
        tmp_path / "lapor.csv",
        [
            row(
                "#4000001",
                "03/06/2024 09:15",
                "Dinas Pekerjaan Umum dan Penataan Ruang",
                "Selesai",
                "03/06/2024 10:00",
                "05/06/2024 14:00",
                "15/06/2024 14:00",
            ),
            row(
                "4000002",
                "04-06-2024 08:00:00",
                "  diskominfo   staper ",
                "Ditindaklanjuti oleh Instansi",
                "04/06/2024 09:00",
                "06/06/2024 09:00",
            ),
            row(
                "4000003",
                "2024-06-05T10:00:00+08:00",
                "Dinas PU Kutim",
                "Belum Ditindaklanjuti",
                "05/06/2024 11:00",
            ),
        ],
    )
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "baru 3" in result.output
    assert "Dinas PU Kutim (1 pengaduan)" in result.output  # listed, not dropped

    dump = repr(dump_database(engine))
    for value in PERSONAL:
        assert value not in dump
    assert "4000001" in dump and "#4000001" not in dump

    before = dump_database(engine)
    again = cli("lapor", "import", str(path))
    assert again.exit_code == 0
    assert "baru 0, diubah 0, tetap 3" in again.output
    after = dump_database(engine)
    assert after["complaint"] == before["complaint"]
    assert len(after["import_batch"]) == 2  # each import is recorded


def test_bad_date_and_unknown_status_are_both_listed_and_nothing_is_written(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    _units(cli)
    before = dump_database(engine)
    path = lapor_csv(
        tmp_path / "bad.csv",
        [
            row("4000001", "03/06/2024 09:15", "DISKOMINFO", "Selesai"),
            row("4000002", "31/02/2024 09:15", "DISKOMINFO", "Selesai"),
            row("4000003", "03/06/2024 09:15", "DISKOMINFO", "Sedang Dipikirkan"),
            row("4000004", "03/06/2024 09:15", "DISKOMINFO", "Proses", answered="01/06/2024 10:00"),
        ],
    )
    result = cli("lapor", "import", str(path))
    assert result.exit_code != 0
    assert (
        "baris 3, kolom Tanggal Laporan" in result.output and "'31/02/2024 09:15'" in result.output
    )
    assert "baris 4, kolom Status" in result.output and "'Sedang Dipikirkan'" in result.output
    assert "baris 5, kolom Tanggal Tindak Lanjut" in result.output
    assert dump_database(engine) == before

    skipped = cli("lapor", "import", str(path), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "baru 1" in skipped.output and "ditolak 3" in skipped.output


def test_later_export_updates_changed_and_adds_new(
    cli: Cli, tmp_path: Path, client: TestClient
) -> None:  # type: ignore[type-arg]
    _units(cli)
    first = lapor_csv(
        tmp_path / "a.csv",
        [
            row("1", "03/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "03/06/2024 10:00"),
            row("2", "03/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "03/06/2024 10:00"),
        ],
    )
    assert cli("lapor", "import", str(first)).exit_code == 0
    second = lapor_csv(
        tmp_path / "b.csv",
        [
            row(
                "2",
                "03/06/2024 09:15",
                "DISKOMINFO",
                "Proses",
                "03/06/2024 10:00",
                "04/06/2024 10:00",
            ),
            row("3", "04/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "04/06/2024 10:00"),
        ],
    )
    result = cli("lapor", "import", str(second))
    assert "baru 1, diubah 1, tetap 0" in result.output
    batches = client.get("/api/v1/lapor/imports").json()
    assert [b["inserted"] for b in batches] == [1, 2]
    assert batches[0]["file_name"] == "b.csv" and len(batches[0]["sha256"]) == 64


def test_rows_stored_before_row_hash_are_compared_value_by_value(
    cli: Cli, tmp_path: Path, engine: sa.Engine
) -> None:
    """Complaints imported before migration 0007 have no row_hash: a re-import still tells
    unchanged from changed rows, and a changed row gets its hash."""
    _units(cli)
    rows = [
        row("11", "03/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "03/06/2024 10:00"),
        row("12", "03/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "03/06/2024 10:00"),
    ]
    first = lapor_csv(tmp_path / "a.csv", rows)
    assert cli("lapor", "import", str(first)).exit_code == 0
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE complaint SET row_hash = NULL"))
    assert "baru 0, diubah 0, tetap 2" in cli("lapor", "import", str(first)).output
    rows[1] = row(
        "12", "03/06/2024 09:15", "DISKOMINFO", "Proses", "03/06/2024 10:00", "04/06/2024 08:00"
    )
    second = lapor_csv(tmp_path / "b.csv", rows)
    assert "baru 0, diubah 1, tetap 1" in cli("lapor", "import", str(second)).output
    with engine.connect() as conn:
        hashes = dict(conn.execute(sa.text("SELECT tracking_id, row_hash FROM complaint")).all())
    assert hashes["11"] is None and hashes["12"] is not None
    assert "baru 0, diubah 0, tetap 2" in cli("lapor", "import", str(second)).output


def test_xlsx_export_imports(cli: Cli, tmp_path: Path) -> None:
    _units(cli)
    path = tmp_path / "lapor.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Laporan")
    sheet.write_row(0, 0, ["ID Laporan", "Nama Pelapor", "Waktu Laporan", "PD Tujuan", "STATUS"])
    sheet.write_row(1, 0, ["#77", "Budi Contoh", "03/06/2024 09:15", "DISKOMINFO", "proses"])
    book.close()
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "baru 1" in result.output


def test_alias_makes_unmatched_complaints_count(cli: Cli, tmp_path: Path) -> None:
    _units(cli)
    path = lapor_csv(
        tmp_path / "l.csv",
        [
            row(
                "1",
                "03/06/2024 09:15",
                "Dinas PU Kutim",
                "Proses",
                "03/06/2024 10:00",
                "04/06/2024 10:00",
            ),
        ],
    )
    cli("lapor", "import", str(path))
    kpi = json.loads(
        cli(
            "kpi",
            "--year",
            "2024",
            "--quarter",
            "2",
            "--unit",
            "PUPR",
            "--as-of",
            "2024-06-30",
            "--json",
        ).output
    )
    assert kpi[0]["received"] == 0
    assert "Dinas PU Kutim" in cli("lapor", "unmatched").output
    assert cli("units", "alias", "add", "PUPR", "Dinas PU Kutim").exit_code == 0
    kpi = json.loads(
        cli(
            "kpi",
            "--year",
            "2024",
            "--quarter",
            "2",
            "--unit",
            "PUPR",
            "--as-of",
            "2024-06-30",
            "--json",
        ).output
    )
    assert kpi[0]["received"] == 1
    assert "0 nama belum cocok" in cli("lapor", "unmatched").output


def test_cli_and_api_kpis_agree_one_object_per_unit_plus_total(
    cli: Cli, client: TestClient, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _units(cli)
    path = lapor_csv(
        tmp_path / "l.csv",
        [
            row(
                "1",
                "03/06/2024 09:15",
                "DISKOMINFO",
                "Selesai",
                "03/06/2024 10:00",
                "05/06/2024 10:00",
                "10/06/2024 10:00",
            ),
            row("2", "03/06/2024 09:15", "DISKOMINFO", "Terdisposisi", "03/06/2024 10:00"),
            row("3", "20/04/2024 09:15", "PUPR", "Proses", "22/04/2024 10:00", "23/04/2024 10:00"),
        ],
    )
    cli("lapor", "import", str(path))
    from_cli = json.loads(
        cli("kpi", "--year", "2024", "--quarter", "2", "--as-of", "2024-06-28", "--json").output
    )
    response = client.get(
        "/api/v1/kpis", params={"year": 2024, "quarter": 2, "as_of": "2024-06-28"}
    )
    assert response.status_code == 200
    assert response.json() == from_cli
    units = json.loads(cli("units", "list", "--json").output)
    assert [r["unit_code"] for r in from_cli] == [u["code"] for u in units] + [None]
    by_unit = {r["unit_code"]: r for r in from_cli}
    assert by_unit["DISKOMINFO"]["received"] == 2
    assert by_unit["DISKOMINFO"]["response_late"] == 1  # unanswered 19 working days
    assert by_unit["DISKOMINFO"]["pct_response_on_time"] == 50.0
    assert by_unit["BAPPEDA"]["received"] == 0
    assert by_unit["BAPPEDA"]["pct_followed_up"] is None
    assert by_unit[None]["received"] == 3
    assert by_unit[None]["period"] == "2024-Q2"


def test_prioritas_for_unfunded_action_whose_unit_misses_its_kpi(
    cli: Cli, client: TestClient, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _units(cli)
    book = write_workbook(
        tmp_path / "plan.xlsx",
        actions=[
            action("A.01", lead="PUPR"),
            action("A.02", lead="PUPR"),
            action("A.03", lead="DISKOMINFO"),
        ],
        budget=[
            ["A.01", 2024, "USULAN", "PAD", 100_000_000, None, None],  # TANPA_PAGU
            ["A.02", 2024, "USULAN", "PAD", 100_000_000, None, None],  # funded
            ["A.02", 2024, "DPA", "PAD", 100_000_000, None, None],
            ["A.03", 2024, "USULAN", "PAD", 100_000_000, None, None],
        ],  # TANPA_PAGU, KPI ok
        kpi=[
            ["A.01", "pct_response_on_time", None, 80, 80, 80, 80, 80],
            ["A.02", "pct_response_on_time", None, 80, 80, 80, 80, 80],
            ["A.03", "pct_response_on_time", None, 80, 80, 80, 80, 80],
        ],
    )
    assert cli("plan", "import", str(book)).exit_code == 0
    path = lapor_csv(
        tmp_path / "l.csv",
        [
            # PUPR: disposed 1 April, answered 23 April → late; DISKOMINFO answered next day
            row("1", "01/04/2024 09:00", "PUPR", "Proses", "01/04/2024 10:00", "23/04/2024 10:00"),
            row(
                "2",
                "01/04/2024 09:00",
                "DISKOMINFO",
                "Proses",
                "01/04/2024 10:00",
                "02/04/2024 10:00",
            ),
        ],
    )
    assert cli("lapor", "import", str(path)).exit_code == 0
    flags = {
        r["action_code"]: r["flags"]
        for r in json.loads(
            cli("flags", "--year", "2024", "--as-of", "2024-07-15", "--json").output
        )
    }
    assert flags["A.01"] == ["PRIORITAS", "TANPA_PAGU"]
    assert flags["A.02"] == []
    assert flags["A.03"] == ["TANPA_PAGU"]
    api = client.get(
        "/api/v1/flags", params={"year": 2024, "as_of": "2024-07-15", "flag": "PRIORITAS"}
    ).json()
    assert [r["action_code"] for r in api] == ["A.01"]
    # as of mid-June the latest complete quarter is Q1 2024, which had no complaints
    early = {
        r["action_code"]: r["flags"]
        for r in json.loads(
            cli("flags", "--year", "2024", "--as-of", "2024-06-15", "--json").output
        )
    }
    assert early["A.01"] == ["TANPA_PAGU"]


def test_prioritas_filter_on_actions_follows_the_apps_sla_settings(
    cli: Cli, settings: Settings, session: Session, tmp_path: Path
) -> None:
    """``/actions?flag=PRIORITAS`` and ``/flags`` judge the KPI with the same SLA limits: the
    app's own (here a 20-working-day response limit from the environment), not the defaults."""
    _units(cli)
    book = write_workbook(
        tmp_path / "plan.xlsx",
        actions=[action("A.01", lead="PUPR")],
        budget=[["A.01", 2024, "USULAN", "PAD", 100_000_000, None, None]],  # TANPA_PAGU
        kpi=[["A.01", "pct_response_on_time", None, 80, 80, 80, 80, 80]],
    )
    assert cli("plan", "import", str(book)).exit_code == 0
    # disposed 1 October 2024, answered 23 October: 16 working days, late at 5, on time at 20
    answer = row("1", "01/10/2024 09:00", "PUPR", "Proses", "01/10/2024 10:00", "23/10/2024 10:00")
    assert cli("lapor", "import", str(lapor_csv(tmp_path / "l.csv", [answer]))).exit_code == 0

    def prioritas(app_settings: Settings) -> tuple[list[str], list[str]]:
        token = make_user(
            session, f"koordinator-{app_settings.sla_response_workdays}", "koordinator"
        )
        with TestClient(create_app(app_settings)) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            query = {"year": 2024, "flag": "PRIORITAS"}
            flagged = client.get("/api/v1/flags", params=query).json()
            listed = client.get("/api/v1/actions", params=query).json()["items"]
        return [f["action_code"] for f in flagged], [a["code"] for a in listed]

    assert prioritas(settings) == (["A.01"], ["A.01"])
    assert prioritas(replace(settings, sla_response_workdays=20)) == ([], [])


def test_upload_over_http_follows_the_same_rules(
    cli: Cli, client: TestClient, engine: sa.Engine, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _units(cli)
    good = lapor_csv(
        tmp_path / "good.csv",
        [
            row(
                "1",
                "03/06/2024 09:15",
                "DISKOMINFO",
                "Proses",
                "03/06/2024 10:00",
                "04/06/2024 10:00",
            )
        ],
    )
    response = client.post(
        "/api/v1/lapor/imports", files={"file": ("good.csv", good.read_bytes(), "text/csv")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["inserted"] == 1
    before = dump_database(engine)
    bad = lapor_csv(tmp_path / "bad.csv", [row("2", "kemarin", "DISKOMINFO", "Entah")])
    response = client.post(
        "/api/v1/lapor/imports", files={"file": ("bad.csv", bad.read_bytes(), "text/csv")}
    )
    assert response.status_code == 422
    body = response.json()
    assert {e["column"] for e in body["errors"]} == {"Tanggal Laporan", "Status"}
    assert dump_database(engine) == before
    dry = client.post(
        "/api/v1/lapor/imports",
        data={"dry_run": "true"},
        files={"file": ("good.csv", good.read_bytes(), "text/csv")},
    )
    assert dry.json()["dry_run"] is True
    assert dump_database(engine) == before


def test_holidays_over_cli_and_api(cli: Cli, client: TestClient) -> None:  # type: ignore[type-arg]
    result = cli("calendar", "add", "2024-09-13", "HUT Kabupaten Kutai Timur")
    assert result.exit_code == 0, result.output
    listing = cli("calendar", "list", "--year", "2024").output
    assert "2024-09-13  lokal" in listing
    assert "2024-04-10  nasional  Hari Raya Idul Fitri" in listing
    api = client.get("/api/v1/holidays", params={"year": 2024}).json()
    assert {"date": "2024-09-13", "name": "HUT Kabupaten Kutai Timur", "source": "lokal"} in api
    assert (
        client.post("/api/v1/holidays", json={"date": "2024-09-13", "name": "x"}).status_code == 409
    )
    assert client.delete("/api/v1/holidays/2024-09-13").status_code == 204
    assert cli("calendar", "add", "kemarin", "x").exit_code != 0


def test_kpi_links_over_api(cli: Cli, client: TestClient) -> None:  # type: ignore[type-arg]
    _units(cli)
    assert cli("plan", "import", str(SEEDS / "renaksi-2022-2026.xlsx")).exit_code == 0
    action = client.get("/api/v1/actions", params={"q": "A.01.01"}).json()["items"][0]
    action_id = action["id"]
    created = client.post(
        f"/api/v1/actions/{action_id}/kpi-links",
        json={"kpi": "pct_followed_up", "targets": [{"year": 2024, "value": 90}]},
    )
    assert created.status_code == 201, created.text
    assert created.json()["unit"] == action["lead_unit"]
    again = client.post(f"/api/v1/actions/{action_id}/kpi-links", json={"kpi": "pct_followed_up"})
    assert again.status_code == 409
    outside = client.post(
        f"/api/v1/actions/{action_id}/kpi-links",
        json={"kpi": "pct_resolved", "targets": [{"year": 2031, "value": 90}]},
    )
    assert outside.status_code == 422
    links = client.get(f"/api/v1/actions/{action_id}/kpi-links").json()
    assert any(link["kpi"] == "pct_followed_up" for link in links)
    assert client.delete(f"/api/v1/kpi-links/{created.json()['id']}").status_code == 204


def test_absurd_as_of_dates_are_refused(client: TestClient, demo_loaded: object) -> None:  # type: ignore[type-arg]
    tomorrow = (today_wita() + dt.timedelta(days=1)).isoformat()
    for url in ("/api/v1/flags", "/api/v1/kpis", "/api/v1/summary", "/api/v1/lapor/warnings"):
        for as_of in ("0001-01-01", tomorrow):
            response = client.get(url, params={"year": 2024, "quarter": 4, "as_of": as_of})
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["field"] == "as_of"
    # a day that has not come would count its quarter complete and open complaints overdue
    refused = client.get("/api/v1/kpis", params={"year": 2024, "as_of": tomorrow}).json()
    assert refused["errors"][0]["message"].startswith("paling lambat hari ini")


def long_row(tracking: str, *, channel: str = "WhatsApp", category: str = "PU", unit: str) -> str:
    cells = [tracking, "03/06/2024 09:15", channel, category, unit, "Proses", "", "", "", "Tidak"]
    return ";".join([*cells, *PERSONAL])


def test_values_longer_than_their_column_are_listed_errors_on_cli_and_api(
    cli: Cli, client: TestClient, engine: sa.Engine, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    """Lengths come from the ``complaint`` columns: at the limit a value is stored whole, one
    character over it is a listed error (row, column, limit) — never a database error."""
    _units(cli)
    at_limit = lapor_csv(
        tmp_path / "pas.csv",
        [long_row("#" + "7" * 40, channel="K" * 60, category="A" * 200, unit="DISKOMINFO")],
    )
    assert "baru 1" in cli("lapor", "import", str(at_limit)).output
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT tracking_id, channel, category FROM complaint")).one()
    assert tuple(stored) == ("7" * 40, "K" * 60, "A" * 200)

    before = dump_database(engine)
    path = lapor_csv(
        tmp_path / "panjang.csv",
        [
            long_row("1", category="K" * 5000, unit="DISKOMINFO"),  # row 2
            long_row("#" + "2" * 41, unit="DISKOMINFO"),  # row 3
            long_row("3", channel="W" * 61, unit="DISKOMINFO"),  # row 4
            long_row("4", unit="Dinas " + "x" * 295),  # row 5: 301 characters
        ],
    )
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 2, result.output
    for where, limit in [
        ("baris 2, kolom Kategori", 200),
        ("baris 3, kolom No Tracking", 40),
        ("baris 4, kolom Kanal", 60),
        ("baris 5, kolom Instansi Tujuan", 300),
    ]:
        assert f"{where}: terlalu panjang, maksimal {limit} karakter" in result.output
    assert "K" * 5000 not in result.output  # the value is shown cut short
    assert dump_database(engine) == before

    response = client.post(
        "/api/v1/lapor/imports", files={"file": ("panjang.csv", path.read_bytes(), "text/csv")}
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "Kategori"),
        (3, "No Tracking"),
        (4, "Kanal"),
        (5, "Instansi Tujuan"),
    ]
    assert all("terlalu panjang" in e["message"] for e in errors)
    assert dump_database(engine) == before

    skipped = cli("lapor", "import", str(path), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "baru 0" in skipped.output and "ditolak 4" in skipped.output


def test_each_batch_records_who_imported_it(
    cli: Cli, client_as: Callable[..., TestClient], tmp_path: Path
) -> None:  # type: ignore[type-arg]
    """The API records the logged-in user, the CLI the operator (``cli:<os user>``)."""
    _units(cli)
    first = lapor_csv(tmp_path / "a.csv", [row("1", "03/06/2024 09:15", "DISKOMINFO", "Proses")])
    assert cli("lapor", "import", str(first)).exit_code == 0
    second = lapor_csv(tmp_path / "b.csv", [row("2", "03/06/2024 09:15", "DISKOMINFO", "Proses")])
    koordinator = client_as("koordinator", username="kord-lapor")
    response = koordinator.post(
        "/api/v1/lapor/imports", files={"file": ("b.csv", second.read_bytes(), "text/csv")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["imported_by"] == "kord-lapor"
    batches = koordinator.get("/api/v1/lapor/imports").json()
    assert [(b["file_name"], b["imported_by"]) for b in batches] == [
        ("b.csv", "kord-lapor"),
        ("a.csv", f"cli:{getpass.getuser()}"),
    ]


#: the audit's hand-checked export (odd header spacing and case, BOM, ';', mixed date
#: formats, personal columns), plus T8 (same-day follow-up) and T9 (a unit nobody knows)
CRAFTED = (
    "\ufeff no  tracking ;TANGGAL laporan;Instansi  Tujuan;status;Tanggal Disposisi;"
    "tanggal tindak lanjut;Tanggal Selesai;Nama Pelapor;No HP;Email;NIK;Alamat;Isi Laporan\n"
    + "\n".join(
        line + ";Budi Rahasia;081234567890;budi@secret.invalid;6408019999999999;Jl. R 7;Isi"
        for line in [
            # disposed Fri 5 April; 8–12 and 15 April are Idul Fitri → 1 working day; resolved
            "#T1;04/04/2024 10:00;Diskominfo Staper;Selesai;05/04/2024 14:30;16/04/2024 10:00;"
            "20/04/2024 09:00",
            # submitted on a Saturday, no disposition: the clock starts then → 0 working days
            "T2;06/04/2024 08:00;DISKOMINFO;dItIndAKlanjuti;;16/04/2024 10:00;",
            "T3;10/04/2024 08:00;DISKOMINFO;Arsip;;;",  # archived: not counted
            "T4;2024-05-02 09:00;diskominfo;PROSES;2024-05-03 09:00;;",  # PROSES, no follow-up
            "T5;03-06-2024;DISKOMINFO;Terdisposisi;03/06/2024 11:00;;",  # overdue, unanswered
            "T6;27/06/2024 08:00;DISKOMINFO;Terdisposisi;27/06/2024 09:00;;",  # still in time
            # 1 → 23 April: 10 working days → late; unresolved after more than 60 days
            "T7;01/04/2024 09:00;Dinas PUPR;Proses;01/04/2024 10:00;23/04/2024 10:00;",
            "T8;03/06/2024 08:00;Bappeda Kutim;Proses;03/06/2024 09:00;03/06/2024 15:00;",
            "T9;02/04/2024 08:00;Dinas Antah Berantah;Proses;02/04/2024 09:00;30/04/2024 10:00;",
        ]
    )
)


def kpi_row(
    unit: str | None, received: int, followed: int, resolved: int, on_time: int, late: int
) -> dict[str, object]:
    return {
        "unit_code": unit,
        "received": received,
        "followed_up": followed,
        "resolved": resolved,
        "response_on_time": on_time,
        "response_late": late,
    }


def test_hand_computed_kpis_agree_on_cli_and_api(
    cli: Cli, client: TestClient, engine: sa.Engine, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    """Idul Fitri weeks, a Saturday submission, a same-day follow-up, an archived complaint,
    a data-quality row, overdue and still-pending ones, as-of, nulls — each worked out by
    hand from domain.md, and CLI and API give the same numbers."""
    _units(cli)
    path = tmp_path / "ekspor.csv"
    path.write_text(CRAFTED, encoding="utf-8")
    assert "baru 9" in cli("lapor", "import", str(path)).output
    dump = repr(dump_database(engine))
    assert "Budi Rahasia" not in dump and "081234567890" not in dump

    def both(as_of: str) -> dict[str | None, dict[str, object]]:
        args = ("kpi", "--year", "2024", "--quarter", "2", "--as-of", as_of, "--json")
        result = cli(*args)
        assert result.exit_code == 0, result.output
        from_cli = json.loads(result.stdout)
        query = {"year": 2024, "quarter": 2, "as_of": as_of}
        assert client.get("/api/v1/kpis", params=query).json() == from_cli
        return {r["unit_code"]: r for r in from_cli}

    def counts(r: dict[str, object]) -> dict[str, object]:
        return {k: r[k] for k in kpi_row(None, 0, 0, 0, 0, 0)}

    end = both("2024-06-30")
    # T1 T2 T4 T5 T6 received (T3 archived); followed T1 T2; on time T1 (1 day), T2 (0);
    # late T5 (18 working days unanswered); T6 (2 days) and T4 (no time) in neither
    assert counts(end["DISKOMINFO"]) == kpi_row("DISKOMINFO", 5, 2, 1, 2, 1)
    assert end["DISKOMINFO"]["pct_followed_up"] == 50.0  # 2 of 4: T4 cannot be placed
    assert end["DISKOMINFO"]["pct_resolved"] == 20.0
    assert end["DISKOMINFO"]["pct_response_on_time"] == pytest.approx(200 / 3)
    assert end["DISKOMINFO"]["median_response_workdays"] == 0.5
    assert end["DISKOMINFO"]["pct_resolved_within_60d"] == 50.0  # T1 of T1, T2
    assert counts(end["PUPR"]) == kpi_row("PUPR", 1, 1, 0, 0, 1)
    assert end["PUPR"]["median_response_workdays"] == 10.0
    assert end["PUPR"]["pct_resolved_within_60d"] == 0.0
    assert counts(end["BAPPEDA"]) == kpi_row("BAPPEDA", 1, 1, 0, 1, 0)  # same day: on time
    assert end["BAPPEDA"]["median_response_workdays"] == 0.0
    assert end["BAPPEDA"]["pct_resolved_within_60d"] is None  # nothing old enough yet
    # the total: matched complaints only (T9 is not counted)
    assert counts(end[None]) == kpi_row(None, 7, 4, 1, 3, 2)
    assert end[None]["pct_followed_up"] == pytest.approx(100 * 4 / 6)
    assert end[None]["pct_resolved"] == pytest.approx(100 / 7)
    assert end[None]["pct_response_on_time"] == 60.0
    assert end[None]["median_response_workdays"] == 0.5  # of 1, 0, 10, 0
    assert end[None]["pct_resolved_within_60d"] == pytest.approx(100 / 3)  # T1 of T1 T2 T7
    assert end["BPBD"]["received"] == 0 and end["BPBD"]["pct_followed_up"] is None

    # as of 15 April: T1's and T2's follow-ups (16 April) have not happened yet
    early = both("2024-04-15")
    assert early["DISKOMINFO"] == {
        **kpi_row("DISKOMINFO", 2, 0, 0, 0, 0),
        "period": "2024-Q2",
        "pct_followed_up": 0.0,
        "pct_resolved": 0.0,
        "pct_response_on_time": None,
        "median_response_workdays": None,
        "pct_resolved_within_60d": None,
    }
    assert counts(early["PUPR"]) == kpi_row("PUPR", 1, 0, 0, 0, 0)  # 5 working days: not late
    assert early["BAPPEDA"]["received"] == 0

    warnings = client.get(
        "/api/v1/lapor/warnings", params={"year": 2024, "quarter": 2, "as_of": "2024-06-30"}
    )
    assert warnings.json() == [
        {
            "tracking_id": "T4",
            "unit_code": "DISKOMINFO",
            "status": "PROSES",
            "message": "status sudah ditindaklanjuti tetapi tanpa tanggal tindak lanjut",
        }
    ]
    stderr = cli("kpi", "--year", "2024", "--quarter", "2", "--as-of", "2024-06-30").stderr
    assert "Peringatan kualitas data (1 pengaduan)" in stderr and "T4 (DISKOMINFO" in stderr
    unmatched = client.get("/api/v1/lapor/unmatched").json()
    assert unmatched == [{"name": "Dinas Antah Berantah", "complaints": 1}]


def test_an_upload_over_the_size_limit_is_refused_with_413(
    cli: Cli, settings: Settings, session: Session, engine: sa.Engine, tmp_path: Path
) -> None:
    _units(cli)
    rows = [row(str(i), "03/06/2024 09:15", "DISKOMINFO", "Proses") for i in range(20)]
    data = lapor_csv(tmp_path / "besar.csv", rows).read_bytes()
    assert len(data) > 1000
    token = make_user(session, "koordinator-besar", "koordinator")
    before = dump_database(engine)
    with TestClient(create_app(replace(settings, max_upload_bytes=1000))) as small:
        small.headers["Authorization"] = f"Bearer {token}"
        response = small.post(
            "/api/v1/lapor/imports", files={"file": ("besar.csv", data, "text/csv")}
        )
        assert response.status_code == 413, response.text
        body = response.json()
        assert body["status_code"] == 413 and body["detail"] == "Berkas terlalu besar."
        assert set(body) == {"status_code", "title", "detail", "errors"}
        assert dump_database(engine) == before
        fits = lapor_csv(tmp_path / "kecil.csv", rows[:2]).read_bytes()
        assert len(fits) <= 1000
        ok = small.post("/api/v1/lapor/imports", files={"file": ("kecil.csv", fits, "text/csv")})
        assert ok.status_code == 201, ok.text


def test_skip_invalid_batch_keeps_rejected_rows_with_reasons(
    cli: Cli, client: TestClient, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _units(cli)
    path = lapor_csv(
        tmp_path / "campur.csv",
        [
            row("5000001", "03/06/2024 09:15", "DISKOMINFO", "Selesai"),
            row("5000002", "31/02/2024 09:15", "DISKOMINFO", "Selesai"),
            row("5000003", "03/06/2024 09:15", "Dinas Entah", "Sedang Dipikirkan"),
            row("5000004", "03/06/2024 09:15", "Dinas Entah", "Proses"),
        ],
    )
    result = cli("lapor", "import", str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "ditolak baris 3: Tanggal Laporan: tanggal tidak dapat dibaca" in result.output
    [batch] = client.get("/api/v1/lapor/imports").json()
    assert batch["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (batch["rows_read"], batch["inserted"], batch["rejected"]) == (4, 2, 2)
    assert batch["rejected_rows"] == [
        {
            "row": 3,
            "errors": [
                "Tanggal Laporan: tanggal tidak dapat dibaca (pakai dd/mm/yyyy [HH:MM] atau "
                "ISO 8601) (31/02/2024 09:15)"
            ],
        },
        {
            "row": 4,
            "errors": [
                "Status: label status tidak dikenal; tambahkan ke tabel label status "
                "(Sedang Dipikirkan)"
            ],
        },
    ]
    # the rejected row's unit name is not counted: only the stored complaint's
    assert batch["unmatched_units"] == [{"name": "Dinas Entah", "complaints": 1}]


def test_status_label_file_works_and_a_bad_one_is_a_clear_error(
    cli: Cli, engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _units(cli)
    path = lapor_csv(tmp_path / "l.csv", [row("1", "03/06/2024 09:15", "DISKOMINFO", "Dikaji")])
    labels = tmp_path / "label.csv"
    monkeypatch.setenv("RENAKSI_STATUS_LABELS_FILE", str(labels))
    labels.write_text("label,status\nx,DIPROSES\n", encoding="utf-8")
    before = dump_database(engine)
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Tabel label status" in result.output and "label.csv" in result.output
    assert "sheet label.csv, baris 2, kolom status" in result.output
    assert "'DIPROSES'" in result.output
    assert dump_database(engine) == before

    labels.write_text("label,status\nDikaji,TERDISPOSISI\n", encoding="utf-8")
    assert "baru 1" in cli("lapor", "import", str(path)).output


def test_kpi_api_description_explains_the_left_out_complaints(client: TestClient) -> None:  # type: ignore[type-arg]
    paths = client.get("/schema/openapi.json").json()["paths"]
    [kpis] = [p for path, p in paths.items() if path.rstrip("/") == "/api/v1/kpis"]
    description = kpis["get"]["description"]
    assert "peringatan kualitas data" in description and "/api/v1/lapor/warnings" in description
    assert "100 × `followed_up` / `received`" in description


def test_xlsx_with_date_cells_and_numeric_tracking_ids(
    cli: Cli, engine: sa.Engine, tmp_path: Path
) -> None:
    """What real exports hold: date cells (WITA) and tracking numbers stored as numbers."""
    _units(cli)
    path = tmp_path / "lapor.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Laporan")
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, ["No Tracking", "Tanggal Laporan", "Instansi Tujuan", "Status", "NIK"])
    sheet.write_number(1, 0, 5000001)
    sheet.write_datetime(1, 1, dt.datetime(2024, 4, 5, 14, 30), when)
    sheet.write_row(1, 2, ["DISKOMINFO", "Proses", "6408011234567890"])
    book.close()
    result = cli("lapor", "import", str(path))
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        tracking, submitted = conn.execute(
            sa.text("SELECT tracking_id, submitted_at FROM complaint")
        ).one()
    assert tracking == "5000001"
    if isinstance(submitted, str):  # SQLite hands the stored text back
        submitted = dt.datetime.fromisoformat(submitted)
    assert submitted.replace(tzinfo=None) == dt.datetime(2024, 4, 5, 6, 30)  # 14:30 WITA
    assert "6408011234567890" not in repr(dump_database(engine))
