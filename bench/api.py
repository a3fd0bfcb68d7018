"""API throughput and latency on demo data ×10 against a bare Litestar app returning the same
Structs from memory, both served the same way: ``uvicorn`` (one worker, 127.0.0.1, log level
warning), loaded by ``wrk`` (2 threads, 16 connections, fixed duration) on loopback.

Data: the Kutai Timur seeds through the real importers, then 9 more copies of every unit,
action (with its budget lines and KPI links) and complaint made through the services, so the
database holds ~10× the demo (650 units, 400 actions, ~5,600 budget lines, ~35,000 complaints).

Endpoints: a page of 50 actions, the flags of a year (with PRIORITAS, so KPIs are computed),
the KPIs of a quarter. If the API answers 401 (accounts exist), pass ``--token`` (sent as
``Authorization: Bearer TOKEN``) made the way the README documents.

    .venv/bin/python bench/api.py --duration 10
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import msgspec
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    ROOT,
    SEEDS,
    fresh_sqlite,
    machine_facts,
    pg_schema,
    print_table,
    save_result,
)

COPIES = 10
YEAR = 2024
AS_OF = date(2024, 12, 31)
ENDPOINTS = {
    "actions (page of 50)": "/api/v1/actions?page=1&per_page=50",
    f"flags {YEAR}": f"/api/v1/flags?year={YEAR}&as_of={AS_OF}",
    f"KPIs {YEAR}-Q2": f"/api/v1/kpis?year={YEAR}&quarter=2&as_of={AS_OF}",
}


# --- data --------------------------------------------------------------------------------------


def build_demo_x10(url: str) -> None:
    """Seeds through the importers, then 9 copies of everything through the services."""
    import click
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from renaksi.auth.actor import Actor
    from renaksi.budget import service as budget
    from renaksi.budget.schemas import BudgetLineCreate
    from renaksi.cli import load_demo
    from renaksi.db.engine import create_db_engine, make_session_factory
    from renaksi.db.models import Action, BudgetLine, KpiLink, Unit
    from renaksi.lapor.service import import_complaints
    from renaksi.plan import kpi_links
    from renaksi.plan import service as plan
    from renaksi.plan.schemas import ActionCreate, KpiLinkCreate, Target
    from renaksi.settings import Settings
    from renaksi.units import service as units
    from renaksi.units.schemas import UnitCreate

    settings = Settings(database_url=url)
    actor = Actor.system("bench")
    click.echo = lambda *a, **k: None  # type: ignore[assignment]  # keep the bench output short
    load_demo(settings, SEEDS)
    engine = create_db_engine(url)
    session: Session = make_session_factory(engine)()
    seed_units = units.list_units(session)
    seed_actions = plan.list_actions(session, per_page=500, actor=actor).items
    lines = session.execute(
        sa.select(BudgetLine, Action.code, Unit.code)
        .join(Action, Action.id == BudgetLine.action_id)
        .join(Unit, Unit.id == BudgetLine.unit_id)
    ).all()
    links = [
        (a.code, link)
        for a in seed_actions
        for link in kpi_links.list_links(session, a.id, actor=actor)
    ]
    session.rollback()
    raw = pl.read_csv(SEEDS / "lapor-kutim-2022-2024.csv", separator=";", infer_schema=False)
    raw.columns = [c.lstrip("\ufeff") for c in raw.columns]
    names = {u.name: u for u in seed_units}
    for k in range(2, COPIES + 1):
        code_of = {u.code: f"{u.code}-X{k}" for u in seed_units}
        for u in seed_units:
            units.create_unit(
                session,
                UnitCreate(
                    code=code_of[u.code],
                    name=f"{u.name} (salinan {k})",
                    kind=u.kind,
                    aliases=[f"{a} (salinan {k})" for a in u.aliases],
                ),
                actor=Actor.system(),
            )
        action_ids = {}
        for a in seed_actions:
            created = plan.create_action(
                session,
                ActionCreate(
                    code=f"{a.code}-X{k}",
                    objective=a.objective,
                    title=a.title,
                    indicator=a.indicator,
                    measure_unit=a.measure_unit,
                    lead_unit=code_of[a.lead_unit],
                    direction=a.direction,
                    baseline=a.baseline,
                    targets=[Target(year=t.year, value=t.value) for t in a.targets],
                    supporting_units=[code_of[c] for c in a.supporting_units],
                    sub_kegiatan_code=a.sub_kegiatan_code,
                    note=a.note,
                ),
                actor=actor,
            )
            action_ids[a.code] = created.id
        for line, action_code, unit_code in lines:
            budget.create_line(
                session,
                BudgetLineCreate(
                    action_id=action_ids[action_code],
                    year=line.year,
                    stage=line.stage,
                    source=line.source,
                    amount=line.amount,
                    unit=code_of[unit_code],
                    note=line.note,
                ),
                actor=actor,
            )
        for action_code, link in links:
            kpi_links.create_link(
                session,
                action_ids[action_code],
                KpiLinkCreate(kpi=link.kpi, unit=code_of[link.unit], targets=link.targets),
                actor=Actor.system(),
            )
        copy = raw.with_columns(
            (pl.lit(f"{k}") + pl.col("No Tracking").str.strip_prefix("#")).alias("No Tracking"),
            pl.col("Instansi Tujuan").replace_strict(
                {n: f"{n} (salinan {k})" for n in names}, default=pl.col("Instansi Tujuan")
            ),
        )
        buffer = io.BytesIO()
        copy.write_csv(buffer, separator=";")
        import_complaints(
            session,
            buffer.getvalue(),
            file_name=f"salinan-{k}.csv",
            settings=settings,
            actor=Actor.system("bench"),
        )
    counts = {
        t: session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Unit, Action, BudgetLine, KpiLink)
    }
    print(f"# demo ×{COPIES}: {counts}", file=sys.stderr)
    session.close()
    engine.dispose()
    _ = KpiLink


def snapshot(url: str, path: Path) -> None:
    """The three responses as the services produce them, for the bare app to hold in memory."""
    from renaksi.budget import service as budget
    from renaksi.db.engine import create_db_engine, make_session_factory
    from renaksi.lapor import service as lapor
    from renaksi.plan import service as plan
    from renaksi.settings import Settings

    settings = Settings(database_url=url)
    engine = create_db_engine(url)
    session = make_session_factory(engine)()
    from renaksi.auth.actor import Actor

    data = {
        "actions": plan.list_actions(session, page=1, per_page=50, actor=Actor.system("bench")),
        "flags": budget.list_flags(session, year=YEAR, as_of=AS_OF, settings=settings),
        "kpis": lapor.kpis(session, settings=settings, year=YEAR, quarter=2, as_of=AS_OF),
    }
    path.write_bytes(msgspec.json.encode(data))
    session.close()
    engine.dispose()


# --- serving and loading -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT / "bench",
        env={**os.environ, **env},
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except urllib.error.HTTPError:  # answering, even if it wants a login
            return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{factory} did not start")


def make_token(url: str) -> str:
    """An admin account and an API token, made the way the README documents
    (``renaksi users add`` then ``renaksi tokens create``); the secret is the last line."""

    def renaksi(*args: str, stdin: str = "") -> str:
        return subprocess.run(
            [sys.executable, "-m", "renaksi.cli", *args, "--database-url", url],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    renaksi("users", "add", "bench", "--role", "admin", "--password-stdin", stdin="bench-" * 4)
    return renaksi("tokens", "create", "bench", "--name", "benchmark").strip().splitlines()[-1]


def get(url: str, token: str | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def wrk(url: str, duration: int, token: str | None) -> dict[str, float]:
    cmd = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p = {
        pct: float(v) * _UNITS[unit]
        for pct, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p["50"],
        "p99_ms": p["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint and app")
    parser.add_argument("--rounds", type=int, default=3, help="alternating renaksi/bare rounds")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--token", default=os.environ.get("RENAKSI_BENCH_TOKEN"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="renaksi-bench-") as tmp:
        workdir = Path(tmp)
        if args.backend == "sqlite":
            result = run(fresh_sqlite(workdir, "api"), workdir, args)
        else:
            with pg_schema() as (url, _):
                result = run(url, workdir, args)
    save_result(f"api-{args.backend}", result)
    print_table(
        result["table"],
        ["what", "rps", "floor rps", "ratio", "p50 ms", "p99 ms", "floor p99 ms", "met"],
    )


def run(url: str, workdir: Path, args: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    build_demo_x10(url)
    print(f"# data built in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    snap = workdir / "snapshot.json"
    snapshot(url, snap)
    env = {"RENAKSI_DATABASE_URL": url, "RENAKSI_BENCH_SNAPSHOT": str(snap)}
    samples: dict[str, dict[str, list[dict[str, float]]]] = {
        name: {"renaksi": [], "bare": []} for name in ENDPOINTS
    }
    for round_no in range(args.rounds):
        for app, factory in (("renaksi", "api_apps:renaksi_app"), ("bare", "api_apps:bare_app")):
            port = free_port()
            proc = serve(factory, port, env)
            try:
                for name, path in ENDPOINTS.items():
                    status, body = get(f"http://127.0.0.1:{port}{path}", args.token)
                    if status == 401 and app == "renaksi" and not args.token:
                        args.token = make_token(url)
                        print(
                            "# the API asks for a login: using a bench admin token", file=sys.stderr
                        )
                        status, body = get(f"http://127.0.0.1:{port}{path}", args.token)
                    if status != 200:
                        raise RuntimeError(f"{app} {path}: {status} {body[:300]!r}")
                    if round_no == 0:
                        samples[name].setdefault("bytes", []).append({"n": len(body)})  # type: ignore[arg-type]
                    samples[name][app].append(
                        wrk(f"http://127.0.0.1:{port}{path}", args.duration, args.token)
                    )
                    last = samples[name][app][-1]
                    print(
                        f"  round {round_no + 1} {app:8} {name:22} {last['rps']:8.1f} req/s "
                        f"p99 {last['p99_ms']:.1f} ms",
                        file=sys.stderr,
                    )
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    table = []
    for name, s in samples.items():
        rps = sorted(x["rps"] for x in s["renaksi"])[len(s["renaksi"]) // 2]
        floor = sorted(x["rps"] for x in s["bare"])[len(s["bare"]) // 2]
        p99 = sorted(x["p99_ms"] for x in s["renaksi"])[len(s["renaksi"]) // 2]
        p50 = sorted(x["p50_ms"] for x in s["renaksi"])[len(s["renaksi"]) // 2]
        floor_p99 = sorted(x["p99_ms"] for x in s["bare"])[len(s["bare"]) // 2]
        table.append(
            {
                "what": name,
                "rps": rps,
                "floor rps": floor,
                "ratio": rps / floor,
                "p50 ms": p50,
                "p99 ms": p99,
                "floor p99 ms": floor_p99,
                "met": "yes" if rps / floor >= 0.5 and p99 < 50 else "NO",
                "bytes": [b["n"] for b in s.get("bytes", [])],  # type: ignore[union-attr]
            }
        )
    return {
        "backend": args.backend,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "samples": samples,
        "table": table,
        "machine": machine_facts(args.backend == "postgresql"),
    }


if __name__ == "__main__":
    main()
