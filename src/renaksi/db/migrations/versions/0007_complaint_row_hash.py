"""complaint.row_hash: a hash of every stored column, so a re-import compares one integer
per row (rows stored before it keep NULL and are compared column by column)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("row_hash", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("row_hash")
