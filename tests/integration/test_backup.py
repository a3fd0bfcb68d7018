"""``renaksi db backup`` while the database is being written, ``renaksi db restore``, and the
app working on the restored copy."""

import datetime as dt
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.lapor import schemas as lapor_schemas
from renaksi.lapor.service import add_holiday, import_complaints
from renaksi.plan.importer import import_plan
from renaksi.settings import Settings
from renaksi.units.service import import_units
from tests.conftest import PG_URL, Cli, make_user
from tests.helpers import SEEDS

FIRST_DAY = dt.date(2030, 1, 1)


@pytest.fixture
def demo_db(sqlite_template: Path, tmp_path: Path) -> str:
    """A SQLite file with the whole demo (units, plan, every LAPOR! export)."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    with make_session_factory(engine)() as session:
        import_units(session, SEEDS / "units.csv", actor=Actor.system())
        import_plan(session, SEEDS / "renaksi-2022-2026.xlsx", actor=Actor.system())
        for csv in sorted(SEEDS.glob("lapor-*.csv")):
            import_complaints(
                session,
                csv.read_bytes(),
                file_name=csv.name,
                settings=Settings(database_url=url),
                actor=Actor.system(),
            )
    engine.dispose()
    return url


class Writer(threading.Thread):
    """Adds one local holiday per transaction through the service layer until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.committed = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = create_db_engine(self.url)
        try:
            with make_session_factory(engine)() as session:
                while not self.stop.is_set():
                    day = FIRST_DAY + dt.timedelta(days=self.committed)
                    add_holiday(
                        session,
                        lapor_schemas.HolidayCreate(date=day, name="uji"),
                        actor=Actor.system(),
                    )
                    self.committed += 1
        except Exception as exc:  # noqa: BLE001  (any error fails the test, in the main thread)
            self.error = exc
        finally:
            engine.dispose()


@pytest.fixture
def writer(demo_db: str) -> Iterator[Writer]:
    thread = Writer(demo_db)
    thread.start()
    yield thread
    thread.stop.set()
    thread.join(30)


def _holidays(url: str) -> list[dt.date]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        days = list(conn.execute(sa.text("SELECT day FROM holiday ORDER BY day")).scalars())
    engine.dispose()
    return [dt.date.fromisoformat(str(d)[:10]) for d in days]


def _wait_for(writer: Writer, commits: int) -> None:
    deadline = dt.datetime.now() + dt.timedelta(seconds=30)
    while writer.committed < commits and writer.error is None:
        assert dt.datetime.now() < deadline, "writer made no progress"
        threading.Event().wait(0.01)
    assert writer.error is None, writer.error


