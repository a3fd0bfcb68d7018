"""Shared fixtures: a real, migrated database per test — SQLite always, PostgreSQL when
``RENAKSI_TEST_DATABASE_URL`` points at one (then every DB test runs on both)."""

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from renaksi.app import create_app
from renaksi.auth.actor import Actor
from renaksi.db.base import Base
from renaksi.db.engine import create_db_engine, make_session_factory
from renaksi.db.migrate import upgrade
from renaksi.settings import Settings
from tests.helpers import SEEDS

PG_URL = os.environ.get("RENAKSI_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private schema on the test PostgreSQL, migrated once, dropped at the end."""
    assert PG_URL
    schema = f"renaksi_test_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = create_db_engine(rendered)
    upgrade(engine)
    engine.dispose()
    yield rendered
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "renaksi.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    engine = create_db_engine(url)
    # DELETE + sequence restart: on tables this small, ~5× faster than one TRUNCATE of them all;
    # the append-only audit tables refuse DELETE and TRUNCATE (triggers); as the database's
    # superuser the fixture truncates them with triggers off for this transaction only
    tables = list(reversed(Base.metadata.sorted_tables))
    append_only = [t for t in tables if t.name.startswith("audit")]
    with engine.begin() as conn:
        if append_only:
            names = ", ".join(f'"{t.name}"' for t in append_only)
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")
            conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
        for table in tables:
            if table not in append_only:
                conn.execute(table.delete())
        sequences = conn.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()"
        ).scalars()
        for sequence in list(sequences):
            conn.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, exports_dir=tmp_path / "exports", development=True)


@pytest.fixture
def engine(settings: Settings) -> Iterator[sa.Engine]:
    engine = create_db_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def make_user(session: Session, username: str, role: str, unit: str | None = None) -> str:
    """Create a user and return a personal API token for it."""
    from renaksi.auth import schemas
    from renaksi.auth.service import create_token, create_user
    from renaksi.codes import Role

    user = create_user(
        session,
        schemas.UserCreate(username=username, password=PASSWORD, role=Role(role), unit=unit),
        actor=Actor.system(),
    )
    return create_token(session, user.id, "tes").secret


PASSWORD = "kata-sandi-uji-panjang"


@pytest.fixture
def anon_client(settings: Settings) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """A client that has not logged in."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def client(anon_client: TestClient, session: Session) -> TestClient:  # type: ignore[type-arg]
    """A client authenticated as an admin with an API token."""
    token = make_user(session, "admin-uji", "admin")
    anon_client.headers["Authorization"] = f"Bearer {token}"
    return anon_client


@pytest.fixture
def client_as(settings: Settings, session: Session) -> Iterator[Callable[..., TestClient]]:  # type: ignore[type-arg]
    """``client_as("perencana", unit="DINKES")``: a fresh client for a new user of that role."""
    opened: list[TestClient] = []  # type: ignore[type-arg]

    def make(role: str, unit: str | None = None, username: str | None = None) -> TestClient:  # type: ignore[type-arg]
        token = make_user(session, username or f"{role}-{len(opened)}", role, unit)
        test_client = TestClient(create_app(settings))  # one app per client: own lifespan
        test_client.__enter__()
        test_client.headers["Authorization"] = f"Bearer {token}"
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


class Cli:
    """Runs the real ``renaksi`` command against the test database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        from renaksi.cli import main

        return self.runner.invoke(
            main,
            list(args),
            env={"RENAKSI_DATABASE_URL": self.database_url},
            catch_exceptions=False,
        )


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)


@pytest.fixture
def units_loaded(session: Session) -> Session:
    """The Kutai Timur unit list, loaded through the real importer."""
    from renaksi.units.service import import_units

    import_units(session, SEEDS / "units.csv", actor=Actor.system())
    return session


@pytest.fixture
def demo_loaded(units_loaded: Session) -> Session:
    """Units plus the Renaksi 2022–2026 seed workbook."""
    from renaksi.plan.importer import import_plan

    import_plan(units_loaded, SEEDS / "renaksi-2022-2026.xlsx", actor=Actor.system())
    return units_loaded
