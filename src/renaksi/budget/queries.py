"""The only database-aware part of budget analytics: rows in, explicit-schema frames out."""

from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.budget.flags import ACTIONS_SCHEMA, LINES_SCHEMA, TARGETS_SCHEMA
from renaksi.db.models import Action, ActionTarget, BudgetLine, KpiLink, KpiTarget, Unit


def _frame(
    session: Session, query: sa.Select[Any], schema: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    rows = session.execute(query).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def targets_frame(session: Session, plan_id: int, year: int | None = None) -> pl.DataFrame:
    query = (
        sa.select(ActionTarget.action_id, ActionTarget.year)
        .join(Action, Action.id == ActionTarget.action_id)
        .where(Action.plan_id == plan_id)
    )
    if year is not None:
        query = query.where(ActionTarget.year == year)
    return _frame(session, query, TARGETS_SCHEMA)  # type: ignore[arg-type]


def lines_frame(session: Session, plan_id: int, year: int | None = None) -> pl.DataFrame:
    query = (
        sa.select(
            BudgetLine.action_id,
            BudgetLine.year,
            BudgetLine.stage,
            BudgetLine.source,
            BudgetLine.amount,
        )
        .join(Action, Action.id == BudgetLine.action_id)
        .where(Action.plan_id == plan_id)
    )
    if year is not None:
        query = query.where(BudgetLine.year == year)
    return _frame(session, query, LINES_SCHEMA)  # type: ignore[arg-type]


def actions_frame(session: Session, plan_id: int) -> pl.DataFrame:
    query = (
        sa.select(Action.id, Action.code, Unit.code)
        .join(Unit, Unit.id == Action.lead_unit_id)
        .where(Action.plan_id == plan_id)
    )
    return _frame(session, query, ACTIONS_SCHEMA)  # type: ignore[arg-type]


KPI_LINKS_SCHEMA = {
    "action_id": pl.Int64,
    "year": pl.Int64,
    "kpi": pl.String,
    "unit_code": pl.String,
    "target": pl.Float64,
}


def kpi_targets_frame(session: Session, plan_id: int, year: int) -> pl.DataFrame:
    """KPI links of the plan's actions with their target for ``year``."""
    query = (
        sa.select(KpiLink.action_id, KpiTarget.year, KpiLink.kpi, Unit.code, KpiTarget.value)
        .join(KpiTarget, KpiTarget.link_id == KpiLink.id)
        .join(Unit, Unit.id == KpiLink.unit_id)
        .join(Action, Action.id == KpiLink.action_id)
        .where(Action.plan_id == plan_id, KpiTarget.year == year)
    )
    return _frame(session, query, KPI_LINKS_SCHEMA)  # type: ignore[arg-type]
