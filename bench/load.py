"""Load: simulated users of every role read and write through two ``uvicorn`` processes on one
fresh demo database, for a fixed time; prints requests, req/s, latency, 412 retries, errors
and lost updates. The same generator and checks as ``tests/integration/test_load.py``
(:mod:`tests.loadgen`), with the size and duration as options.

    .venv/bin/python bench/load.py                                  # PostgreSQL, 16 users, 30 s
    .venv/bin/python bench/load.py --backend sqlite --clients 32 --seconds 60

Exits 1 when there was an error or a lost update. RENAKSI_BENCH_PG_URL overrides the
PostgreSQL server (a private schema is made and dropped).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

from renaksi.auth.actor import Actor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SEEDS, machine_facts, pg_schema, save_result

sys.path.insert(0, str(ROOT))
from tests import loadgen
from tests.servers import serving


def prepare(url: str, clients: int) -> tuple[list[tuple[str, str, str | None, str]], str]:
    """Migrate, load the demo (``renaksi demo``'s loader), make one user per client and a
    checking admin; ``([(name, role, unit, token)], admin_token)``."""
    from renaksi.auth import schemas
    from renaksi.auth.service import create_token, create_user
    from renaksi.cli import load_demo
    from renaksi.codes import Role
    from renaksi.db.engine import create_db_engine, make_session_factory
    from renaksi.db.migrate import upgrade
    from renaksi.settings import Settings

    engine = create_db_engine(url)
    upgrade(engine)
    load_demo(Settings(database_url=url), SEEDS)

    def token(name: str, role: str, unit: str | None) -> str:
        user = create_user(
            session,
            schemas.UserCreate(
                username=name, password="kata-sandi-uji-beban", role=Role(role), unit=unit
            ),
            actor=Actor.system(),
        )
        return create_token(session, user.id, "beban").secret

    users = []
    with make_session_factory(engine)() as session:
        for i in range(clients):
            role, unit = loadgen.ROLES[i % len(loadgen.ROLES)]
            name = f"beban-{i:02d}-{role}" + (f"-{unit.lower()}" if unit else "")
            users.append((name, role, unit, token(name, role, unit)))
        admin = token("pemeriksa", "admin", None)
    engine.dispose()
    return users, admin


def measure(url: str, clients: int, seconds: float, servers: int) -> tuple[dict, int, list[str]]:
    users, admin_token = prepare(url, clients)
    with serving(url, servers) as urls:
        callers = [
            loadgen.Caller(name, role, unit, token, urls[i % servers])
            for i, (name, role, unit, token) in enumerate(users)
        ]
        headers = {"Authorization": f"Bearer {admin_token}"}
        with httpx.Client(base_url=urls[-1], headers=headers, timeout=60) as admin:
            units = sorted({unit for _, unit in loadgen.ROLES if unit})
            shared = loadgen.find_shared_rows(admin, units)
            started = time.monotonic()
            tally = loadgen.run(callers, shared, seconds=seconds)
            elapsed = time.monotonic() - started
            lost, problems = loadgen.lost_updates(admin, shared, tally)
    return loadgen.figures(tally, elapsed), lost, tally.errors + problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--servers", type=int, default=2, help="uvicorn processes")
    args = parser.parse_args()

    facts = machine_facts(with_pg=args.backend == "postgresql")
    if args.backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="renaksi-load-") as work:
            url = f"sqlite:///{work}/renaksi.db"
            numbers, lost, problems = measure(url, args.clients, args.seconds, args.servers)
    else:
        with pg_schema(prepare=False) as (url, _):
            numbers, lost, problems = measure(url, args.clients, args.seconds, args.servers)
    print(
        f"load on {args.backend}, {args.clients} users, {args.servers} server processes, "
        f"{facts['nproc']} cores:"
    )
    print(loadgen.format_figures(numbers, lost))
    for problem in problems[:20]:
        print("  !", problem)
    save_result(f"load-{args.backend}", {"args": vars(args), "machine": facts, **numbers})
    sys.exit(1 if problems or lost else 0)


if __name__ == "__main__":
    main()
