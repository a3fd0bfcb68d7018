"""The plan: its period, objectives (sasaran), actions (aksi), targets, progress, KPI links."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from renaksi.codes import Direction, KpiName, ProgressStatus
from renaksi.db.base import Base, Timestamped, utcnow
from renaksi.db.models._types import NO_REUSED_IDS, enum_column
from renaksi.db.models.units import Unit


class Plan(Timestamped, Base):
    """One Renaksi, e.g. 2022–2026. Its period is data, so the next plan can sit beside it."""

    __tablename__ = "plan"
    __table_args__ = (sa.CheckConstraint("start_year <= end_year", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Objective(Base):
    """Sasaran: identified by its text within a plan (the workbook carries only the text)."""

    __tablename__ = "objective"
    __table_args__ = (sa.UniqueConstraint("plan_id", "title"), NO_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(500))


action_supporting_units = sa.Table(
    "action_supporting_unit",
    Base.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "unit_id", sa.ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Action(Timestamped, Base):
    __tablename__ = "action"
    __table_args__ = (sa.UniqueConstraint("plan_id", "code"), NO_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(40))
    objective_id: Mapped[int] = mapped_column(sa.ForeignKey("objective.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    indicator: Mapped[str] = mapped_column(sa.Text)
    measure_unit: Mapped[str] = mapped_column(sa.String(60))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 10))
    baseline: Mapped[float | None]
    lead_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    sub_kegiatan_code: Mapped[str | None] = mapped_column(sa.String(30))
    note: Mapped[str | None] = mapped_column(sa.Text)

    plan: Mapped[Plan] = relationship(lazy="raise")
    objective: Mapped[Objective] = relationship(lazy="raise")
    lead_unit: Mapped[Unit] = relationship(lazy="raise", foreign_keys=[lead_unit_id])
    supporting_units: Mapped[list[Unit]] = relationship(
        secondary=action_supporting_units, lazy="raise", order_by=Unit.code
    )
    targets: Mapped[list["ActionTarget"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ActionTarget.year"
    )


class ActionTarget(Base):
    """Target of an action for one year. An action is *active* in the years it has a target."""

    __tablename__ = "action_target"

    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[float]


class ProgressReport(Base):
    """Quarterly progress of an action. Append-only: a new report never overwrites an old one."""

    __tablename__ = "progress_report"
    __table_args__ = (
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        sa.CheckConstraint(
            "progress_pct IS NULL OR (progress_pct BETWEEN 0 AND 100)", name="progress_pct"
        ),
        sa.Index("ix_progress_report_action_period", "action_id", "year", "quarter"),
        NO_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"))
    year: Mapped[int]
    quarter: Mapped[int]
    status: Mapped[ProgressStatus] = mapped_column(enum_column(ProgressStatus))
    achieved_value: Mapped[float | None]
    progress_pct: Mapped[float | None]
    problems: Mapped[str | None] = mapped_column(sa.Text)
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    reported_by: Mapped[str] = mapped_column(sa.String(100))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiLink(Base):
    """Links an action to a complaint KPI of a unit, with a target per year (sheet ``KPI``)."""

    __tablename__ = "kpi_link"
    __table_args__ = (sa.UniqueConstraint("action_id", "kpi", "unit_id"), NO_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"))
    kpi: Mapped[KpiName] = mapped_column(enum_column(KpiName, 40))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    targets: Mapped[list["KpiTarget"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="KpiTarget.year"
    )


class KpiTarget(Base):
    __tablename__ = "kpi_target"

    link_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kpi_link.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[float]
