"""Reading the audit trail (it is only ever written by renaksi.audit.recorder)."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.audit.schemas import AuditEntry
from renaksi.db.models import AuditLog, BudgetLine, KpiLink, ProgressReport


def _entry(row: AuditLog) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        entity=row.entity,
        entity_id=row.entity_id,
        action=row.action,
        old=row.old,
        new=row.new,
        request_id=row.request_id,
    )


def history(
    session: Session, *, entity: str | None = None, entity_id: str | None = None, limit: int = 500
) -> list[AuditEntry]:
    query = sa.select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    return [_entry(r) for r in session.scalars(query)]


def action_history(session: Session, action_id: int, *, limit: int = 500) -> list[AuditEntry]:
    """Changes to the action itself, its targets, progress reports, budget lines, KPI links —
    including budget lines since deleted (found through the action id in their values)."""
    mentions = f'%"action_id": {action_id},%'
    gone = session.scalars(
        sa.select(AuditLog.entity_id).where(
            AuditLog.entity == "budget_line",
            sa.or_(
                sa.cast(AuditLog.old, sa.String).like(mentions),
                sa.cast(AuditLog.new, sa.String).like(mentions),
            ),
        )
    ).all()
    line_ids = {
        str(i)
        for i in session.scalars(sa.select(BudgetLine.id).where(BudgetLine.action_id == action_id))
    } | set(gone)
    report_ids = [
        str(i)
        for i in session.scalars(
            sa.select(ProgressReport.id).where(ProgressReport.action_id == action_id)
        )
    ]
    link_ids = [
        str(i) for i in session.scalars(sa.select(KpiLink.id).where(KpiLink.action_id == action_id))
    ]
    query = (
        sa.select(AuditLog)
        .where(
            sa.or_(
                sa.and_(AuditLog.entity == "action", AuditLog.entity_id == str(action_id)),
                sa.and_(
                    AuditLog.entity == "action_target", AuditLog.entity_id.like(f"{action_id}:%")
                ),
                sa.and_(AuditLog.entity == "budget_line", AuditLog.entity_id.in_(sorted(line_ids))),
                sa.and_(AuditLog.entity == "progress_report", AuditLog.entity_id.in_(report_ids)),
                sa.and_(AuditLog.entity == "kpi_link", AuditLog.entity_id.in_(link_ids)),
            )
        )
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return [_entry(r) for r in session.scalars(query)]
