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


def _cli(*args: str, database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RENAKSI_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "renaksi.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _run(*args: str, database_url: str, timeout: float = 600) -> tuple[float, str]:
    started = time.perf_counter()
    proc = _cli(*args, database_url=database_url)
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, (out + err).decode()
    return time.perf_counter() - started, out.decode()


def _kill_after(proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


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
    # how long the whole import takes here, measured on a dry run (same read/validate/write,
    # rolled back), so the kills land in the write phase on a fast or a slow machine
    full, _ = _run("lapor", "import", str(big), "--dry-run", database_url=database_url)
    assert _count(database_url, "SELECT count(*) FROM complaint") == 0
    for fraction in (0.45, 0.7):
        proc = _cli("lapor", "import", str(big), database_url=database_url)
        _kill_after(proc, full * fraction)
        _check_database(database_url)
        complaints = _count(database_url, "SELECT count(*) FROM complaint")
        batches = _count(database_url, "SELECT count(*) FROM import_batch")
        assert (complaints, batches) == (0, 0), (fraction, complaints, batches)
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
    full, _ = _run("plan", "import", str(book), "--dry-run", database_url=database_url)
    for fraction in (0.45, 0.7):
        proc = _cli("plan", "import", str(book), database_url=database_url)
        _kill_after(proc, full * fraction)
        _check_database(database_url)
        counts = [
            _count(database_url, f"SELECT count(*) FROM {table}")
            for table in ("plan", "action", "budget_line")
        ]
        assert counts == [0, 0, 0], (fraction, counts)
    _, out = _run("plan", "import", str(book), database_url=database_url)
    assert f"{actions} baru (created)" in out, out
    _check_database(database_url)
    assert _count(database_url, "SELECT count(*) FROM action") == actions
    assert _count(database_url, "SELECT count(*) FROM budget_line") == actions * 5
    _, again = _run("plan", "import", str(book), database_url=database_url)
    assert again.count("0 baru (created), 0 diubah (updated)") == 3, again
