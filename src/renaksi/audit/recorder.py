"""Writes the audit trail from the ORM flush itself, in the same transaction.

Hooking ``after_flush`` means every create, update and delete of an audited record is
recorded whichever path made it — API, CLI, workbook import, web page — and a rolled-back
change leaves no history row. Who acted comes from ``session.info["actor"]``.

Deletes are noted by the mapper's ``after_delete`` event, not read from ``session.deleted``:
a child dropped from a ``delete-orphan`` collection (an action's targets, a KPI link's
targets, a unit's aliases) or removed by a cascade is deleted by the flush without ever being
in ``session.deleted``.
"""

from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, object_session

from renaksi.db.base import utcnow
from renaksi.db.models import (
    Action,
    ActionTarget,
    AppSetting,
    AuditLog,
    BudgetLine,
    Holiday,
    KpiLink,
    KpiTarget,
    Objective,
    PeriodLock,
    ProgressReport,
    Unit,
    UnitAlias,
    User,
)

#: audited classes and the name their history is filed under
AUDITED: dict[type, str] = {
    Action: "action",
    ActionTarget: "action_target",
    Objective: "objective",
    ProgressReport: "progress_report",
    BudgetLine: "budget_line",
    Unit: "unit",
    UnitAlias: "unit_alias",
    User: "user",
    KpiLink: "kpi_link",
    KpiTarget: "kpi_target",
    PeriodLock: "period_lock",
    Holiday: "holiday",
    AppSetting: "app_setting",
}
SECRET_FIELDS = {"password_hash"}
#: what a changed password hash is recorded as: that it changed, never the hash
PASSWORD_OLD, PASSWORD_CHANGED, PASSWORD_REHASHED = "(tersembunyi)", "diubah", "hash diperbarui"
#: ``session.info`` key a login sets when it only re-hashes the same password with new
#: argon2 parameters, so the row does not claim the password was changed
REHASH = "password_rehash"
SKIPPED_FIELDS = {"created_at", "updated_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SECRET_FIELDS | SKIPPED_FIELDS
    }


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity or inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(_plain(v)) for v in identity)


def _changes(obj: Any, *, rehash: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Old and new values of the columns (and many-to-many lists) this flush changes.

    A changed secret is recorded as changed (``{"password": "diubah"}``), never its value.
    """
    state = inspect(obj)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in SECRET_FIELDS & set(state.mapper.column_attrs.keys()):
        if state.attrs[key].history.has_changes():
            old["password"] = PASSWORD_OLD
            new["password"] = PASSWORD_REHASHED if rehash else PASSWORD_CHANGED
    for attr in state.mapper.column_attrs:
        if attr.key in SECRET_FIELDS | SKIPPED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old[attr.key] = _plain(history.deleted[0]) if history.deleted else None
            new[attr.key] = _plain(history.added[0]) if history.added else None
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        history = state.attrs[rel.key].history
        if history.has_changes():
            unchanged = [_entity_id(o) for o in history.unchanged]
            old[rel.key] = sorted(unchanged + [_entity_id(o) for o in history.deleted])
            new[rel.key] = sorted(unchanged + [_entity_id(o) for o in history.added])
    if set(old) == {"version"}:  # a bare version bump is not a change of its own
        return {}, {}
    return old, new


_DELETED = "audit_deleted"


def _note_delete(_mapper: Any, _connection: Any, target: Any) -> None:
    """Mapper ``after_delete``: fires for every row the flush deletes, orphans included."""
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_DELETED, []).append(target)


def _forget_deletes(session: Session, _previous: Any) -> None:
    """A failed flush rolls back: the deletes it noted never happened."""
    session.info.pop(_DELETED, None)


for _model in AUDITED:
    event.listen(_model, "after_delete", _note_delete)
event.listen(Session, "after_soft_rollback", _forget_deletes)


def after_flush(session: Session, _: UOWTransaction) -> None:
    actor = session.info.get("actor")
    who = actor.username if actor is not None else session.info.get("actor_name", "sistem")
    request_id = getattr(actor, "request_id", None)
    rows: list[dict[str, Any]] = []
    now = utcnow()

    def add(obj: Any, action: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        rows.append(
            {
                "at": now,
                "actor": who[:100],
                "entity": AUDITED[type(obj)],
                "entity_id": _entity_id(obj)[:80],
                "action": action,
                "old": old,
                "new": new,
                "request_id": request_id,
            }
        )

    for obj in session.new:
        if type(obj) in AUDITED:
            add(obj, "create", None, _columns(obj))
    deleted = session.info.pop(_DELETED, [])
    gone = {id(obj) for obj in deleted}  # an orphan may also look modified: one row for it
    for obj in session.dirty:
        if type(obj) in AUDITED and id(obj) not in gone and session.is_modified(obj):
            old, new = _changes(obj, rehash=bool(session.info.get(REHASH)))
            if new:
                add(obj, "update", old, new)
    for obj in deleted:
        add(obj, "delete", _columns(obj), None)
    if rows:
        session.connection().execute(sa.insert(AuditLog), rows)
