"""Alembic environment: uses the engine handed over by renaksi.db.migrate (batch mode for SQLite).

On SQLite, foreign key enforcement is off while migrations run: a batch migration rebuilds a
table (copy, drop, rename), and dropping a table that other tables reference would otherwise
fail, or first delete the rows that reference it (ON DELETE CASCADE). SQLite only changes this
setting outside a transaction, so it is set before any migration begins; every reference is
checked (``PRAGMA foreign_key_check``) at the end of each migration, inside its transaction
(Alembic gives each SQLite migration its own), and enforcement is turned back on for the
connection's next user.
"""

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

import renaksi.db.models  # noqa: F401  (registers every table)
from renaksi.db.base import Base
from renaksi.errors import ConflictError

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:  # plain `alembic` command: build one from the configured URL
    from renaksi.db.engine import create_db_engine
    from renaksi.settings import Settings

    engine = create_db_engine(Settings.from_env().database_url)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Set on the driver's connection: outside any transaction, as SQLite requires."""
    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if on else 'OFF'}"
    )


def _check_foreign_keys(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """Refuse to commit a migration that leaves a row referring to a row that is not there."""
    assert ctx.connection is not None
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        shown = "; ".join(f"tabel {t} baris {r} → {p}" for t, r, p, _ in broken[:10])
        raise ConflictError(
            f"Migrasi dibatalkan, basis data tidak diubah olehnya: {len(broken)} baris merujuk "
            f"ke baris yang tidak ada ({shown})."
        )


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            on_version_apply=_check_foreign_keys if sqlite else None,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            _sqlite_foreign_keys(connection, on=True)
