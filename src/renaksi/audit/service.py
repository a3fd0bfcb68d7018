"""Reading the audit trail (it is only ever written by renaksi.audit.recorder)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.audit.schemas import AuditEntry
from renaksi.auth.actor import Actor
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


@dataclass
class _Life:
    """One life of a record id, from its create to its delete. Ids are not unique over time:
    SQLite gives the id of a deleted last row to the next new one, so one id's rows may tell
    of a line of another action or another unit before it."""

    values: dict[str, Any] | None  # what it belonged to (action_id, unit_id)
    rows: list[AuditLog] = field(default_factory=list)
    current: bool = False

    def spans(self, at: datetime) -> bool:
        born = [r.at for r in self.rows if r.action == "create"]
        if born and at < born[0]:
            return False
        return self.current or at <= max(r.at for r in self.rows)


def _lives(rows_newest_first: list[AuditLog], current: dict[str, Any] | None) -> list[_Life]:
    """Split one id's rows into the lives they tell of, newest first."""
    lives: list[_Life] = []
    life = _Life(current, current=current is not None)
    for row in rows_newest_first:
        if row.action == "delete":  # an older life ended here
            lives.append(life)
            life = _Life(row.old, [row])
        elif row.action == "create":  # this life began here
            life.rows.append(row)
            life.values = life.values or row.new
            lives.append(life)
            life = _Life(None)
        else:
            life.rows.append(row)
    lives.append(life)
    return [life for life in lives if life.values is not None and (life.rows or life.current)]


def _lives_on_action(
    session: Session, entity: str, model: type[BudgetLine] | type[KpiLink], action_id: int
) -> dict[str, list[_Life]]:
    """The lives of ``entity`` rows (budget lines or KPI links) that belonged to the action:
    rows still there, and rows since deleted (found through the action id in their recorded
    values). A row's action never changes during its life (its unit may: a plan import moves
    a line with its action's changed lead, see :func:`_rows_while_of_unit`)."""
    ids = {str(i) for i in session.scalars(sa.select(model.id).where(model.action_id == action_id))}
    mentions = f'%"action_id": {action_id},%'
    ids |= set(
        session.scalars(
            sa.select(AuditLog.entity_id).where(
                AuditLog.entity == entity,
                sa.or_(
                    sa.cast(AuditLog.old, sa.String).like(mentions),
                    sa.cast(AuditLog.new, sa.String).like(mentions),
                ),
            )
        )
    )
    numeric = [int(i) for i in ids if i.isdigit()]
    current = {
        str(i): {"action_id": a, "unit_id": u}
        for i, a, u in session.execute(
            sa.select(model.id, model.action_id, model.unit_id).where(model.id.in_(numeric))
        )
    }
    rows: dict[str, list[AuditLog]] = {i: [] for i in ids}
    for row in session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.entity == entity, AuditLog.entity_id.in_(sorted(ids)))
        .order_by(AuditLog.id.desc())
    ):
        rows[row.entity_id].append(row)
    found = {
        i: [
            life
            for life in _lives(rows[i], current.get(i))
            if life.values and life.values.get("action_id") == action_id
        ]
        for i in ids
    }
    return {i: lives for i, lives in found.items() if lives}


def _rows_while_of_unit(life: _Life, unit_id: int | None) -> set[int]:
    """The ids of a budget line's rows written while it belonged to ``unit_id``.

    A line changes unit when a plan import moves it with its action's changed lead: the row
    of the move shows to both units, the rows before it to the old unit only.
    """
    rows = sorted(life.rows, key=lambda r: r.id)  # oldest first
    first = (rows[0].new if rows[0].action == "create" else rows[0].old) if rows else None
    # the unit at the start of the life: from its create or its first change, else as it is
    unit = (first or {}).get("unit_id") or (life.values or {}).get("unit_id")
    shown: set[int] = set()
    for row in rows:
        after = unit if row.action == "delete" else (row.new or {}).get("unit_id", unit)
        if unit_id in (unit, after):
            shown.add(row.id)
        unit = after
    return shown


def action_history(
    session: Session, action_id: int, *, actor: Actor, limit: int = 500
) -> list[AuditEntry]:
    """Changes to the action itself, its targets, progress reports, budget lines, KPI links
    and their targets — including budget lines and links since deleted.

    A planner sees the budget lines of their own unit only, as ``GET /budget-lines`` gives
    them; the rest (the action, its targets, progress, KPI links) is what they may read on the
    action anyway. The caller has already checked that the actor may see the action.
    """
    shown: set[int] = set()
    for lives in _lives_on_action(session, "budget_line", BudgetLine, action_id).values():
        for life in lives:
            if not actor.is_planner:
                shown |= {r.id for r in life.rows}
            else:
                shown |= _rows_while_of_unit(life, actor.unit_id)
    links = _lives_on_action(session, "kpi_link", KpiLink, action_id)
    for lives in links.values():
        shown |= {r.id for life in lives for r in life.rows}
    if links:
        for row in session.scalars(
            sa.select(AuditLog).where(
                AuditLog.entity == "kpi_target",
                sa.or_(*(AuditLog.entity_id.like(f"{i}:%") for i in links)),
            )
        ):
            link_id = row.entity_id.split(":")[0]
            if any(life.spans(row.at) for life in links.get(link_id, [])):
                shown.add(row.id)
    report_ids = [
        str(i)
        for i in session.scalars(
            sa.select(ProgressReport.id).where(ProgressReport.action_id == action_id)
        )
    ]
    query = (
        sa.select(AuditLog)
        .where(
            sa.or_(
                sa.and_(AuditLog.entity == "action", AuditLog.entity_id == str(action_id)),
                sa.and_(
                    AuditLog.entity == "action_target", AuditLog.entity_id.like(f"{action_id}:%")
                ),
                sa.and_(AuditLog.entity == "progress_report", AuditLog.entity_id.in_(report_ids)),
                AuditLog.id.in_(sorted(shown)),
            )
        )
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return [_entry(r) for r in session.scalars(query)]
