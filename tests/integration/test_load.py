"""Load: users of every role read and write for a fixed time through two server processes on
one database (the demo data, complaints included); 0 errors and 0 lost updates.

``RENAKSI_LOAD_CLIENTS`` users (default 16) for ``RENAKSI_LOAD_SECONDS`` (default 30) on
PostgreSQL, ``RENAKSI_LOAD_SQLITE_SECONDS`` (default 10) on SQLite, whose one writer at a
time makes a long run there show nothing new. The mix and the checks are in
:mod:`tests.loadgen`; the figures are printed (``docs/reliability.md`` keeps a measured run).
"""

import json
import os
import time

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.db.models import Action, ActionTarget, BudgetLine, ProgressReport
from renaksi.lapor.service import import_complaints
from renaksi.settings import Settings
from tests import loadgen
from tests.conftest import make_user
from tests.helpers import SEEDS

pytestmark = pytest.mark.load

CLIENTS = int(os.environ.get("RENAKSI_LOAD_CLIENTS", "16"))
SECONDS = float(os.environ.get("RENAKSI_LOAD_SECONDS", "30"))
SQLITE_SECONDS = float(os.environ.get("RENAKSI_LOAD_SQLITE_SECONDS", "10"))
#: the planners' units: their actions and budget lines are the rows everyone races on
UNITS = sorted({unit for _, unit in loadgen.ROLES if unit})


@pytest.fixture
def full_demo(demo_loaded: Session, settings: Settings) -> Session:
    """What ``renaksi demo`` loads: units, the plan and the LAPOR! complaints (for KPIs)."""
    for export in sorted(SEEDS.glob("lapor-*.csv")):
        import_complaints(
            demo_loaded,
            export.read_bytes(),
            file_name=export.name,
            settings=settings,
            actor=Actor.system("demo"),
        )
    return demo_loaded


def test_mixed_load_loses_nothing(
    settings: Settings,
    two_servers: list[str],
    full_demo: Session,
    engine: sa.Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seconds = SQLITE_SECONDS if settings.database_url.startswith("sqlite") else SECONDS
    callers = []
    for i in range(CLIENTS):
        role, unit = loadgen.ROLES[i % len(loadgen.ROLES)]
        name = f"beban-{i:02d}-{role}" + (f"-{unit.lower()}" if unit else "")
        token = make_user(full_demo, name, role, unit)
        callers.append(loadgen.Caller(name, role, unit, token, two_servers[i % 2]))
    checker = {"Authorization": f"Bearer {make_user(full_demo, 'pemeriksa', 'admin')}"}
    with httpx.Client(base_url=two_servers[1], headers=checker, timeout=60) as admin:
        shared = loadgen.find_shared_rows(admin, UNITS)
        # every kind of writer has shared rows to race on
        stages = {line["stage"] for line in shared.lines.values()}
        assert stages == {"USULAN", "DPA"}, stages
        assert {line["unit"] for line in shared.lines.values()} == set(UNITS)
        with engine.connect() as conn:
            amounts_before = conn.scalar(
                sa.select(sa.func.sum(BudgetLine.amount)).where(BudgetLine.id.in_(shared.lines))
            )

        started = time.monotonic()
        tally = loadgen.run(callers, shared, seconds=seconds)
        elapsed = time.monotonic() - started

        lost, problems = loadgen.lost_updates(admin, shared, tally)
        for url in two_servers:  # both processes still answer
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    numbers = loadgen.figures(tally, elapsed)
    with capsys.disabled():
        print(f"\nload on {engine.dialect.name}, {CLIENTS} users, 2 server processes:")
        print(loadgen.format_figures(numbers, lost))
        print(json.dumps({k: v for k, v in numbers.items() if k != "per_kind"}))

    assert not tally.errors, f"{len(tally.errors)} errors: {tally.errors[:5]}"
    assert lost == 0 and not problems, problems[:10]
    acked = numbers["writes_acknowledged"]
    assert min(acked.values()) > 0, acked  # each kind of write really happened
    # the same totals straight from the tables, not through the API
    with engine.connect() as conn:
        assert (
            conn.scalar(
                sa.select(sa.func.sum(BudgetLine.amount)).where(BudgetLine.id.in_(shared.lines))
            )
            == amounts_before + loadgen.LINE_STEP * acked["line+"]
        )
        reports = conn.scalar(
            sa.select(sa.func.count()).where(ProgressReport.reported_by.like("beban-%"))
        )
        assert reports == acked["progress+"]
        baselines = conn.scalar(
            sa.select(sa.func.sum(Action.baseline)).where(Action.id.in_(shared.actions))
        )
        target_values = conn.scalar(
            sa.select(sa.func.sum(ActionTarget.value)).where(
                ActionTarget.action_id.in_(shared.actions),
                ActionTarget.year == loadgen.WRITE_YEAR,
            )
        )
    before = shared.actions.values()
    assert baselines == sum(a["baseline"] or 0 for a in before) + acked["baseline+"]
    assert target_values == sum(loadgen.year_target(a) or 0 for a in before) + acked["target+"]
