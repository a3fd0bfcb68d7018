"""Shared pieces of the benchmarks: deterministic synthetic data, fresh databases, timing in
child processes (wall time + peak RSS), machine facts, and result files.

Every benchmark compares a renaksi operation with a *floor* measured in the same run, because
the machine is shared and absolute times drift; only the ratio is meant to be compared across
runs. Nothing here is imported by ``src/``.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from renaksi.auth.actor import Actor

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = os.environ.get(
    "RENAKSI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# --- the synthetic SP4N LAPOR! export ----------------------------------------------------------

KEPT_HEADERS = [
    "No Tracking",
    "Tanggal Laporan",
    "Kanal",
    "Klasifikasi",
    "Kategori",
    "Sub Kategori",
    "Instansi Tujuan",
    "Status",
    "Tanggal Verifikasi",
    "Tanggal Disposisi",
    "Tanggal Tindak Lanjut",
    "Tanggal Selesai",
    "Anonim",
    "Rahasia",
]
PERSONAL_HEADERS = ["Nama Pelapor", "No HP", "NIK", "Isi Laporan"]
CHANNELS = ["Website", "Android", "WhatsApp", "SMS (1708)", "Twitter"]
CLASSES = ["Pengaduan", "Aspirasi", "Permintaan Informasi"]
CATEGORIES = [
    "PEKERJAAN UMUM DAN PENATAAN RUANG",
    "KESEHATAN",
    "PENDIDIKAN DAN KEBUDAYAAN",
    "KETENAGAKERJAAN",
    "ADMINISTRASI KEPENDUDUKAN",
    "PERHUBUNGAN",
    "LINGKUNGAN HIDUP DAN KEHUTANAN",
    "SOSIAL",
    "TOPIK LAINNYA",
]
SUBCATEGORIES = ["Jalan Rusak", "Jembatan", "Pelayanan Puskesmas", "Sarana Sekolah", "Lainnya"]
#: (label as exported, weight, has follow-up, has completion, has verification)
STATUSES = [
    ("Selesai", 0.52, True, True, True),
    ("Ditindaklanjuti oleh Instansi", 0.14, True, False, True),
    ("Proses", 0.04, True, False, True),
    ("Terdisposisi", 0.10, False, False, True),
    ("Belum Terverifikasi", 0.05, False, False, False),
    ("Arsip", 0.06, False, False, True),
    ("Bukan Wewenang", 0.05, False, False, True),
    ("Tunda", 0.04, False, False, True),
]
START = np.datetime64("2022-01-01T00:00")
SPAN_MINUTES = 3 * 365 * 24 * 60  # 2022-2024


def unit_names() -> list[str]:
    """Official names and aliases from seeds/units.csv, plus a few names that match nothing."""
    names: list[str] = []
    with (SEEDS / "units.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names.append(row["name"])
            names.extend(a for a in row["aliases"].split("|") if a)
    return names


def _moments(rng: np.random.Generator, base: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return base + rng.integers(lo, hi, size=base.size).astype("timedelta64[m]")


def lapor_frame(rows: int, *, seed: int = 640_8) -> pl.DataFrame:
    """``rows`` synthetic complaints in the export layout (strings, empty cell = null)."""
    rng = np.random.default_rng(seed)
    units = [*unit_names(), "Kantor Antah Berantah", "Dinas Tidak Dikenal"]
    unit_p = np.full(len(units), 0.97 / (len(units) - 2))
    unit_p[-2:] = 0.015
    weights = np.array([s[1] for s in STATUSES])
    status_idx = rng.choice(len(STATUSES), size=rows, p=weights / weights.sum())
    has_verif = np.array([s[4] for s in STATUSES])[status_idx]
    has_resp = np.array([s[2] for s in STATUSES])[status_idx]
    has_done = np.array([s[3] for s in STATUSES])[status_idx]
    # newest first, tracking numbers growing with time: the order LAPOR! exports come in
    offsets = np.sort(rng.integers(0, SPAN_MINUTES, size=rows))[::-1]
    submitted = START + offsets.astype("timedelta64[m]")
    verified = _moments(rng, submitted, 10, 5 * 24 * 60)
    disposed = _moments(rng, verified, 1, 180)
    responded = _moments(rng, disposed, 30, 20 * 24 * 60)
    resolved = _moments(rng, responded, 24 * 60, 40 * 24 * 60)
    fmt = "%d/%m/%Y %H:%M"

    def moment(values: np.ndarray, keep: np.ndarray) -> pl.Series:
        s = pl.Series(values.astype("datetime64[us]")).dt.strftime(fmt)
        return s.zip_with(pl.Series(keep), pl.Series([None] * rows, dtype=pl.String))

    ids = np.arange(4_000_000 + rows - 1, 4_000_000 - 1, -1)
    hashed = rng.random(rows) < 0.05
    yes_no = np.array(["Tidak", "Ya"])
    idx = pl.Series(np.arange(rows))
    return pl.DataFrame(
        {
            "No Tracking": pl.Series(ids)
            .cast(pl.String)
            .zip_with(pl.Series(~hashed), "#" + pl.Series(ids).cast(pl.String)),
            "Tanggal Laporan": moment(submitted, np.ones(rows, dtype=bool)),
            "Kanal": np.array(CHANNELS)[rng.integers(0, len(CHANNELS), rows)],
            "Klasifikasi": np.array(CLASSES)[rng.integers(0, len(CLASSES), rows)],
            "Kategori": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), rows)],
            "Sub Kategori": np.array(SUBCATEGORIES)[rng.integers(0, len(SUBCATEGORIES), rows)],
            "Instansi Tujuan": np.array(units)[rng.choice(len(units), size=rows, p=unit_p)],
            "Status": np.array([s[0] for s in STATUSES])[status_idx],
            "Tanggal Verifikasi": moment(verified, has_verif),
            "Tanggal Disposisi": moment(disposed, has_verif),
            "Tanggal Tindak Lanjut": moment(responded, has_resp),
            "Tanggal Selesai": moment(resolved, has_done),
            "Anonim": yes_no[(rng.random(rows) < 0.2).astype(int)],
            "Rahasia": yes_no[(rng.random(rows) < 0.05).astype(int)],
            # personal data the importer must never read
            "Nama Pelapor": "Pelapor " + idx.cast(pl.String),
            "No HP": "0812-" + (idx % 10_000_000).cast(pl.String).str.zfill(7),
            "NIK": "640800" + idx.cast(pl.String).str.zfill(10),
            "Isi Laporan": pl.Series(
                np.array(["Jalan rusak belum diperbaiki.", "Pelayanan lambat di kantor."])[
                    rng.integers(0, 2, rows)
                ]
            ),
        }
    )


def write_lapor_csv(path: Path, rows: int, *, seed: int = 640_8) -> Path:
    """The export as Indonesian Excel saves it: ``;``, UTF-8 BOM, CRLF. Reused when present."""
    if path.exists():
        return path
    tmp = path.with_suffix(".part")
    lapor_frame(rows, seed=seed).write_csv(
        tmp, separator=";", include_bom=True, line_terminator="\r\n"
    )
    tmp.rename(path)
    return path


# --- databases ---------------------------------------------------------------------------------


def _prepare(url: str) -> None:
    """Migrate and load the Kutai Timur unit list (so unit names match)."""
    from sqlalchemy.orm import Session

    from renaksi.db.engine import create_db_engine
    from renaksi.db.migrate import upgrade
    from renaksi.units.service import import_units

    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        import_units(session, SEEDS / "units.csv", actor=Actor.system())
    engine.dispose()


_SQLITE_TEMPLATES: dict[Path, Path] = {}


def fresh_sqlite(workdir: Path, name: str) -> str:
    """A migrated SQLite file with the units loaded (copied from a per-workdir template)."""
    template = workdir / "template.db"
    if template.exists():  # a kept --workdir: bring its schema up to date
        from renaksi.db.engine import create_db_engine
        from renaksi.db.migrate import upgrade

        engine = create_db_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
    else:
        _prepare(f"sqlite:///{template}")
        con = sqlite3.connect(template)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    path = workdir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def pg_driver_url(url: str = PG_ADMIN_URL) -> str:
    """The psycopg (libpq) form of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def pg_schema(prepare: bool = True) -> Iterator[tuple[str, str]]:
    """A private schema on the bench PostgreSQL: ``(sqlalchemy_url, schema)``; dropped after."""
    import psycopg

    schema = f"renaksi_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_driver_url(), autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_ADMIN_URL else "?"
    url = f"{PG_ADMIN_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        if prepare:
            _prepare(url)
        yield url, schema
    finally:
        with psycopg.connect(pg_driver_url(), autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    out: dict[str, Any]


def run_child(script: Path, *args: str) -> Measured:
    """Run ``python script args`` in a fresh process; its own wall time (printed as JSON on the
    last line of stdout) and its peak RSS (``ru_maxrss`` from ``wait4``)."""
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout and proc.stderr
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    # ru_maxrss of a child on Linux keeps the parent's RSS at fork time when that is higher
    # (the high-water mark survives exec), so prefer the child's own VmHWM when it sent one.
    peak = result.get("vmhwm_mb") or usage.ru_maxrss / 1024
    return Measured(result["seconds"], peak, result)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def median(values: list[float]) -> float:
    return statistics.median(values)


def child_done(seconds: float, **extra: Any) -> None:
    """What a child prints last: the measured seconds, its peak RSS (VmHWM), anything else."""
    peak = None
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    print(json.dumps({"seconds": seconds, "vmhwm_mb": peak, **extra}, default=str))


# --- facts and results -------------------------------------------------------------------------


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "-"


def machine_facts(with_pg: bool = True) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **{
            m: _version(m)
            for m in (
                "polars",
                "psycopg",
                "sqlalchemy",
                "litestar",
                "uvicorn",
                "msgspec",
                "xlsxwriter",
                "fastexcel",
            )
        },
    }
    if with_pg:
        import psycopg

        with psycopg.connect(pg_driver_url()) as con:
            row = con.execute("SHOW server_version").fetchone()
            facts["postgresql"] = row[0] if row else "?"
    return facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def save_result(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/NAME.json`` (ignored by git) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A Markdown table on stdout (pasted into docs/benchmarks.md)."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)
