"""Alembic environment: uses the engine handed over by renaksi.db.migrate (batch mode for SQLite)."""

from alembic import context
from sqlalchemy.engine import Engine

import renaksi.db.models  # noqa: F401  (registers every table)
from renaksi.db.base import Base

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:  # plain `alembic` command: build one from the configured URL
    from renaksi.db.engine import create_db_engine
    from renaksi.settings import Settings

    engine = create_db_engine(Settings.from_env().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
