"""Row-level rules: a perencana (planner) sees and changes only their own unit's rows.

Called by the services, so every way in (API, CLI, web pages, exports) gets the same answer.
A refused attempt raises before anything is written.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.db.models import Action, action_supporting_units
from renaksi.errors import ForbiddenError

OTHER_UNIT = "Anda hanya dapat mengakses data PD Anda sendiri."


def action_unit_ids(session: Session, action_id: int) -> set[int]:
    """The lead and supporting units of an action."""
    lead = session.scalar(sa.select(Action.lead_unit_id).where(Action.id == action_id))
    supporting = session.scalars(
        sa.select(action_supporting_units.c.unit_id).where(
            action_supporting_units.c.action_id == action_id
        )
    )
    return {u for u in (lead, *supporting) if u is not None}


def ensure_action(session: Session, actor: Actor, action_id: int) -> None:
    """Planners may only reach actions their unit leads or supports."""
    if actor.is_planner and actor.unit_id not in action_unit_ids(session, action_id):
        raise ForbiddenError(OTHER_UNIT)


def ensure_unit(actor: Actor, unit_id: int | None) -> None:
    """Planners may only reach rows that belong to their own unit."""
    if actor.is_planner and unit_id != actor.unit_id:
        raise ForbiddenError(OTHER_UNIT)


def unit_filter(actor: Actor, requested: str | None) -> str | None:
    """The unit filter a list must use: a planner's own unit, whatever else was asked."""
    if not actor.is_planner:
        return requested
    if requested is not None and requested != actor.unit_code:
        raise ForbiddenError(OTHER_UNIT)
    return actor.unit_code
