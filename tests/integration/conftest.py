"""Fast fixtures for the API and CLI tests: expensive setup is done once and copied.

The shared fixtures pay for every test: ``client`` hashes an admin password with argon2
(slow on purpose) and ``demo_loaded`` runs the importers (~0.3 s). Here the same rows are
made once per session through the same code, then inserted into each test's fresh database,
and the read-only tests share one demo database per backend.
"""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.db.base import Base
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.db.migrate import upgrade
from renaksi.db.models import (
    Action,
    ActionTarget,
    BudgetLine,
    KpiLink,
    KpiTarget,
    Objective,
    Plan,
    Unit,
    UnitAlias,
    action_supporting_units,
)
from renaksi.plan.importer import import_plan
from renaksi.settings import Settings
from renaksi.units.service import import_units
from tests.conftest import BACKENDS, PG_URL, Cli, make_user
from tests.helpers import SEEDS
from tests.servers import serving

Snapshot = list[tuple[sa.Table, list[dict[str, Any]]]]
#: what the demo import owns, in dependency order (its audit trail is not copied)
DEMO_TABLES: list[sa.Table] = [
    Unit.__table__,  # type: ignore[list-item]
    UnitAlias.__table__,  # type: ignore[list-item]
    Plan.__table__,  # type: ignore[list-item]
    Objective.__table__,  # type: ignore[list-item]
    Action.__table__,  # type: ignore[list-item]
    action_supporting_units,
    ActionTarget.__table__,  # type: ignore[list-item]
    BudgetLine.__table__,  # type: ignore[list-item]
    KpiLink.__table__,  # type: ignore[list-item]
    KpiTarget.__table__,  # type: ignore[list-item]
]


def take_snapshot(engine: sa.Engine, tables: list[sa.Table]) -> Snapshot:
    with engine.connect() as conn:
        return [(t, [dict(r._mapping) for r in conn.execute(sa.select(t))]) for t in tables]


def restore(engine: sa.Engine, snapshot: Snapshot) -> None:
    """Insert the rows; on PostgreSQL move the id sequences past them."""
    with engine.begin() as conn:
        for table, rows in snapshot:
            if rows:
                conn.execute(table.insert(), rows)
        if engine.dialect.name == "postgresql":
            for table, rows in snapshot:
                if rows and "id" in table.c:
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )


def load_demo(engine: sa.Engine) -> None:
    """The Kutai Timur demo through the real importers (as ``renaksi demo`` does)."""
    with make_session_factory(engine)() as session:
        import_units(session, SEEDS / "units.csv", actor=Actor.system())
        import_plan(session, SEEDS / "renaksi-2022-2026.xlsx", actor=Actor.system())


def new_admin(engine: sa.Engine) -> str:
    with make_session_factory(engine)() as session:
        return make_user(session, "admin-uji", "admin")


@pytest.fixture(scope="session")
def scratch_engine(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sa.Engine]:
    """A throwaway migrated SQLite database for making snapshots."""
    path = tmp_path_factory.mktemp("scratch") / "scratch.db"
    shutil.copy(sqlite_template, path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_snapshot(scratch_engine: sa.Engine) -> Snapshot:
    load_demo(scratch_engine)
    return take_snapshot(scratch_engine, DEMO_TABLES)


@pytest.fixture(scope="session")
def admin_snapshot(scratch_engine: sa.Engine) -> tuple[str, Snapshot]:
    """An admin user and its API token (argon2 runs once), with every row that made them."""
    tables = [t for t in Base.metadata.sorted_tables if not t.name.startswith("audit")]

    def keys(table: sa.Table, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {tuple(r[c.name] for c in table.primary_key.columns) for r in rows}

    before = {
        table.name: keys(table, rows) for table, rows in take_snapshot(scratch_engine, tables)
    }
    token = new_admin(scratch_engine)
    added = [
        (table, [r for r in rows if keys(table, [r]) - before[table.name]])
        for table, rows in take_snapshot(scratch_engine, tables)
    ]
    return token, [(table, rows) for table, rows in added if rows]


@pytest.fixture
def demo(engine: sa.Engine, demo_snapshot: Snapshot) -> sa.Engine:
    """This test's database holding exactly what ``demo_loaded`` would have imported."""
    restore(engine, demo_snapshot)
    return engine


@pytest.fixture
def api(
    settings: Settings, engine: sa.Engine, admin_snapshot: tuple[str, Snapshot]
) -> Iterator[TestClient[Any]]:
    """Like ``client`` (an admin with an API token) on this test's fresh database."""
    token, rows = admin_snapshot
    restore(engine, rows)
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


@dataclass
class Shared:
    """A demo database shared by read-only tests: they must not write to it."""

    url: str
    client: TestClient[Any]
    cli: Cli


@pytest.fixture(scope="session", params=BACKENDS)
def shared_demo(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Shared]:
    schema = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("shared") / "demo.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        assert PG_URL
        schema = f"renaksi_shared_{uuid.uuid4().hex[:10]}"
        admin = create_db_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = (
            sa.make_url(PG_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    engine = create_db_engine(url)
    if schema:
        upgrade(engine)
    load_demo(engine)
    token = new_admin(engine)
    engine.dispose()
    settings = Settings(database_url=url, development=True)
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield Shared(url=url, client=test_client, cli=Cli(url))
    if schema:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def two_servers(settings: Settings) -> Iterator[list[str]]:
    """Two independent ``uvicorn`` processes serving this test's database; their base URLs."""
    with serving(settings.database_url, 2) as urls:
        yield urls
