"""PostgreSQL: TRUNCATE of the audit trail is refused too, like UPDATE and DELETE (0003).

A row trigger does not see TRUNCATE; a statement trigger on it calls the same function.
SQLite has no TRUNCATE (its ``DELETE FROM`` is already refused by 0003's trigger).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 01:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
