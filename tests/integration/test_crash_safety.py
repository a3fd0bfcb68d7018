"""SIGKILL in the middle of ``renaksi lapor import`` and ``renaksi plan import``: the database
opens cleanly (``PRAGMA integrity_check`` = ok on SQLite), holds all of that import or none of
it, and re-running the import completes. On every test backend (SQLite, and PostgreSQL when
``RENAKSI_TEST_DATABASE_URL`` is set)."""

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.db.engine import create_db_engine
from tests.helpers import SEEDS, action, write_workbook

pytestmark = pytest.mark.crash

LAPOR_HEADERS = ["No Tracking", "Tanggal Laporan", "Kanal", "Kategori", "Instansi Tujuan", "Status"]


def write_lapor_csv(path: Path, rows: int) -> Path:
    """A LAPOR! export of ``rows`` complaints addressed to the seed units."""
    with open(SEEDS / "units.csv", encoding="utf-8") as handle:
        names = [r["name"] for r in csv.DictReader(handle)]
    start = dt.datetime(2024, 1, 1, 8, 0)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(";".join(LAPOR_HEADERS) + "\n")
        for i in range(rows):
            when = start + dt.timedelta(minutes=7 * i)
            handle.write(
                f"{5_000_000 + i};{when:%d/%m/%Y %H:%M};Website;KESEHATAN;"
                f"{names[i % len(names)]};Belum Diverifikasi\n"
            )
    return path


def write_big_plan(path: Path, actions: int) -> Path:
    rows = [action(f"X{i:05d}") for i in range(actions)]
    budget = [
        [f"X{i:05d}", year, "USULAN", "PAD", 1_000_000 + i, None, None]
        for i in range(actions)
        for year in (2022, 2023, 2024, 2025, 2026)
    ]
    return write_workbook(path, rows, budget)


# The child process is the real CLI, with a hook that SIGKILLs it at a chosen point of the
# import: no timing guesses, so the kill lands in the write phase on a fast or a slow machine.
#   mid-write  - after the first chunk of rows reached the database, uncommitted
#   at-commit  - every row written, the COMMIT about to be sent
_KILLER = """
import os, signal, sys
import sqlalchemy as sa
from sqlalchemy.engine import Engine

point, table = sys.argv[1], sys.argv[2]
written = []

def die():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

if point == "mid-write" and table == "complaint":
    from renaksi.lapor import store
    real_insert = store.insert_complaints
    def insert_then_die(conn, frame, *, batch_id, progress=None):
        def after_chunk(rows):
            die()
        real_insert(conn, frame, batch_id=batch_id, progress=after_chunk)
        die()
    store.insert_complaints = insert_then_die
else:
    @sa.event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO " + table.upper()):
            written.append(1)
            if point == "mid-write":
                die()

if point == "at-commit":
    from renaksi.lapor import store
    real_insert = store.insert_complaints
    def insert_and_note(*args, **kwargs):
        real_insert(*args, **kwargs)
        written.append(1)
    store.insert_complaints = insert_and_note

    @sa.event.listens_for(Engine, "commit")
    def _commit(conn):
        if written:
            die()

sys.argv = ["renaksi", *sys.argv[3:]]
from renaksi.cli import main
main()
"""


def _cli(
    *args: str, database_url: str, kill: tuple[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RENAKSI_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "renaksi.cli", *args]
    if kill is not None:
        command = [sys.executable, "-c", _KILLER, *kill, *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(*args: str, database_url: str, timeout: float = 600) -> tuple[float, str]:
    started = time.perf_counter()
    proc = _cli(*args, database_url=database_url)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, (out + err).decode()
    return time.perf_counter() - started, out.decode()


def _killed(*args: str, database_url: str, point: str, table: str) -> None:
    """Run the import and check that it died by SIGKILL at ``point``."""
    proc = _cli(*args, database_url=database_url, kill=(point, table))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL, (point, proc.returncode, (out + err).decode())


def _check_database(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                assert result == ["ok"]
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                assert fk == []
    finally:
        engine.dispose()


def _count(database_url: str, sql: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


def _lapor_kill_and_rerun(database_url: str, tmp_path: Path, rows: int) -> None:
    big = write_lapor_csv(tmp_path / "lapor-besar.csv", rows)
    for point in ("mid-write", "at-commit"):
        _killed(
            "lapor", "import", str(big), database_url=database_url, point=point, table="complaint"
        )
        _check_database(database_url)
        complaints = _count(database_url, "SELECT count(*) FROM complaint")
        batches = _count(database_url, "SELECT count(*) FROM import_batch")
        assert (complaints, batches) == (0, 0), (point, complaints, batches)
    _, out = _run("lapor", "import", str(big), database_url=database_url)
    assert f"baru {rows}" in out, out
    _check_database(database_url)
    assert _count(database_url, "SELECT count(*) FROM complaint") == rows


def test_sigkill_during_lapor_import_leaves_all_or_nothing(
    database_url: str, units_loaded: Session, tmp_path: Path
) -> None:
    _lapor_kill_and_rerun(database_url, tmp_path, 200_000)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("RENAKSI_SLOW") != "1", reason="1M rows: bench-only, set RENAKSI_SLOW=1"
)
def test_sigkill_during_1m_row_lapor_import(
    database_url: str, units_loaded: Session, tmp_path: Path
) -> None:
    _lapor_kill_and_rerun(database_url, tmp_path, 1_000_000)


def test_sigkill_during_plan_import_leaves_all_or_nothing(
    database_url: str, units_loaded: Session, tmp_path: Path
) -> None:
    actions = 800
    book = write_big_plan(tmp_path / "rencana-besar.xlsx", actions)
    for point in ("mid-write", "at-commit"):
        _killed(
            "plan", "import", str(book), database_url=database_url, point=point, table="budget_line"
        )
        _check_database(database_url)
        counts = [
            _count(database_url, f"SELECT count(*) FROM {table}")
            for table in ("plan", "action", "budget_line")
        ]
        assert counts == [0, 0, 0], (point, counts)
    _, out = _run("plan", "import", str(book), database_url=database_url)
    assert f"{actions} baru (created)" in out, out
    _check_database(database_url)
    assert _count(database_url, "SELECT count(*) FROM action") == actions
    assert _count(database_url, "SELECT count(*) FROM budget_line") == actions * 5
    _, again = _run("plan", "import", str(book), database_url=database_url)
    assert again.count("0 baru (created), 0 diubah (updated)") == 3, again
