"""KPIs for all units, all four quarters of a year, from the database, against the floor of
reading the same columns of the same rows bare into polars.

The database is filled through the real import path (or an existing one is reused with
``--url``). The floor runs the four quarter queries renaksi runs (same columns, same WHERE on
``submitted_at``) on the driver connection and builds a polars frame from the rows, nothing
else. Both run in the same process, interleaved, several times; medians are compared.

    .venv/bin/python bench/kpi.py --rows 1000000
    .venv/bin/python bench/kpi.py --url sqlite:////tmp/x.db --rows 1000000   # reuse a filled db
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from renaksi.auth.actor import Actor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    fresh_sqlite,
    machine_facts,
    median,
    pg_schema,
    print_table,
    save_result,
    write_lapor_csv,
)

YEAR = 2023
AS_OF = date(2025, 1, 6)
WITA = ZoneInfo("Asia/Makassar")
COLUMNS = [
    "tracking_id",
    "unit_key",
    "status",
    "submitted_at",
    "dispositioned_at",
    "first_response_at",
    "resolved_at",
]


def fill(url: str, csv_path: Path) -> None:
    from sqlalchemy.orm import Session

    from renaksi.db.engine import create_db_engine
    from renaksi.lapor.service import import_complaints
    from renaksi.settings import Settings

    engine = create_db_engine(url)
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        import_complaints(
            session,
            csv_path.read_bytes(),
            file_name=csv_path.name,
            settings=Settings(database_url=url),
            actor=Actor.system("bench"),
        )
    engine.dispose()


def _bounds(quarter: int) -> tuple[datetime, datetime]:
    start = date(YEAR, 3 * quarter - 2, 1)
    end = date(YEAR + 1, 1, 1) if quarter == 4 else date(YEAR, 3 * quarter + 1, 1)
    return (
        datetime.combine(start, dtime(), WITA).astimezone(UTC),
        datetime.combine(end, dtime(), WITA).astimezone(UTC),
    )


def floor(engine: object) -> int:
    """Read the same columns of the same rows, bare, into polars (one frame per quarter)."""
    import sqlalchemy as sa

    assert isinstance(engine, sa.Engine)
    rows = 0
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        sqlite = conn.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM complaint "
            f"WHERE submitted_at >= {mark} AND submitted_at < {mark}"
        )
        for quarter in (1, 2, 3, 4):
            start, end = _bounds(quarter)
            params = (
                (start.strftime("%Y-%m-%d %H:%M:%S.%f"), end.strftime("%Y-%m-%d %H:%M:%S.%f"))
                if sqlite
                else (start, end)
            )
            cur = driver.cursor()
            cur.execute(sql, params)
            frame = pl.DataFrame(cur.fetchall(), schema=COLUMNS, orient="row")
            cur.close()
            rows += frame.height
    return rows


def renaksi_kpis(engine: object, url: str) -> int:
    from sqlalchemy.orm import Session

    from renaksi.lapor.kpi import Period
    from renaksi.lapor.service import kpi_frame
    from renaksi.settings import Settings

    settings = Settings(database_url=url)
    received = 0
    with Session(engine, expire_on_commit=False, autoflush=False) as session:  # type: ignore[call-overload]
        for quarter in (1, 2, 3, 4):
            frame = kpi_frame(session, settings=settings, period=Period(YEAR, quarter), as_of=AS_OF)
            received += int(frame.filter(pl.col("unit_code").is_null())["received"].item())
    return received


def measure(url: str, runs: int) -> dict:
    from renaksi.db import revision
    from renaksi.db.engine import create_db_engine

    engine = create_db_engine(url)
    # measure the computation, not the data-revision cache (a repeat would be a cache hit)
    revision.configure(engine, seconds=0)
    floors, kpis = [], []
    floor(engine)  # warm the page cache once, for both
    for _ in range(runs):
        t0 = time.perf_counter()
        rows = floor(engine)
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        received = renaksi_kpis(engine, url)
        kpis.append(time.perf_counter() - t0)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT COUNT(*) FROM complaint").scalar()
    engine.dispose()
    return {
        "floor_s": floors,
        "kpi_s": kpis,
        "rows_read": rows,
        "received_total": received,
        "stored": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--url", help="reuse this filled SQLite/PostgreSQL database")
    parser.add_argument("--workdir", type=Path, help="keep data here (default: a temp dir)")
    args = parser.parse_args()
    result: dict = {"rows": args.rows, "year": YEAR, "as_of": AS_OF, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="renaksi-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.url:
            backend = "sqlite" if args.url.startswith("sqlite") else "postgresql"
            result["backends"][backend] = measure(args.url, args.runs)
        else:
            csv_path = write_lapor_csv(workdir / f"lapor-{args.rows}.csv", args.rows)
            for backend in args.backend.split(","):
                print(f"# filling {backend} with {args.rows:,} complaints", file=sys.stderr)
                if backend == "sqlite":
                    url = fresh_sqlite(workdir, "kpi")
                    fill(url, csv_path)
                    result["backends"][backend] = measure(url, args.runs)
                else:
                    with pg_schema() as (url, _):
                        fill(url, csv_path)
                        result["backends"][backend] = measure(url, args.runs)
    result["machine"] = machine_facts("postgresql" in result["backends"])
    table = []
    for backend, r in result["backends"].items():
        value, base = median(r["kpi_s"]), median(r["floor_s"])
        table.append(
            {
                "what": f"KPIs, 4 quarters of {YEAR}, all units, {backend}",
                "rows": f"{r['stored']:,} stored / {r['rows_read']:,} read",
                "median s": value,
                "floor s": base,
                "ratio": value / base,
                "goal": "≤ 1.5×",
                "met": "yes" if value / base <= 1.5 else "NO",
                "runs": len(r["kpi_s"]),
            }
        )
    result["table"] = table
    save_result(f"kpi-{args.rows}-{'-'.join(result['backends'])}", result)
    print_table(table, ["what", "rows", "median s", "floor s", "ratio", "goal", "met", "runs"])


if __name__ == "__main__":
    main()
