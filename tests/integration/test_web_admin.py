"""The admin page's forms, as a user sees them: users, units and aliases, SLA limits, holidays,
locks. What was typed stays after an error, the message sits beside its field, a refused form
changes nothing, and only the roles the API allows get through."""

import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.lapor import service as lapor
from renaksi.settings import Settings
from tests.conftest import PASSWORD, make_user
from tests.helpers import dump_database
from tests.integration.test_sla import import_answered
from tests.integration.web_support import csrf_of, log_in, web_clients

Client = TestClient  # type: ignore[type-arg]
NEW_USER = {
    "username": "rina.dinkes",
    "full_name": "Rina Perencana",
    "role": "perencana",
    "unit": "DINKES",
    "password": "sandi-awal-yang-panjang",
}


@pytest.fixture
def web_as(settings: Settings, demo_loaded: Session) -> Iterator[Callable[..., Client]]:
    with web_clients(settings, demo_loaded) as login:
        yield login


@pytest.fixture
def admin(web_as: Callable[..., Client]) -> Client:
    return web_as("admin")


def _post(client: Client, path: str, form: dict[str, str], page: str = "/admin") -> Client:
    """POST a form with the CSRF token of the page it sits on; the response, not followed."""
    return client.post(  # type: ignore[no-any-return]
        path, data={"_csrf": csrf_of(client.get(page).text), **form}, follow_redirects=False
    )


def _galat(html: str, name: str) -> str:
    """The message shown beside field ``name``."""
    found = re.search(rf'<span class="galat-isian" id="galat-{name}">([^<]*)</span>', html)
    assert found, f"no message beside {name}"
    return found[1]


def _hidden(html: str, action: str, name: str) -> str:
    form = html[html.index(f'action="{action}"') :]
    found = re.search(rf'name="{name}" value="([^"]*)"', form)
    assert found
    return found[1]


# --- users -----------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_then_log_in(admin: Client, settings: Settings) -> None:
    created = _post(admin, "/admin/pengguna", NEW_USER)
    assert created.status_code == 303 and created.headers["location"] == "/admin"
    page = admin.get("/admin").text
    assert "Pengguna rina.dinkes (Perencana PD untuk PD DINKES) ditambahkan" in page
    assert "Rina Perencana" in page
    with TestClient(create_app(settings)) as browser:
        log_in(browser, "rina.dinkes", NEW_USER["password"])
        assert "rina.dinkes · Perencana PD · DINKES" in browser.get("/beranda").text


