"""SQLite: AUTOINCREMENT on the audited tables, so a new record never gets the id of a
deleted one (the audit trail is filed by entity and id; without AUTOINCREMENT SQLite hands
the id of a deleted last row to the next new row, and one id's history would tell of two
records). PostgreSQL sequences never hand out a number twice: nothing to do there.

Each table is rebuilt (batch mode, every row, index, constraint and foreign key kept) with
foreign key enforcement off (see env.py: dropping a parent table with it on would first
delete its children). The id counter of each table starts past every id its history has
seen, so an id freed before this migration is not given out once more either.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: audited tables with an integer id, and the entity name their history is filed under
#: (the audited tables keyed by other records' ids or by a natural key need no counter)
AUDITED_TABLES = {
    "unit": "unit",
    "unit_alias": "unit_alias",
    "app_user": "user",
    "objective": "objective",
    "action": "action",
    "progress_report": "progress_report",
    "budget_line": "budget_line",
    "kpi_link": "kpi_link",
    "period_lock": "period_lock",
}


def _rebuild(table: str, *, autoincrement: bool) -> None:
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def _start_past_history(table: str, entity: str) -> None:
    """Move the table's id counter past the highest id in its table and its history."""
    bind = op.get_bind()
    highest = bind.execute(
        sa.text(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), coalesce(("
            "SELECT max(CAST(entity_id AS INTEGER)) FROM audit_log "
            "WHERE entity = :entity AND entity_id <> '' AND entity_id NOT GLOB '*[^0-9]*'), 0))"
        ),
        {"entity": entity},
    ).scalar_one()
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
    if highest:
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": table, "seq": highest},
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, entity in AUDITED_TABLES.items():
        _rebuild(table, autoincrement=True)
        _start_past_history(table, entity)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in AUDITED_TABLES:
        _rebuild(table, autoincrement=False)
