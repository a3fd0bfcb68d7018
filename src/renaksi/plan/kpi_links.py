"""Links between actions and the complaint KPIs they are meant to improve (sheet ``KPI``)."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from renaksi.auth import scope
from renaksi.auth.actor import Actor
from renaksi.auth.policy import KPI_LINK_WRITERS, require_role
from renaksi.db.engine import write_transaction
from renaksi.db.models import Action, KpiLink, KpiTarget, Plan, Unit
from renaksi.errors import ConflictError, FieldError, NotFoundError
from renaksi.plan import schemas
from renaksi.plan.service import check_year


def _to_schema(link: KpiLink, unit_code: str) -> schemas.KpiLink:
    return schemas.KpiLink(
        id=link.id,
        action_id=link.action_id,
        kpi=link.kpi,
        unit=unit_code,
        targets=[schemas.Target(year=t.year, value=t.value) for t in link.targets],
    )


def list_links(session: Session, action_id: int, *, actor: Actor) -> list[schemas.KpiLink]:
    """The action's KPI links, for whoever may see the action (a planner: only on actions
    their unit leads or supports, as GET /actions/{id})."""
    if session.get(Action, action_id) is None:
        raise NotFoundError(f"Aksi dengan id {action_id} tidak ditemukan.")
    scope.ensure_action(session, actor, action_id)
    rows = session.execute(
        sa.select(KpiLink, Unit.code)
        .join(Unit, Unit.id == KpiLink.unit_id)
        .where(KpiLink.action_id == action_id)
        .options(selectinload(KpiLink.targets))
        .order_by(KpiLink.kpi, Unit.code)
    ).all()
    return [_to_schema(link, code) for link, code in rows]


def create_link(
    session: Session, action_id: int, data: schemas.KpiLinkCreate, *, actor: Actor
) -> schemas.KpiLink:
    require_role(actor.role, KPI_LINK_WRITERS, "menautkan aksi ke KPI")
    with write_transaction(session):
        action = session.get(Action, action_id)
        if action is None:
            raise NotFoundError(f"Aksi dengan id {action_id} tidak ditemukan.")
        plan = session.get_one(Plan, action.plan_id)
        for target in data.targets:
            check_year(plan, target.year, "targets")
        if len({t.year for t in data.targets}) != len(data.targets):
            raise ConflictError(
                "Target ganda untuk tahun yang sama.",
                [FieldError(field="targets", message="satu target per tahun")],
            )
        unit_id = action.lead_unit_id
        if data.unit is not None:
            found = session.scalar(sa.select(Unit.id).where(Unit.code == data.unit))
            if found is None:
                raise NotFoundError(
                    f"PD dengan kode '{data.unit}' tidak ditemukan.",
                    [FieldError(field="unit", value=data.unit, message="kode PD tidak dikenal")],
                )
            unit_id = found
        unit_code = session.scalar(sa.select(Unit.code).where(Unit.id == unit_id))
        clash = session.scalar(
            sa.select(KpiLink.id).where(
                KpiLink.action_id == action_id, KpiLink.kpi == data.kpi, KpiLink.unit_id == unit_id
            )
        )
        if clash is not None:
            raise ConflictError(
                "Aksi ini sudah ditautkan ke KPI tersebut untuk PD yang sama.",
                [
                    FieldError(
                        field="kpi", value=data.kpi.value, message=f"tautan sudah ada (id {clash})"
                    )
                ],
            )
        link = KpiLink(
            action_id=action_id,
            kpi=data.kpi,
            unit_id=unit_id,
            targets=[
                KpiTarget(year=t.year, value=t.value)
                for t in sorted(data.targets, key=lambda t: t.year)
            ],
        )
        session.add(link)
        session.flush()
        return _to_schema(link, unit_code or "")


def delete_link(session: Session, link_id: int, *, actor: Actor) -> None:
    require_role(actor.role, KPI_LINK_WRITERS, "menghapus tautan KPI")
    with write_transaction(session):
        link = session.get(KpiLink, link_id)
        if link is None:
            raise NotFoundError(f"Tautan KPI dengan id {link_id} tidak ditemukan.")
        session.delete(link)