def test_user_form_error_keeps_what_was_typed_and_changes_nothing(
    admin: Client, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    no_unit = _post(admin, "/admin/pengguna", {**NEW_USER, "unit": ""})
    assert no_unit.status_code == 422
    assert _galat(no_unit.text, "unit") == "wajib untuk perencana"
    assert 'value="rina.dinkes"' in no_unit.text and 'value="Rina Perencana"' in no_unit.text
    assert NEW_USER["password"] not in no_unit.text  # a password is never sent back
    short = _post(admin, "/admin/pengguna", {**NEW_USER, "password": "pendek"})
    assert short.status_code == 422 and "galat-password" in short.text
    bad_name = _post(admin, "/admin/pengguna", {**NEW_USER, "username": "nama dengan spasi"})
    assert bad_name.status_code == 422 and _galat(bad_name.text, "username")
    assert 'value="nama dengan spasi"' in bad_name.text
    taken = _post(admin, "/admin/pengguna", {**NEW_USER, "username": "admin-web-0"})
    assert taken.status_code == 409
    assert _galat(taken.text, "username") == "nama pengguna sudah dipakai"
    assert dump_database(engine) == before


def test_admin_disables_a_user_whose_session_then_ends(
    admin: Client, settings: Settings, demo_loaded: Session
) -> None:
    make_user(demo_loaded, "bambang", "bappeda")
    with TestClient(create_app(settings)) as browser:
        log_in(browser, "bambang")
        assert browser.get("/beranda").status_code == 200
        page = admin.get("/admin").text
        row = page[page.index("<td>bambang</td>") :]
        found = re.search(r'action="(/admin/pengguna/\d+/status)"', row)
        assert found
        action = found[1]
        version = _hidden(row, action, "version")
        stale = _post(admin, action, {"active": "0", "version": str(int(version) + 3)})
        assert stale.status_code == 412 and "diubah orang lain" in stale.text
        no_version = _post(admin, action, {"active": "0"})  # never "no check"
        assert no_version.status_code == 428 and "muat ulang" in no_version.text
        assert browser.get("/beranda").status_code == 200  # still active
        done = _post(admin, action, {"active": "0", "version": version})
        assert done.status_code == 303
        assert "bambang dinonaktifkan" in admin.get("/admin").text
        assert browser.get("/beranda", follow_redirects=False).status_code == 303
        token = csrf_of(browser.get("/masuk").text)
        again = browser.post(
            "/masuk", data={"username": "bambang", "password": PASSWORD, "_csrf": token}
        )
        assert again.status_code == 401 and "salah" in again.text


def test_the_page_refuses_to_disable_the_last_active_admin(
    admin: Client, web_as: Callable[..., Client], engine: sa.Engine
) -> None:
    """The page offers no form for the admin's own row, but a posted one goes through the
    same service as the API: refused (409), the message shown, nothing changed."""

    def status_form(username: str) -> tuple[str, str]:
        with engine.connect() as conn:
            user_id, version = conn.execute(
                sa.text("SELECT id, version FROM app_user WHERE username = :u"), {"u": username}
            ).one()
        return f"/admin/pengguna/{user_id}/status", str(version)

    other = web_as("admin")  # admin-web-1
    action, version = status_form("admin-web-1")
    assert _post(admin, action, {"active": "0", "version": version}).status_code == 303
    assert other.get("/admin", follow_redirects=False).status_code == 303  # logged out
    before = dump_database(engine)
    action, version = status_form("admin-web-0")
    refused = _post(admin, action, {"active": "0", "version": version})
    assert refused.status_code == 409
    assert "admin-web-0&#39; adalah admin aktif terakhir" in refused.text
    assert dump_database(engine) == before
    assert admin.get("/admin").status_code == 200  # still logged in


# --- units and aliases -----------------------------------------------------------------------


def test_admin_adds_and_renames_a_unit(admin: Client) -> None:
    created = _post(
        admin, "/admin/pd", {"code": "UPT-WISATA", "name": "UPT Wisata Pantai", "kind": "dinas"}
    )
    assert created.status_code == 303 and created.headers["location"] == "/admin/pd/UPT-WISATA"
    unit_page = admin.get("/admin/pd/UPT-WISATA").text
    assert "PD UPT-WISATA (UPT Wisata Pantai) ditambahkan" in unit_page
    edit = "/admin/pd/UPT-WISATA"
    renamed = _post(
        admin,
        edit,
        {
            "name": "UPT Wisata Pantai Teluk Lombok",
            "kind": "dinas",
            "version": _hidden(unit_page, edit, "version"),
        },
        page=edit,
    )
    assert renamed.status_code == 303
    assert "UPT Wisata Pantai Teluk Lombok" in admin.get("/admin").text
    assert "UPT Wisata Pantai Teluk Lombok" in admin.get("/aksi").text  # the unit filter


def test_alias_added_on_the_unit_page_maps_lapor_names(
    admin: Client, demo_loaded: Session, settings: Settings
) -> None:
    name = "Dinkes Sangatta Kota"
    complaint = "No Tracking;Tanggal Laporan;Instansi Tujuan;Status\nAL-1;03/06/2024 08:00;"
    lapor.import_complaints(
        demo_loaded,
        f"{complaint}{name};Selesai\n".encode(),
        file_name="a.csv",
        settings=settings,
        actor=Actor.system(),
    )
    assert name in admin.get("/impor").text  # not matched yet
    kpis = "/api/v1/kpis?year=2024&quarter=2&unit=DINKES"
    assert admin.get(kpis).json()[0]["received"] == 0
    added = _post(admin, "/admin/pd/DINKES/alias", {"alias": name}, page="/admin/pd/DINKES")
    assert added.status_code == 303
    page = admin.get("/admin/pd/DINKES").text
    assert f"Alias “{name}” ditambahkan" in page and f"<li>{name}</li>" in page
    assert admin.get(kpis).json()[0]["received"] == 1
    assert name not in admin.get("/impor").text


def test_unit_form_errors_keep_what_was_typed_and_change_nothing(
    admin: Client, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    taken = _post(admin, "/admin/pd", {"code": "DINKES", "name": "Dinas Kedua", "kind": "dinas"})
    assert taken.status_code == 409 and _galat(taken.text, "code") == "kode sudah dipakai"
    assert 'value="Dinas Kedua"' in taken.text
    edit = "/admin/pd/DINKES"
    version = _hidden(admin.get(edit).text, edit, "version")
    empty = _post(admin, edit, {"name": "", "kind": "dinas", "version": version}, page=edit)
    assert empty.status_code == 422 and _galat(empty.text, "name")
    stale = _post(admin, edit, {"name": "Dinas Baru", "kind": "dinas", "version": "99"}, page=edit)
    assert stale.status_code == 412 and 'value="Dinas Baru"' in stale.text
    foreign = _post(admin, f"{edit}/alias", {"alias": "Diskominfo Kutim"}, page=edit)
    assert foreign.status_code == 409
    assert _galat(foreign.text, "alias") == "alias sudah dipakai PD DISKOMINFO"
    assert 'value="Diskominfo Kutim"' in foreign.text
    assert dump_database(engine) == before


# --- SLA limits ------------------------------------------------------------------------------


def test_sla_change_on_the_page_changes_the_kpis_the_api_computes(
    admin: Client, demo_loaded: Session, settings: Settings
) -> None:
    import_answered(demo_loaded, settings)
    kpis = "/api/v1/kpis?year=2024&quarter=2&unit=DINKES"
    assert admin.get(kpis).json()[0]["pct_response_on_time"] == 100.0
    page = admin.get("/admin").text
    saved = _post(
        admin,
        "/admin/sla",
        {
            "response_workdays": "3",
            "complete_days": "",
            "version": _hidden(page, "/admin/sla", "version"),
        },
    )
    assert saved.status_code == 303
    page = admin.get("/admin").text
    assert "Batas waktu SLA disimpan: tindak lanjut 3 hari kerja" in page
    assert "diatur admin" in page
    assert admin.get(kpis).json()[0]["pct_response_on_time"] == 50.0
    assert admin.get("/api/v1/settings/sla").json()["overridden"] == ["response_workdays"]


def test_sla_form_error_shows_each_message_beside_its_field(
    admin: Client, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    page = admin.get("/admin").text
    refused = _post(
        admin,
        "/admin/sla",
        {
            "response_workdays": "0",
            "complete_days": "enam puluh",
            "autoclose_days": "7",
            "version": _hidden(page, "/admin/sla", "version"),
        },
    )
    assert refused.status_code == 422
    assert _galat(refused.text, "response_workdays").startswith("nilai minimal 1")
    assert "1–365 hari kalender" in _galat(refused.text, "complete_days")
    assert 'value="enam puluh"' in refused.text and 'value="7"' in refused.text
    assert dump_database(engine) == before


# --- holidays and locks keep their errors beside the field too ------------------------------


def test_holiday_and_lock_form_errors_are_shown_beside_the_field(
    admin: Client, engine: sa.Engine
) -> None:
    before = dump_database(engine)
    holiday = _post(admin, "/admin/libur", {"date": "", "name": "Hari jadi Kutim"})
    assert holiday.status_code == 422 and "TTTT-BB-HH" in _galat(holiday.text, "date")
    assert 'value="Hari jadi Kutim"' in holiday.text
    lock = _post(admin, "/admin/kunci", {"kind": "PROGRESS", "year": "2025", "quarter": ""})
    assert lock.status_code == 422 and _galat(lock.text, "quarter")
    assert dump_database(engine) == before
    ok = _post(admin, "/admin/libur", {"date": "2025-12-24", "name": "Hari jadi Kutim"})
    assert ok.status_code == 303
    shown = admin.get(ok.headers["location"]).text
    assert "Hari jadi Kutim" in shown and "Hari libur lokal 24 Desember 2025 ditambahkan" in shown

    # a local holiday added by mistake can be removed on the page; national ones cannot
    page = admin.get("/admin?tahun=2025").text
    assert 'action="/admin/libur/2025-12-24/hapus"' in page
    assert 'action="/admin/libur/2025-12-25/hapus"' not in page  # Natal: national
    gone = _post(admin, "/admin/libur/2025-12-24/hapus", {}, page="/admin?tahun=2025")
    assert gone.status_code == 303
    assert "Hari jadi Kutim" not in admin.get("/admin?tahun=2025").text
    again = _post(admin, "/admin/libur/2025-12-24/hapus", {}, page="/admin?tahun=2025")
    assert again.status_code == 404 and "Tidak ada libur lokal" in again.text


# --- who may ---------------------------------------------------------------------------------

NEW_ROUTES = [
    ("/admin/pengguna", NEW_USER),
    ("/admin/pengguna/1/status", {"active": "0", "version": "1"}),
    ("/admin/pd", {"code": "UPT-WISATA", "name": "UPT Wisata Pantai", "kind": "dinas"}),
    ("/admin/pd/DINKES", {"name": "Dinas Lain", "kind": "dinas", "version": "1"}),
    ("/admin/sla", {"response_workdays": "1", "version": "1"}),
    ("/admin/libur/2025-12-24/hapus", {}),
]


@pytest.mark.parametrize(
    ("role", "unit"), [("koordinator", None), ("bappeda", None), ("perencana", "DINKES")]
)
def test_other_roles_are_refused_on_every_admin_form(
    web_as: Callable[..., Client], engine: sa.Engine, role: str, unit: str | None
) -> None:
    client = web_as(role, unit=unit)
    csrf = csrf_of(client.get("/beranda").text)
    before = dump_database(engine)
    for path, form in NEW_ROUTES:
        refused = client.post(path, data={"_csrf": csrf, **form}, follow_redirects=False)
        assert refused.status_code == 403, (role, path)
        assert "bukan untuk peran Anda" in refused.text
    alias = client.post(
        "/admin/pd/DINKES/alias",
        data={"_csrf": csrf, "alias": "Dinkes Baru"},
        follow_redirects=False,
    )
    unit_page = client.get("/admin/pd/DINKES")
    if role == "koordinator":  # as in the API's route table (and on /impor): aliases, nothing else
        assert alias.status_code == 303 and unit_page.status_code == 200
        assert 'id="form-alias"' in unit_page.text and 'id="form-ubah-pd"' not in unit_page.text
        page = client.get("/admin").text
        for form_id in ("form-pengguna", "form-pd", "form-sla", "form-libur"):
            assert f'id="{form_id}"' not in page, form_id
    else:
        assert alias.status_code == 403 and unit_page.status_code == 403
        assert dump_database(engine) == before
