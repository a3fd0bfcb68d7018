"""Budget-gap workbook for a plan of 100k action-years against a bare xlsxwriter
``constant_memory`` write of the same cells.

The plan (100k actions, each active in the measured year with one USULAN and, for most, one
DPA line) is bulk-inserted with SQLAlchemy Core on top of the seeded units. The workbook is
made by the documented command ``renaksi export budget-gap --year Y --out PATH`` (issue 4)
in a child process: wall time and peak RSS. The floor then reads every cell of every sheet
of that workbook back (calamine) and writes the same values with a bare
``xlsxwriter.Workbook(constant_memory=True)`` in another child process (only the write is
timed). While the reports package does not exist yet the script says so and measures the
floor on the ``Rincian`` cells alone (one row per action-year, the issue's columns).

    .venv/bin/python bench/budget_gap.py --actions 100000
    .venv/bin/python bench/budget_gap.py --actions 100000 --runs 1 --profile
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    RESULTS,
    child_done,
    fresh_sqlite,
    machine_facts,
    median,
    print_table,
    run_child,
    save_result,
)

HERE = Path(__file__).resolve()
YEAR = 2025
RINCIAN = [
    "Kode Aksi",
    "Aksi",
    "PD",
    "Tahun",
    "Usulan",
    "Pagu",
    "Realisasi",
    "Selisih",
    "Status Anggaran",
]


def build_plan(url: str, actions: int) -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from renaksi.codes import Direction, Source, Stage
    from renaksi.db.engine import create_db_engine
    from renaksi.db.models import Action, ActionTarget, BudgetLine, Objective, Plan, Unit

    rng = random.Random(2025)
    engine = create_db_engine(url)
    with Session(engine) as session, session.begin():
        unit_ids = list(session.scalars(sa.select(Unit.id).order_by(Unit.code)))
        plan = Plan(code="RENAKSI-2022-2026", name="Renaksi bench", start_year=2022, end_year=2026)
        session.add(plan)
        session.flush()
        objectives = [Objective(plan_id=plan.id, title=f"Sasaran {i}") for i in range(20)]
        session.add_all(objectives)
        session.flush()
        session.execute(
            sa.insert(Action),
            [
                {
                    "plan_id": plan.id,
                    "code": f"A{i:06d}",
                    "objective_id": objectives[i % 20].id,
                    "title": f"Aksi nomor {i} untuk percepatan tindak lanjut pengaduan",
                    "indicator": "Persentase pengaduan ditindaklanjuti",
                    "measure_unit": "persen",
                    "direction": Direction.NAIK,
                    "baseline": 50.0,
                    "lead_unit_id": unit_ids[i % len(unit_ids)],
                    "sub_kegiatan_code": "2.16.02.2.01.0002",
                }
                for i in range(actions)
            ],
        )
        ids = list(session.scalars(sa.select(Action.id).order_by(Action.id)))
        session.execute(
            sa.insert(ActionTarget),
            [{"action_id": a, "year": y, "value": 80.0} for a in ids for y in (YEAR - 1, YEAR)],
        )
        lines = []
        for n, a in enumerate(ids):
            usulan = rng.randrange(10, 500) * 1_000_000
            lines.append(
                {
                    "action_id": a,
                    "year": YEAR,
                    "stage": Stage.USULAN,
                    "source": Source.DAU,
                    "unit_id": unit_ids[n % len(unit_ids)],
                    "amount": usulan,
                }
            )
            if n % 4:  # a quarter of the actions have no pagu: TANPA_PAGU
                lines.append(
                    {
                        "action_id": a,
                        "year": YEAR,
                        "stage": Stage.DPA,
                        "source": Source.DAU,
                        "unit_id": unit_ids[n % len(unit_ids)],
                        "amount": usulan - rng.randrange(0, 3) * 5_000_000,
                    }
                )
        session.execute(sa.insert(BudgetLine), lines)
    engine.dispose()


def child_export(url: str, out: Path, profile: Path | None = None) -> None:
    from renaksi.cli import main

    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    t0 = time.perf_counter()
    main.main(
        ["export", "budget-gap", "--year", str(YEAR), "--out", str(out), "--database-url", url],
        standalone_mode=False,
    )
    seconds = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
        assert profile is not None
        profile.write_text(profiler.output_text(unicode=True, show_all=False))
    child_done(seconds)


def child_floor(cells: Path, out: Path) -> None:
    import xlsxwriter

    sheets: dict[str, list[list[object]]] = pickle.loads(cells.read_bytes())
    t0 = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    workbook.close()
    child_done(
        time.perf_counter() - t0, cells=sum(len(r) for rows in sheets.values() for r in rows)
    )


def cells_of(workbook: Path) -> dict[str, list[list[object]]]:
    """Every cell of every sheet, as calamine reads them (None for empty)."""
    import fastexcel

    reader = fastexcel.read_excel(str(workbook))
    sheets = {}
    for name in reader.sheet_names:
        frame = reader.load_sheet(name, header_row=None).to_polars()
        sheets[name] = [list(r) for r in frame.iter_rows()]
    return sheets


def rincian_cells(url: str) -> dict[str, list[list[object]]]:
    """Stand-in while reports/ is missing: the Rincian rows from the budget service's flags."""
    from renaksi.budget.service import list_flags
    from renaksi.db.engine import create_db_engine, make_session_factory
    from renaksi.settings import Settings

    engine = create_db_engine(url)
    session = make_session_factory(engine)()
    flags = list_flags(session, year=YEAR, settings=Settings(database_url=url))
    rows: list[list[object]] = [list(RINCIAN)]
    rows += [
        [
            f.action_code,
            f"Aksi {f.action_code}",
            f.unit_code,
            f.year,
            f.usulan,
            f.pagu,
            f.realisasi,
            f.gap,
            ", ".join(str(x) for x in f.flags),
        ]
        for f in flags
    ]
    session.close()
    engine.dispose()
    return {"Rincian": rows}


