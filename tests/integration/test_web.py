"""The web pages through Litestar's TestClient: login, every page per role, the unit rule,
form errors that keep what was typed, CSRF."""

import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.db.models import BudgetLine, ProgressReport
from renaksi.lapor.service import today_wita as lapor_today
from renaksi.plan import service as plan_service
from renaksi.settings import Settings
from tests.conftest import PASSWORD, make_user
from tests.integration.web_support import csrf_of, login_token, web_clients

Client = TestClient  # type: ignore[type-arg]
PAGES = [
    "/beranda",
    "/aksi",
    "/aksi?tahun=2025&flag=BELUM_USULAN&q=a",
    "/anggaran",
    "/kinerja?tahun=2024&triwulan=2",
    "/laporan",
]


def _action_of(session: Session, unit: str) -> int:
    actions = plan_service.list_actions(session, actor=Actor.system(), unit=unit).items
    return next(a.id for a in actions if a.lead_unit == unit)


@pytest.fixture
def web_as(settings: Settings, demo_loaded: Session) -> Iterator[Callable[..., Client]]:
    """``web_as("perencana", unit="DINKES")``: a browser-like client logged in via the form."""
    with web_clients(settings, demo_loaded) as login:
        yield login


def test_anonymous_pages_redirect_to_login(anon_client: Client) -> None:
    root = anon_client.get("/", follow_redirects=False)
    assert root.status_code in (302, 303, 307) and root.headers["location"] == "/masuk"
    page = anon_client.get("/aksi?tahun=2025", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/masuk?lanjut=%2Faksi")
    login = anon_client.get("/masuk")
    assert login.status_code == 200 and 'for="username"' in login.text
    assert anon_client.get("/static/renaksi.css").status_code == 200
    assert anon_client.get("/schema/openapi.json").status_code == 200  # API docs stay


def test_wrong_password_shows_indonesian_message_and_keeps_username(
    anon_client: Client, session: Session
) -> None:
    make_user(session, "pengguna", "koordinator")
    response = anon_client.post(
        "/masuk",
        data={"username": "pengguna", "password": "salah", "_csrf": login_token(anon_client)},
    )
    assert response.status_code == 401
    assert "salah" in response.text.lower() and 'value="pengguna"' in response.text
    assert "Traceback" not in response.text


def test_login_without_the_forms_csrf_token_is_refused(
    anon_client: Client, session: Session, settings: Settings
) -> None:
    make_user(session, "pengguna", "koordinator")
    form = {"username": "pengguna", "password": PASSWORD}
    missing = anon_client.post("/masuk", data=form, follow_redirects=False)
    assert missing.status_code == 403
    assert "token keamanan (CSRF)" in missing.text and 'value="pengguna"' in missing.text
    assert "renaksi_session" not in missing.headers.get("set-cookie", "")
    # the page that refused carries a fresh token: submitting it again works
    token = csrf_of(missing.text)
    wrong = anon_client.post("/masuk", data={**form, "_csrf": token[::-1]}, follow_redirects=False)
    assert wrong.status_code == 403
    with TestClient(create_app(settings)) as other:  # another browser, without the cookie
        stolen = other.post("/masuk", data={**form, "_csrf": token}, follow_redirects=False)
        assert stolen.status_code == 403
    ok = anon_client.post("/masuk", data={**form, "_csrf": token}, follow_redirects=False)
    assert ok.status_code == 303 and "renaksi_session" in ok.headers["set-cookie"]


def test_login_logout_flow(web_as: Callable[..., Client]) -> None:
    client = web_as("koordinator")
    home = client.get("/beranda")
    assert home.status_code == 200 and "Selamat datang." in home.text
    assert "Selamat datang." not in client.get("/beranda").text  # the flash shows once
    out = client.post("/keluar", data={"_csrf": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/masuk"
    assert client.get("/beranda", follow_redirects=False).status_code == 303


def test_logging_in_again_ends_the_old_session(anon_client: Client, demo_loaded: Session) -> None:
    make_user(demo_loaded, "kasi", "koordinator")
    form = {"username": "kasi", "password": PASSWORD, "_csrf": login_token(anon_client)}
    assert anon_client.post("/masuk", data=form, follow_redirects=False).status_code == 303
    old = anon_client.cookies.get("renaksi_session")
    old_csrf = csrf_of(anon_client.get("/beranda").text)
    assert anon_client.post("/masuk", data=form, follow_redirects=False).status_code == 303
    assert anon_client.cookies.get("renaksi_session") != old
    assert anon_client.get("/beranda", follow_redirects=False).status_code == 200
    anon_client.cookies.delete("renaksi_session")
    anon_client.cookies.set("renaksi_session", old or "", domain="testserver.local")
    assert anon_client.get("/beranda", follow_redirects=False).status_code == 303
    locked = anon_client.post(
        "/admin/kunci",
        data={"_csrf": old_csrf, "kind": "PROGRESS", "year": "2024", "quarter": "1"},
        follow_redirects=False,
    )
    assert locked.status_code == 303 and locked.headers["location"].startswith("/masuk")
    assert demo_loaded.scalar(sa.text("SELECT count(*) FROM period_lock")) == 0


@pytest.mark.parametrize("role", ["admin", "koordinator", "bappeda", "perencana"])
def test_every_page_renders_for_each_role(
    web_as: Callable[..., Client], demo_loaded: Session, role: str
) -> None:
    client = web_as(role, unit="DINKES" if role == "perencana" else None)
    own = _action_of(demo_loaded, "DINKES")
    for path in [*PAGES, f"/aksi/{own}"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert "Traceback" not in response.text
    gap = client.get("/laporan/selisih-anggaran.xlsx?tahun=2025")
    assert gap.status_code == 200 and gap.content[:2] == b"PK"
    for path in ["/impor", "/admin"]:
        expected = 200 if role in ("admin", "koordinator") else 403
        assert client.get(path).status_code == expected, path


def test_money_is_shown_in_rupiah(web_as: Callable[..., Client]) -> None:
    html = web_as("bappeda").get("/beranda").text
    assert re.search(r"Rp \d{1,3}(\.\d{3})+", html)


def test_planner_cannot_reach_another_units_forms(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("perencana", unit="DINKES")
    other = _action_of(demo_loaded, "PUPR")
    csrf = csrf_of(client.get("/beranda").text)
    assert client.get(f"/aksi/{other}").status_code == 403
    before = (
        demo_loaded.scalar(sa.select(sa.func.count()).select_from(ProgressReport)),
        demo_loaded.scalar(sa.select(sa.func.count()).select_from(BudgetLine)),
    )
    progress = client.post(
        f"/aksi/{other}/progres",
        data={"_csrf": csrf, "year": "2025", "quarter": "1", "status": "BERJALAN"},
    )
    line = client.post(
        f"/aksi/{other}/anggaran",
        data={"_csrf": csrf, "year": "2025", "stage": "USULAN", "source": "PAD", "amount": "5"},
    )
    assert progress.status_code == 403 and line.status_code == 403
    assert "PD Anda sendiri" in progress.text
    demo_loaded.expire_all()
    after = (
        demo_loaded.scalar(sa.select(sa.func.count()).select_from(ProgressReport)),
        demo_loaded.scalar(sa.select(sa.func.count()).select_from(BudgetLine)),
    )
    assert after == before


def test_missing_or_wrong_csrf_is_refused(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("koordinator")
    action = _action_of(demo_loaded, "DINKES")
    form = {"year": "2025", "quarter": "1", "status": "BERJALAN"}
    assert client.post(f"/aksi/{action}/progres", data=form).status_code == 403
    wrong = client.post(f"/aksi/{action}/progres", data={**form, "_csrf": "palsu"})
    assert wrong.status_code == 403 and "CSRF" in wrong.text
    assert not plan_service.list_progress(demo_loaded, action, actor=Actor.system())


def test_progress_form_saves_and_redirects(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("koordinator")
    action = _action_of(demo_loaded, "DINKES")
    csrf = csrf_of(client.get(f"/aksi/{action}").text)
    response = client.post(
        f"/aksi/{action}/progres",
        data={
            "_csrf": csrf,
            "year": "2025",
            "quarter": "2",
            "status": "BERJALAN",
            "progress_pct": "40",
            "problems": "Server lambat",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "tersimpan" in page and "Server lambat" in page and "2025 TW 2" in page


def test_progress_form_proposes_the_running_quarter_of_the_plan_years(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    page = web_as("koordinator").get(f"/aksi/{_action_of(demo_loaded, 'DINKES')}").text
    form = page[page.index('id="form-progres"') :]
    years = re.findall(r"<option(?: selected)?>(\d{4})</option>", form)
    assert years == ["2022", "2023", "2024", "2025", "2026"]  # the demo plan's, not fixed
    today = lapor_today()
    year = min(max(today.year, 2022), 2026)
    quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
    assert f"<option selected>{year}</option>" in form
    assert f'<option value="{quarter}" selected>{quarter}</option>' in form


def test_form_error_keeps_typed_values_and_shows_message_beside_field(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("koordinator")
    action = _action_of(demo_loaded, "DINKES")
    csrf = csrf_of(client.get(f"/aksi/{action}").text)
    response = client.post(
        f"/aksi/{action}/progres",
        data={
            "_csrf": csrf,
            "year": "2025",
            "quarter": "3",
            "status": "BERJALAN",
            "progress_pct": "150",
            "problems": "Catatan yang diketik",
        },
    )
    assert response.status_code == 422
    assert 'id="galat-progress_pct"' in response.text
    assert "maksimal 100" in response.text
    assert 'value="150"' in response.text and "Catatan yang diketik" in response.text
    not_number = client.post(
        f"/aksi/{action}/progres",
        data={
            "_csrf": csrf,
            "year": "2025",
            "quarter": "3",
            "status": "BERJALAN",
            "achieved_value": "banyak",
        },
    )
    assert not_number.status_code == 422 and "harus berupa angka" in not_number.text
    assert not plan_service.list_progress(demo_loaded, action, actor=Actor.system())


def test_planner_enters_usulan_and_flag_goes(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("perencana", unit="DISKOMINFO")  # the demo leaves A.02.05 without usulan
    listed = client.get("/aksi?tahun=2026&flag=BELUM_USULAN").text
    ids = re.findall(r'href="/aksi/(\d+)"', listed)
    assert ids
    action = int(ids[0])
    csrf = csrf_of(listed)
    response = client.post(
        f"/aksi/{action}/anggaran",
        data={
            "_csrf": csrf,
            "year": "2026",
            "stage": "USULAN",
            "source": "PAD",
            "amount": "Rp 150.000.000",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    detail = client.get(f"/aksi/{action}").text
    assert "Rp 150.000.000" in detail
    assert f'href="/aksi/{action}"' not in client.get("/aksi?tahun=2026&flag=BELUM_USULAN").text


def test_a_supporting_planner_sees_the_flags_not_the_lead_units_money(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    """As over the API, where another unit's lines and per-unit flags are refused."""
    row = demo_loaded.execute(
        sa.text(
            "SELECT a.id, s.code, l.code FROM action a JOIN action_supporting_unit x ON x.action_id = a.id "
            "JOIN unit s ON s.id = x.unit_id JOIN unit l ON l.id = a.lead_unit_id "
            "WHERE EXISTS (SELECT 1 FROM budget_line b WHERE b.action_id = a.id "
            "AND b.unit_id = a.lead_unit_id AND b.amount > 0) ORDER BY a.id LIMIT 1"
        )
    ).one()
    action_id, supporter, lead = row
    amounts = demo_loaded.scalars(
        sa.select(BudgetLine.amount).where(BudgetLine.action_id == action_id, BudgetLine.amount > 0)
    ).all()
    page = web_as("perencana", unit=supporter).get(f"/aksi/{action_id}").text
    assert f"dikelola {lead}" in page and 'class="flags"' in page
    shown = [a for a in amounts if f"Rp {a:,}".replace(",", ".") in page]
    assert not shown, shown
    lead_page = web_as("perencana", unit=lead).get(f"/aksi/{action_id}").text
    assert "dikelola" not in lead_page


def test_budget_revision_uses_version(web_as: Callable[..., Client], demo_loaded: Session) -> None:
    client = web_as("bappeda")
    line = demo_loaded.scalars(sa.select(BudgetLine).where(BudgetLine.stage == "DPA")).first()
    assert line is not None
    csrf = csrf_of(client.get(f"/aksi/{line.action_id}").text)
    stale = client.post(
        f"/aksi/{line.action_id}/anggaran",
        data={
            "_csrf": csrf,
            "line_id": str(line.id),
            "version": str(line.version + 5),
            "amount": "1000",
        },
    )
    assert stale.status_code == 412 and "diubah orang lain" in stale.text
    ok = client.post(
        f"/aksi/{line.action_id}/anggaran",
        data={
            "_csrf": csrf,
            "line_id": str(line.id),
            "version": str(line.version),
            "amount": "1.234.567",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "Rp 1.234.567" in client.get(f"/aksi/{line.action_id}").text


def test_revising_an_amount_keeps_the_note_and_the_line_s_own_action(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    """The line form carries the note (changing the amount erased it), reads Rupiah as an
    import does, and only revises a line of the action whose page it is on."""
    client = web_as("bappeda")
    line = demo_loaded.scalars(sa.select(BudgetLine).where(BudgetLine.stage == "DPA")).first()
    assert line is not None
    other = demo_loaded.scalars(
        sa.select(BudgetLine).where(BudgetLine.action_id != line.action_id)
    ).first()
    assert other is not None
    line.note = "Dokumen DPA 2025"
    demo_loaded.commit()
    page = client.get(f"/aksi/{line.action_id}").text
    assert f'id="note-{line.id}" name="note" value="Dokumen DPA 2025"' in page
    form = {"_csrf": csrf_of(page), "line_id": str(line.id), "version": str(line.version)}
    # an older page's form without a note field leaves the note alone
    saved = client.post(
        f"/aksi/{line.action_id}/anggaran",
        data={**form, "amount": "Rp 1.500.000,00"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    demo_loaded.expire_all()
    assert (line.amount, line.note) == (1_500_000, "Dokumen DPA 2025")

    before = (other.amount, other.version, other.note)
    elsewhere = client.post(
        f"/aksi/{line.action_id}/anggaran",
        data={**form, "line_id": str(other.id), "version": str(other.version), "amount": "7"},
    )
    assert elsewhere.status_code == 404, elsewhere.text
    garbage = client.post(
        f"/aksi/{line.action_id}/anggaran", data={**form, "line_id": "abc", "amount": "7"}
    )
    assert garbage.status_code == 404, garbage.text
    demo_loaded.expire_all()
    assert (other.amount, other.version, other.note) == before


def test_a_wrong_line_is_deleted_from_the_action_page_with_its_version(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("bappeda")
    line = demo_loaded.scalars(sa.select(BudgetLine).where(BudgetLine.stage == "DPA")).first()
    assert line is not None
    line_id = line.id
    page = client.get(f"/aksi/{line.action_id}").text
    url = f"/aksi/{line.action_id}/anggaran/{line.id}/hapus"
    assert f'action="{url}"' in page
    form = {"_csrf": csrf_of(page), "version": str(line.version)}
    stale = client.post(url, data={**form, "version": str(line.version + 1)})
    assert stale.status_code == 412
    usulan = demo_loaded.scalars(
        sa.select(BudgetLine).where(
            BudgetLine.stage == "USULAN", BudgetLine.action_id != line.action_id
        )
    ).first()
    assert usulan is not None
    not_hers = client.post(  # Bappeda enters pagu, not usulan
        f"/aksi/{usulan.action_id}/anggaran/{usulan.id}/hapus",
        data={**form, "version": str(usulan.version)},
    )
    assert not_hers.status_code == 403
    elsewhere = client.post(f"/aksi/{usulan.action_id}/anggaran/{line.id}/hapus", data=form)
    assert elsewhere.status_code == 404  # a line of another action, whatever the URL says
    deleted = client.post(url, data=form, follow_redirects=False)
    assert deleted.status_code == 303, deleted.text
    assert "dihapus" in client.get(deleted.headers["location"]).text
    demo_loaded.rollback()
    assert demo_loaded.scalar(sa.select(BudgetLine.id).where(BudgetLine.id == line_id)) is None


def test_budget_revision_without_its_version_is_refused_and_keeps_the_form(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("bappeda")
    line = demo_loaded.scalars(sa.select(BudgetLine).where(BudgetLine.stage == "DPA")).first()
    assert line is not None
    before = (line.amount, line.version)
    csrf = csrf_of(client.get(f"/aksi/{line.action_id}").text)
    for version in ("", "bukan-versi"):
        form = {"_csrf": csrf, "line_id": str(line.id), "amount": "4.321.000"}
        if version:
            form["version"] = version
        refused = client.post(f"/aksi/{line.action_id}/anggaran", data=form)
        assert refused.status_code == 428, refused.text
        assert "muat ulang" in refused.text and 'value="4.321.000"' in refused.text
    demo_loaded.expire_all()
    after = demo_loaded.get(BudgetLine, line.id)
    assert after is not None and (after.amount, after.version) == before


def test_budget_grid_saves_changed_cells(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("perencana", unit="DINKES")
    page = client.get("/anggaran").text
    cells = re.findall(r'name="(c-\d+-2026)"[^>]*value="([^"]*)"', page)
    assert cells
    key, _ = cells[0]
    form = {"_csrf": csrf_of(page), "unit": "DINKES", "stage": "USULAN", "source": "PAD"}
    for name in re.findall(r'name="([cov]-[\d-]+)"', page):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        form[name] = found[1] if found else ""
    form[key] = "777000"
    saved = client.post("/anggaran", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert "Rp 777.000" in client.get(saved.headers["location"]).text
    form[key] = "bukan angka"
    refused = client.post("/anggaran", data=form)
    assert refused.status_code == 422 and "bukan angka Rupiah" in refused.text
    assert 'value="bukan angka"' in refused.text

    # a hand-edited form: another unit's line, a cell and a reference of no known shape. Each
    # is that cell's refusal; the planner's own change is saved and the page counts both
    other = demo_loaded.scalars(
        sa.select(BudgetLine).where(
            BudgetLine.unit_id
            != demo_loaded.scalar(sa.text("SELECT id FROM unit WHERE code = 'DINKES'"))
        )
    ).first()
    assert other is not None
    before = (other.amount, other.version)
    page = client.get("/anggaran").text  # the versions after the save above
    for name in re.findall(r'name="([cov]-[\d-]+)"', page):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        form[name] = found[1] if found else ""
    form[key] = "778000"
    form[f"c-{other.action_id}-2024"], form[f"o-{other.action_id}-2024"] = "1", "0"
    form[f"v-{other.action_id}-2024"] = f"{other.id}:{other.version}"
    form["c-31"], form["o-31"] = "5", "0"
    form["c-1-2025"], form["o-1-2025"], form["v-1-2025"] = "5", "0", "abc"
    mixed = client.post("/anggaran", data=form)
    assert mixed.status_code == 422, mixed.text
    assert "1 sel tersimpan, 3 sel ditolak" in mixed.text
    assert "Rp 778.000" in client.get("/anggaran").text
    demo_loaded.expire_all()
    assert (other.amount, other.version) == before
    unknown = client.post("/anggaran", data={**form, "stage": "XYZ"})
    assert unknown.status_code == 422 and "Tahap anggaran tidak dikenal" in unknown.text


def test_report_downloads_and_errors(web_as: Callable[..., Client]) -> None:
    client = web_as("bappeda")
    quarterly = client.get("/laporan/triwulan.xlsx?tahun=2024&triwulan=4&as_of=2024-12-31")
    assert quarterly.status_code == 200
    assert "laporan-triwulan-2024-tw4" in quarterly.headers["content-disposition"]
    early = client.get("/laporan/triwulan.xlsx?tahun=2024&triwulan=4&as_of=2024-01-01")
    assert early.status_code == 422 and "sebelum awal" in early.text
    bad_date = client.get("/laporan/selisih-anggaran.xlsx?tahun=2025&as_of=kemarin")
    assert bad_date.status_code == 422 and "TTTT-BB-HH" in bad_date.text
    # an empty or mistyped year is told beside the field of the form it came from
    for url in (
        "/laporan/selisih-anggaran.xlsx?tahun=",
        "/laporan/triwulan.xlsx?tahun=dua&triwulan=4",
    ):
        empty = client.get(url)
        assert empty.status_code == 422, (url, empty.text)
        assert '<span class="galat-isian" id="galat-year">isi angka, mis. 2025</span>' in empty.text
    no_quarter = client.get("/laporan/triwulan.xlsx?tahun=2024&triwulan=")
    assert no_quarter.status_code == 422 and 'id="galat-quarter">isi angka' in no_quarter.text


def test_performance_page_keeps_a_mistyped_year_and_says_why(
    web_as: Callable[..., Client],
) -> None:
    client = web_as("bappeda")
    for typed in ("", "abc", "1999"):
        response = client.get(f"/kinerja?tahun={typed}&triwulan=2")
        if not typed:
            assert response.status_code == 200  # empty: the latest complete quarter
            continue
        assert response.status_code == 422, response.text
        assert f'id="k-tahun" name="tahun" inputmode="numeric" value="{typed}"' in response.text
        assert 'id="galat-tahun">Tahun 2000–' in response.text
    finished = client.get("/kinerja?tahun=2024&triwulan=4")
    assert finished.status_code == 200 and "sementara" not in finished.text
    # as the quarterly report and the API: a unit of the plan with no complaint is listed
    api = {
        k["unit_code"]: k["received"]
        for k in client.get("/api/v1/kpis", params={"year": 2024, "quarter": 4}).json()
    }
    shown = re.findall(r'<tr><th scope="row">([^<]+)</th>', finished.text)
    quiet = [u for u in shown if api.get(u) == 0]
    assert quiet, shown
    running = lapor_today()
    current = client.get(f"/kinerja?tahun={running.year}&triwulan={(running.month - 1) // 3 + 1}")
    assert "(sementara: triwulan belum berakhir)" in current.text


def test_import_page_shows_every_error_and_maps_aliases(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    client = web_as("koordinator")
    csrf = csrf_of(client.get("/impor").text)
    bad = "No Tracking,Tanggal Laporan,Instansi Tujuan,Status\n1,bukan-tanggal,Dinkes,Aneh\n"
    response = client.post(
        "/impor",
        data={"_csrf": csrf, "kind": "lapor"},
        files={"file": ("lapor.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422 and 'id="galat-impor"' in response.text
    good = "No Tracking,Tanggal Laporan,Instansi Tujuan,Status\nA1,2024-05-02,Dinas Antah,Selesai\n"
    done = client.post(
        "/impor",
        data={"_csrf": csrf, "kind": "lapor"},
        files={"file": ("lapor.csv", good.encode(), "text/csv")},
    )
    assert done.status_code == 200 and "1 baru" in done.text and "Dinas Antah" in done.text
    mapped = client.post(
        "/impor/alias",
        data={"_csrf": csrf, "name": "Dinas Antah", "unit": "DINKES"},
        follow_redirects=False,
    )
    assert mapped.status_code == 303
    assert "Semua nama instansi sudah cocok" in client.get("/impor").text
    taken = client.post("/impor/alias", data={"_csrf": csrf, "name": "Dinas Antah", "unit": "PUPR"})
    assert taken.status_code == 409
    assert "“Dinas Antah”: alias sudah dipakai PD DINKES." in taken.text


def test_a_refused_file_keeps_the_ticks_and_invalid_rows_can_be_skipped(
    web_as: Callable[..., Client], demo_loaded: Session
) -> None:
    """Ticked "Uji saja" stays ticked after a refusal (the corrected file must not be saved
    by surprise); "Lewati baris yang tidak sah" imports the valid rows, as the API can."""
    client = web_as("koordinator")
    csrf = csrf_of(client.get("/impor").text)
    mixed = (
        "No Tracking,Tanggal Laporan,Instansi Tujuan,Status\n"
        "S1,2024-05-02,DINKES,Selesai\n"
        "S2,bukan-tanggal,DINKES,Selesai\n"
    )
    form = {"_csrf": csrf, "kind": "lapor", "dry_run": "1"}
    refused = client.post(
        "/impor", data=form, files={"file": ("l.csv", mixed.encode(), "text/csv")}
    )
    assert refused.status_code == 422
    assert 'name="dry_run" value="1" checked' in refused.text
    assert "Lewati baris yang tidak sah" in refused.text
    skipped = client.post(
        "/impor",
        data={"_csrf": csrf, "kind": "lapor", "skip_invalid": "1"},
        files={"file": ("l.csv", mixed.encode(), "text/csv")},
    )
    assert skipped.status_code == 200, skipped.text
    assert "1 baru" in skipped.text and "1 ditolak" in skipped.text


def test_admin_locks_a_period(web_as: Callable[..., Client]) -> None:
    client = web_as("admin")
    csrf = csrf_of(client.get("/admin").text)
    response = client.post(
        "/admin/kunci",
        data={"_csrf": csrf, "kind": "PROGRESS", "year": "2025", "quarter": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "dikunci" in client.get("/admin").text


def test_a_mistyped_page_address_gets_the_page_not_json(web_as: Callable[..., Client]) -> None:
    client = web_as("koordinator")
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for url in ("/nope", "/aksi/abc", "/admin/kunci/abc/buka"):
        response = client.get(url, headers=browser)
        assert response.status_code in (404, 405), (url, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), url
        assert "<!doctype html>" in response.text
        assert ("tidak ditemukan" if response.status_code == 404 else "kiriman formulir") in (
            response.text
        )
    api = client.get("/api/v1/nope", headers=browser)
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
