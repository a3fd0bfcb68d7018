"""The Alembic migrations build exactly the schema the models describe, and go down and up
again cleanly, on every test backend."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import renaksi.db.models  # noqa: F401 - registers every table
from renaksi.db.base import Base
from renaksi.db.migrate import upgrade


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_the_models(engine: sa.Engine) -> None:
    assert _differences(engine) == []


def test_latest_migration_goes_down_and_up_again(engine: sa.Engine) -> None:
    from alembic import command

    from renaksi.db.migrate import alembic_config

    command.downgrade(alembic_config(engine), "-1")
    upgrade(engine)
    assert _differences(engine) == []
