"""End-to-end: a real headless Chromium (Debian's ``chromium``) drives the pages of a server
these tests start themselves, on a SQLite demo database. Screenshots of the main pages go to
``tests/e2e/artifacts/``. Skipped when Chromium or Playwright is not installed."""

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from renaksi.auth.actor import Actor
from tests.conftest import PASSWORD
from tests.servers import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``renaksi demo --no-serve`` into a fresh SQLite file, known passwords, then uvicorn."""
    from renaksi.auth.schemas import UserCreate
    from renaksi.auth.service import create_user, set_password
    from renaksi.cli import DEMO_USERS
    from renaksi.codes import Role
    from renaksi.db.engine import create_db_engine, make_session_factory

    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'renaksi.db'}"
    subprocess.run(
        [sys.executable, "-m", "renaksi.cli", "demo", "--no-serve", "--database-url", url],
        check=True,
        capture_output=True,
        cwd=Path(__file__).parents[2],
    )
    engine = create_db_engine(url)
    with make_session_factory(engine)() as session:
        for username, *_ in DEMO_USERS:
            set_password(session, username, PASSWORD, actor=Actor.system())
        # the demo leaves some DISKOMINFO actions without usulan for 2026 (e.g. A.02.05)
        create_user(
            session,
            UserCreate(
                username="perencana.kominfo",
                password=PASSWORD,
                role=Role.PERENCANA,
                unit="DISKOMINFO",
            ),
            actor=Actor.system(),
        )
    engine.dispose()
    exports = {"RENAKSI_EXPORTS_DIR": str(folder / "exports")}
    with serving(url, 1, extra_env=exports, log=folder / "server.log") as (base,):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: "sync_api.Browser", server: str) -> Iterator["sync_api.Page"]:
    context = browser.new_context(base_url=server, accept_downloads=True, locale="id-ID")
    opened = context.new_page()
    yield opened
    context.close()


def _login(page: "sync_api.Page", username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def _shot(page: "sync_api.Page", name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_wrong_password_shows_indonesian_message(page: "sync_api.Page") -> None:
    _login(page, "koordinator", "bukan-sandinya")
    sync_api.expect(page.locator("#galat-password")).to_contain_text("salah")
    sync_api.expect(page.get_by_label("Nama pengguna")).to_have_value("koordinator")
    _shot(page, "masuk-gagal")


def test_planner_enters_usulan_and_belum_usulan_disappears(page: "sync_api.Page") -> None:
    _login(page, "perencana.kominfo")
    sync_api.expect(page.get_by_role("heading", name="Beranda")).to_be_visible()
    _shot(page, "beranda-perencana")
    page.goto("/aksi?tahun=2026&flag=BELUM_USULAN")
    code = "A.02.05"  # led by DISKOMINFO, no usulan for 2026 in the demo
    page.get_by_role("link", name=code, exact=True).click()
    sync_api.expect(page.locator("td[data-tahun='2026']")).to_contain_text("BELUM_USULAN")
    page.get_by_label("Tahun").first.select_option("2026")
    form = page.locator("#form-anggaran")
    form.get_by_label("Tahap").select_option("USULAN")
    form.get_by_label("Jumlah (Rp)").fill("125.000.000")
    form.get_by_role("button", name="Tambah baris").click()
    sync_api.expect(page.locator(".pesan-ok")).to_contain_text("ditambahkan")
    sync_api.expect(page.locator("td[data-tahun='2026']")).not_to_contain_text("BELUM_USULAN")
    _shot(page, "detail-aksi-usulan")
    page.goto("/aksi?tahun=2026&flag=BELUM_USULAN")
    sync_api.expect(page.locator("table")).not_to_contain_text(code)


def test_form_error_keeps_what_was_typed(page: "sync_api.Page") -> None:
    _login(page, "koordinator")
    page.goto("/aksi")
    page.locator("table a[href^='/aksi/']").first.click()
    form = page.locator("#form-progres")
    form.get_by_label("Kemajuan (%)").fill("250")
    form.get_by_label("Kendala").fill("Jaringan di kecamatan putus")
    form.get_by_role("button", name="Simpan laporan").click()
    sync_api.expect(page.locator("#galat-progress_pct")).to_contain_text("maksimal 100")
    sync_api.expect(page.locator("#form-progres").get_by_label("Kendala")).to_have_value(
        "Jaringan di kecamatan putus"
    )


def test_coordinator_records_progress_and_sees_history(page: "sync_api.Page") -> None:
    _login(page, "koordinator")
    _shot(page, "beranda-koordinator")
    page.goto("/aksi?q=A.01")
    _shot(page, "daftar-aksi")
    page.locator("table a[href^='/aksi/']").first.click()
    form = page.locator("#form-progres")
    form.get_by_label("Tahun").select_option("2026")
    form.get_by_label("Triwulan").select_option("3")
    form.get_by_label("Status").select_option("BERJALAN")
    form.get_by_label("Kemajuan (%)").fill("60")
    form.get_by_label("Kendala").fill("Anggaran perjalanan belum cair")
    form.get_by_role("button", name="Simpan laporan").click()
    sync_api.expect(page.locator(".pesan-ok")).to_contain_text("tersimpan")
    history = page.locator("#riwayat")
    sync_api.expect(history).to_contain_text("2026 TW 3")
    sync_api.expect(history).to_contain_text("Anggaran perjalanan belum cair")
    _shot(page, "detail-aksi-progres")
    page.goto("/kinerja?tahun=2024&triwulan=4")
    sync_api.expect(page.locator("svg")).to_be_visible()
    _shot(page, "kinerja-pengaduan")


def test_bappeda_downloads_budget_gap_workbook(page: "sync_api.Page", tmp_path: Path) -> None:
    import openpyxl

    _login(page, "bappeda")
    page.goto("/anggaran?unit=DISKOMINFO")
    _shot(page, "anggaran-pd")
    page.goto("/laporan")
    form = page.locator("#form-selisih")
    form.get_by_label("Tahun").fill("2025")
    with page.expect_download() as info:
        form.get_by_role("button", name="Unduh selisih anggaran (.xlsx)").click()
    download = info.value
    assert download.suggested_filename.startswith("selisih-anggaran-2025")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    book = openpyxl.load_workbook(target, read_only=True)
    assert {"Ringkasan", "Rincian", "Prioritas"} <= set(book.sheetnames)


def test_admin_creates_a_user_who_then_logs_in(page: "sync_api.Page") -> None:
    _login(page, "admin")
    page.goto("/admin")
    form = page.locator("#form-pengguna")
    form.get_by_label("Nama pengguna").fill("sari.dinkes")
    form.get_by_label("Nama lengkap").fill("Sari Perencana")
    form.get_by_label("Peran").select_option("perencana")
    form.get_by_label("Kata sandi awal").fill("sandi-awal-sari-2026")
    form.get_by_role("button", name="Tambah pengguna").click()  # no PD chosen yet
    form = page.locator("#form-pengguna")
    sync_api.expect(form.locator("#galat-unit")).to_contain_text("wajib untuk perencana")
    sync_api.expect(form.get_by_label("Nama pengguna")).to_have_value("sari.dinkes")
    form.get_by_label("PD (wajib untuk perencana)").select_option("DINKES")
    form.get_by_label("Kata sandi awal").fill("sandi-awal-sari-2026")
    form.get_by_role("button", name="Tambah pengguna").click()
    sync_api.expect(page.locator(".pesan-ok")).to_contain_text("sari.dinkes")
    sync_api.expect(page.locator("#daftar-pengguna")).to_contain_text("Sari Perencana")
    _shot(page, "admin")
    page.get_by_role("button", name="Keluar").click()
    _login(page, "sari.dinkes", "sandi-awal-sari-2026")
    sync_api.expect(page.get_by_role("heading", name="Beranda")).to_be_visible()
    sync_api.expect(page.locator(".pengguna")).to_contain_text("sari.dinkes")


def test_linked_kpis_show_their_trend(page: "sync_api.Page") -> None:
    _login(page, "koordinator")
    page.goto("/aksi?q=A.05.03")
    page.get_by_role("link", name="A.05.03", exact=True).click()
    trend = page.locator("#kpi-terkait")
    sync_api.expect(trend.locator("svg").first).to_be_visible()
    # the demo's latest quarters with complaints (2025-2026 when written; moves with the date)
    quarter = re.compile(r"Triwulan (I|II|III|IV) 20\d\d")
    sync_api.expect(trend.locator(".tren-tabel").first).to_contain_text(quarter)
    _shot(page, "detail-aksi-kpi")