def export_available() -> bool:
    from renaksi.cli import main

    export = main.commands.get("export")  # type: ignore[attr-defined]
    return export is not None and "budget-gap" in getattr(export, "commands", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="one more export under pyinstrument, not timed"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, a, b, *rest = args.child
        if kind == "export":
            child_export(a, Path(b), Path(rest[0]) if rest else None)
        else:
            child_floor(Path(a), Path(b))
        return
    result: dict = {"actions": args.actions, "year": YEAR}
    with tempfile.TemporaryDirectory(prefix="renaksi-bench-") as tmp:
        workdir = Path(tmp)
        url = fresh_sqlite(workdir, "gap")
        t0 = time.perf_counter()
        build_plan(url, args.actions)
        print(
            f"# plan of {args.actions:,} actions built in {time.perf_counter() - t0:.0f}s",
            file=sys.stderr,
        )
        available = export_available()
        result["reports_available"] = available
        exports, floors = [], []
        cells = workdir / "cells.pickle"
        if not available:
            print(
                "# `renaksi export budget-gap` does not exist yet (issue 4): floor only",
                file=sys.stderr,
            )
            cells.write_bytes(pickle.dumps(rincian_cells(url)))
        for run in range(args.runs):
            if available:
                out = workdir / f"gap-{run}.xlsx"
                exports.append(run_child(HERE, "--child", "export", url, str(out)))
                if run == 0:
                    cells.write_bytes(pickle.dumps(cells_of(out)))
            floors.append(
                run_child(HERE, "--child", "floor", str(cells), str(workdir / "bare.xlsx"))
            )
            print(
                f"  run {run + 1}: export {exports[-1].seconds if exports else float('nan'):.2f}s,"
                f" floor {floors[-1].seconds:.2f}s",
                file=sys.stderr,
            )
        if args.profile and available:
            profile = RESULTS / f"profile-budget-gap-{args.actions}.txt"
            profile.parent.mkdir(parents=True, exist_ok=True)
            run_child(HERE, "--child", "export", url, str(workdir / "gap-p.xlsx"), str(profile))
            print(f"# profile of one more export: {profile}", file=sys.stderr)
    result["floor_s"] = [m.seconds for m in floors]
    result["floor_peak_mb"] = max(m.peak_mb for m in floors)
    result["cells"] = floors[0].out["cells"]
    row = {
        "what": f"budget-gap workbook, {args.actions:,} action-years",
        "floor s": median(result["floor_s"]),
        "floor peak MB": round(result["floor_peak_mb"]),
        "cells": f"{result['cells']:,}",
        "goal": "≤ 1.5×, ≤ 300 MB",
    }
    if exports:
        result["export_s"] = [m.seconds for m in exports]
        result["export_peak_mb"] = max(m.peak_mb for m in exports)
        ratio = median(result["export_s"]) / row["floor s"]
        row |= {
            "median s": median(result["export_s"]),
            "ratio": ratio,
            "peak MB": round(result["export_peak_mb"]),
            "met": "yes" if ratio <= 1.5 and result["export_peak_mb"] <= 300 else "NO",
        }
    else:
        row |= {"median s": None, "ratio": None, "peak MB": None, "met": "not measurable yet"}
    result["table"] = [row]
    result["machine"] = machine_facts(False)
    save_result(f"budget_gap-{args.actions}", result)
    print_table(
        result["table"],
        [
            "what",
            "cells",
            "median s",
            "floor s",
            "ratio",
            "goal",
            "met",
            "peak MB",
            "floor peak MB",
        ],
    )


if __name__ == "__main__":
    main()
