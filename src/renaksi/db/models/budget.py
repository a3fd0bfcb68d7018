"""Budget lines: one amount per action × year × stage × funding source × unit."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from renaksi.codes import Source, Stage
from renaksi.db.base import Base, Timestamped
from renaksi.db.models._types import NO_REUSED_IDS, enum_column


class BudgetLine(Timestamped, Base):
    __tablename__ = "budget_line"
    __table_args__ = (
        sa.UniqueConstraint("action_id", "year", "stage", "source", "unit_id"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_budget_line_year_unit", "year", "unit_id"),
        NO_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"))
    year: Mapped[int]
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, 12))
    source: Mapped[Source] = mapped_column(enum_column(Source, 20))
    #: the unit whose budget carries the line (the action's lead unit unless stated)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    #: whole Rupiah
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str | None] = mapped_column(sa.Text)
