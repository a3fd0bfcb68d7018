"""LAPOR! import end to end (parse, map, validate, upsert) and re-import of the same file,
into SQLite and PostgreSQL, against floors measured in the same run.

Floors (each in its own process, like the import):
- SQLite: polars reads the file with every column as a string, then stdlib ``sqlite3``
  ``executemany`` inserts the 14 kept columns into a bare table (no keys, no indexes), with the
  pragmas renaksi uses (WAL, synchronous=NORMAL), one transaction.
- PostgreSQL: the same polars read, then ``COPY`` of the same 14 columns into a bare table.

Each import runs in a fresh process on a fresh, migrated database holding the Kutai Timur
units; the re-import then imports the same file again into that database (nothing changes).
Peak memory is the child's ``ru_maxrss``.

    .venv/bin/python bench/lapor_import.py --rows 1000000 --runs 3
    .venv/bin/python bench/lapor_import.py --rows 100000 --backend sqlite --profile
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from renaksi.auth.actor import Actor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    KEPT_HEADERS,
    RESULTS,
    Measured,
    child_done,
    fresh_sqlite,
    machine_facts,
    median,
    pg_driver_url,
    pg_schema,
    print_table,
    run_child,
    save_result,
    write_lapor_csv,
)

HERE = Path(__file__).resolve()
BARE_COLUMNS = [f"c{i}" for i in range(len(KEPT_HEADERS))]


def _read_all_strings(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    frame = pl.read_csv(io.BytesIO(data), separator=";", infer_schema=False)
    frame.columns = [c.lstrip("\ufeff") for c in frame.columns]
    return frame.select(KEPT_HEADERS)


def child_floor_sqlite(path: Path, db: Path) -> None:
    t0 = time.perf_counter()
    frame = _read_all_strings(path)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(f"CREATE TABLE bare ({', '.join(f'{c} TEXT' for c in BARE_COLUMNS)})")
    con.execute("BEGIN")
    con.executemany(
        f"INSERT INTO bare VALUES ({', '.join('?' * len(BARE_COLUMNS))})", frame.iter_rows()
    )
    con.execute("COMMIT")
    con.close()
    child_done(time.perf_counter() - t0, rows=frame.height)


def child_floor_pg(path: Path, schema: str) -> None:
    import psycopg

    t0 = time.perf_counter()
    frame = _read_all_strings(path)
    with psycopg.connect(pg_driver_url()) as con:
        con.execute(f'SET search_path TO "{schema}"')
        con.execute(f"CREATE TABLE bare ({', '.join(f'{c} TEXT' for c in BARE_COLUMNS)})")
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, null_value="\\N")
        with (
            con.cursor() as cur,
            cur.copy("COPY bare FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy,
        ):
            copy.write(buffer.getvalue())
        con.commit()
    child_done(time.perf_counter() - t0, rows=frame.height)


def child_import(path: Path, url: str, profile: Path | None) -> None:
    from sqlalchemy.orm import Session

    from renaksi.db.engine import create_db_engine
    from renaksi.lapor.service import import_complaints
    from renaksi.settings import Settings

    settings = Settings(database_url=url)
    engine = create_db_engine(url)
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    t0 = time.perf_counter()
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        batch = import_complaints(
            session,
            path.read_bytes(),
            file_name=path.name,
            settings=settings,
            actor=Actor.system("bench"),
        )
    seconds = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
        assert profile is not None
        profile.write_text(profiler.output_text(unicode=True, show_all=False))
    engine.dispose()
    child_done(
        seconds,
        inserted=batch.inserted,
        updated=batch.updated,
        unchanged=batch.unchanged,
        rejected=batch.rejected,
    )


def measure(rows: int, runs: int, backends: list[str], workdir: Path, profile: bool) -> dict:
    csv_path = write_lapor_csv(workdir / f"lapor-{rows}.csv", rows)
    size_mb = csv_path.stat().st_size / 1e6
    print(f"# {rows:,} complaints, {size_mb:.0f} MB CSV at {csv_path}", file=sys.stderr)
    out: dict = {"rows": rows, "csv_mb": round(size_mb, 1), "runs": runs, "backends": {}}
    for backend in backends:
        floors: list[Measured] = []
        imports: list[Measured] = []
        reimports: list[Measured] = []
        for run in range(runs):
            prof = (
                RESULTS / f"profile-import-{backend}-{rows}.txt" if profile and run == 0 else None
            )
            reprof = (
                RESULTS / f"profile-reimport-{backend}-{rows}.txt" if profile and run == 0 else None
            )
            if backend == "sqlite":
                bare = workdir / "bare.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{bare}{suffix}").unlink(missing_ok=True)
                floors.append(run_child(HERE, "--child", "floor-sqlite", str(csv_path), str(bare)))
                url = fresh_sqlite(workdir, "renaksi")
                imports.append(_import(csv_path, url, prof))
                reimports.append(_import(csv_path, url, reprof))
            else:
                with pg_schema(prepare=False) as (_, schema):
                    floors.append(run_child(HERE, "--child", "floor-pg", str(csv_path), schema))
                with pg_schema() as (url, _):
                    imports.append(_import(csv_path, url, prof))
                    reimports.append(_import(csv_path, url, reprof))
            print(
                f"  {backend} run {run + 1}: floor {floors[-1].seconds:.2f}s, import "
                f"{imports[-1].seconds:.2f}s, re-import {reimports[-1].seconds:.2f}s",
                file=sys.stderr,
            )
        out["backends"][backend] = {
            "floor_s": [m.seconds for m in floors],
            "import_s": [m.seconds for m in imports],
            "reimport_s": [m.seconds for m in reimports],
            "floor_peak_mb": max(m.peak_mb for m in floors),
            "import_peak_mb": max(m.peak_mb for m in imports),
            "reimport_peak_mb": max(m.peak_mb for m in reimports),
            "import_counts": imports[-1].out,
            "reimport_counts": reimports[-1].out,
        }
    return out


def _import(csv_path: Path, url: str, profile: Path | None) -> Measured:
    args = ["--child", "import", str(csv_path), url]
    if profile is not None:
        args += ["--profile-out", str(profile)]
    return run_child(HERE, *args)


GOALS = {"import": 2.5, "reimport": 1.5}


def summarise(result: dict) -> list[dict]:
    rows = []
    for backend, r in result["backends"].items():
        floor = median(r["floor_s"])
        for what, key, goal in (
            ("import", "import_s", GOALS["import"]),
            ("re-import (no change)", "reimport_s", GOALS["reimport"]),
        ):
            value = median(r[key])
            peak = r["import_peak_mb"] if key == "import_s" else r["reimport_peak_mb"]
            ratio = value / floor
            rows.append(
                {
                    "what": f"{what}, {backend}",
                    "rows": f"{result['rows']:,}",
                    "median s": value,
                    "floor s": floor,
                    "ratio": ratio,
                    "goal": f"≤ {goal}×",
                    "met": "yes" if ratio <= goal else "NO",
                    "peak MB": round(peak),
                    "floor peak MB": round(r["floor_peak_mb"]),
                    "runs": len(r[key]),
                }
            )
    return rows


COLUMNS = [
    "what",
    "rows",
    "median s",
    "floor s",
    "ratio",
    "goal",
    "met",
    "peak MB",
    "floor peak MB",
    "runs",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, help="keep data here (default: a temp dir)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the first run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "floor-sqlite":
            child_floor_sqlite(Path(rest[0]), Path(rest[1]))
        elif kind == "floor-pg":
            child_floor_pg(Path(rest[0]), rest[1])
        else:
            child_import(Path(rest[0]), rest[1], args.profile_out)
        return
    backends = args.backend.split(",")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = measure(args.rows, args.runs, backends, args.workdir, args.profile)
    else:
        with tempfile.TemporaryDirectory(prefix="renaksi-bench-") as tmp:
            result = measure(args.rows, args.runs, backends, Path(tmp), args.profile)
    result["machine"] = machine_facts("postgresql" in backends)
    result["table"] = summarise(result)
    save_result(f"lapor_import-{args.rows}", result)
    print_table(result["table"], COLUMNS)


if __name__ == "__main__":
    main()