def test_backup_under_write_load_restores_into_a_working_app(
    demo_db: str, writer: Writer, tmp_path: Path
) -> None:
    cli = Cli(demo_db)
    _wait_for(writer, 20)
    before = writer.committed
    result = cli("db", "backup", str(tmp_path / "cadangan.db"))
    after = writer.committed
    assert result.exit_code == 0, result.output
    assert "Cadangan ditulis" in result.output
    _wait_for(writer, after + 20)  # the writer was never blocked for long
    writer.stop.set()
    writer.join(30)
    assert writer.error is None

    # the backup is one consistent snapshot: a prefix of the writer's commits
    backup_file = tmp_path / "cadangan.db"
    with sqlite3.connect(backup_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not Path(f"{backup_file}-wal").exists()

    # restore into a fresh file
    fresh_url = f"sqlite:///{tmp_path / 'pulih.db'}"
    restored = Cli(fresh_url)("db", "restore", str(backup_file), "--yes")
    assert restored.exit_code == 0, restored.output
    days = _holidays(fresh_url)
    assert before <= len(days) <= after
    assert days == [FIRST_DAY + dt.timedelta(days=i) for i in range(len(days))]
    with sqlite3.connect(tmp_path / "pulih.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # the app works on it: the same flags as the live database, plan export → import is a no-op
    settings = Settings(database_url=fresh_url, development=True, exports_dir=tmp_path)
    engine = create_db_engine(fresh_url)
    with make_session_factory(engine)() as session:
        token = make_user(session, "admin-pulih", "admin")
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        flags = client.get("/api/v1/flags", params={"year": 2025})
        assert flags.status_code == 200, flags.text
        kpis = client.get("/api/v1/kpis", params={"year": 2024, "quarter": 4})
        assert kpis.status_code == 200
        assert sum(r["received"] for r in kpis.json() if r["unit_code"] is None) > 0
    live_settings = Settings(database_url=demo_db, development=True)
    with TestClient(create_app(live_settings)) as live:
        live_engine = create_db_engine(demo_db)
        with make_session_factory(live_engine)() as session:
            live.headers["Authorization"] = f"Bearer {make_user(session, 'admin-live', 'admin')}"
        live_engine.dispose()
        assert live.get("/api/v1/flags", params={"year": 2025}).json() == flags.json()
    fresh = Cli(fresh_url)
    exported = fresh("plan", "export", str(tmp_path / "plan.xlsx"))
    assert exported.exit_code == 0, exported.output
    reimport = fresh("plan", "import", str(tmp_path / "plan.xlsx"))
    assert reimport.exit_code == 0, reimport.output
    assert reimport.output.count("0 baru (created), 0 diubah (updated)") == 3, reimport.output


def test_restore_over_a_live_database_keeps_the_old_one(demo_db: str, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    assert cli("db", "backup", str(tmp_path / "a.db")).exit_code == 0
    engine = create_db_engine(demo_db)
    with make_session_factory(engine)() as session:
        add_holiday(
            session,
            lapor_schemas.HolidayCreate(date=FIRST_DAY, name="sesudah cadangan"),
            actor=Actor.system(),
        )
    engine.dispose()
    assert _holidays(demo_db) == [FIRST_DAY]
    result = cli("db", "restore", str(tmp_path / "a.db"), "--yes")
    assert result.exit_code == 0, result.output
    assert _holidays(demo_db) == []
    previous = list(tmp_path.glob("live.db.pra-restore-*"))
    assert len(previous) == 1
    assert _holidays(f"sqlite:///{previous[0]}") == [FIRST_DAY]
    with sqlite3.connect(tmp_path / "live.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_to_overwrite(demo_db: str, tmp_path: Path) -> None:
    (tmp_path / "ada.db").write_bytes(b"x")
    result = Cli(demo_db)("db", "backup", str(tmp_path / "ada.db"))
    assert result.exit_code == 4
    assert "sudah ada" in result.output
    assert (tmp_path / "ada.db").read_bytes() == b"x"


@pytest.mark.parametrize("problem", ["not_sqlite", "old_schema", "corrupt"])
def test_restore_refuses_a_bad_backup(demo_db: str, tmp_path: Path, problem: str) -> None:
    bad = tmp_path / "buruk.db"
    if problem == "not_sqlite":
        bad.write_bytes(b"bukan basis data" * 100)
    else:
        assert Cli(demo_db)("db", "backup", str(bad)).exit_code == 0
        with sqlite3.connect(bad) as conn:
            if problem == "old_schema":
                conn.execute("UPDATE alembic_version SET version_num = '0001'")
            else:
                page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        if problem == "corrupt":
            raw = bytearray(bad.read_bytes())
            for i in range(page_size * 3, page_size * 6):  # scribble over b-tree pages
                raw[i] = 0x55
            bad.write_bytes(bytes(raw))
    before = _holidays(demo_db), Path(demo_db.removeprefix("sqlite:///")).read_bytes()
    result = Cli(demo_db)("db", "restore", str(bad), "--yes")
    assert result.exit_code == 2, result.output
    expected = {
        "not_sqlite": "bukan berkas basis data SQLite",
        "old_schema": "tidak pada versi skema terbaru",
        "corrupt": "integritas",
    }
    assert expected[problem] in result.output
    assert (_holidays(demo_db), Path(demo_db.removeprefix("sqlite:///")).read_bytes()) == before
    assert not list(tmp_path.glob("live.db.pra-restore-*"))


@pytest.mark.skipif(not PG_URL, reason="RENAKSI_TEST_DATABASE_URL not set")
def test_postgresql_backup_uses_pg_dump_and_restore_prints_pg_restore(
    pg_schema_url: str, tmp_path: Path
) -> None:
    cli = Cli(pg_schema_url)
    if shutil.which("pg_dump"):
        result = cli("db", "backup", str(tmp_path / "pg.dump"))
        assert result.exit_code == 0, result.output
        assert (tmp_path / "pg.dump").read_bytes()[:5] == b"PGDMP"
    else:
        result = cli("db", "backup", str(tmp_path / "pg.dump"))
        assert result.exit_code != 0 and "pg_dump" in result.output
        (tmp_path / "pg.dump").write_bytes(b"PGDMP")
    refused = cli("db", "restore", str(tmp_path / "pg.dump"), "--yes")
    assert refused.exit_code == 1
    assert "pg_restore --clean" in refused.output
    assert "docs/reliability.md" in refused.output
