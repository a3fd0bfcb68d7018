"""complaint: drop the indexes on unit_key and batch_id (no query uses them; they cost ~13 %
of a bulk import)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_complaint_unit_key", table_name="complaint")
    op.drop_index("ix_complaint_batch_id", table_name="complaint")


def downgrade() -> None:
    op.create_index("ix_complaint_batch_id", "complaint", ["batch_id"])
    op.create_index("ix_complaint_unit_key", "complaint", ["unit_key"])
