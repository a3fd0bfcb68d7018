"""The write services check the actor's role themselves, with the route table's own sets.

Each service is called directly (no HTTP guard in front) by an actor of every role: exactly
the roles of the API route that calls it may write, every other role gets ForbiddenError and
the database is left as it was. The expected roles are read from ``policy.ROUTES``, so a
service and its route cannot drift apart unnoticed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth import policy
from renaksi.auth import schemas as auth_schemas
from renaksi.auth import service as auth_service
from renaksi.auth.actor import Actor
from renaksi.codes import LockKind, Role, UnitKind
from renaksi.db.models import KpiLink, Unit
from renaksi.errors import ForbiddenError
from renaksi.lapor import schemas as lapor_schemas
from renaksi.lapor import service as lapor
from renaksi.locks import service as locks
from renaksi.plan import kpi_links
from renaksi.plan import schemas as plan_schemas
from renaksi.settings import Settings
from renaksi.sla import service as sla
from renaksi.units import schemas as unit_schemas
from renaksi.units import service as units
from tests.conftest import PASSWORD
from tests.helpers import dump_database

ADMIN = Actor.system("uji")
HOLIDAY = dt.date(2024, 9, 13)
LAPOR_CSV = (
    b"No Tracking;Tanggal Laporan;Instansi Tujuan;Status;Tanggal Disposisi;Tanggal Tindak Lanjut\n"
    b"PERAN-1;03/06/2024 08:00;Dinas Kesehatan;Ditindaklanjuti;03/06/2024 09:00;05/06/2024 10:00"
)


@dataclass(frozen=True)
class Case:
    """A write service, the route whose roles it must admit, and how to call it."""

    route: tuple[str, str]
    call: Callable[[Session, Settings, Actor, Any], object]
    #: prepares what the call needs (as admin) before the database is compared; its result
    #: is the call's last argument
    setup: Callable[[Session], Any] = lambda session: None


def _user(session: Session) -> auth_schemas.User:
    return auth_service.create_user(
        session,
        auth_schemas.UserCreate(username="sasaran", password=PASSWORD, role=Role.BAPPEDA),
        actor=ADMIN,
    )


def _free_link(session: Session) -> tuple[int, plan_schemas.KpiLinkCreate]:
    """An action and a KPI/unit pair it is not linked to yet."""
    link = session.scalars(sa.select(KpiLink).order_by(KpiLink.id)).first()
    assert link is not None
    taken = set(
        session.scalars(
            sa.select(KpiLink.unit_id).where(
                KpiLink.action_id == link.action_id, KpiLink.kpi == link.kpi
            )
        )
    )
    code = session.scalar(sa.select(Unit.code).where(Unit.id.not_in(taken)).order_by(Unit.code))
    assert code is not None
    session.rollback()
    return link.action_id, plan_schemas.KpiLinkCreate(kpi=link.kpi, unit=code)


def _first_link(session: Session) -> int:
    link_id = session.scalar(sa.select(sa.func.min(KpiLink.id)))
    session.rollback()
    assert link_id is not None
    return int(link_id)


CASES: dict[str, Case] = {
    "create_unit": Case(
        ("POST", "/api/v1/units"),
        lambda s, _, actor, __: units.create_unit(
            s,
            unit_schemas.UnitCreate(code="UJI", name="Unit Uji", kind=UnitKind.DINAS),
            actor=actor,
        ),
    ),
    "update_unit": Case(
        ("PATCH", "/api/v1/units/{code}"),
        lambda s, _, actor, __: units.update_unit(
            s, "DINKES", unit_schemas.UnitUpdate(name="Dinas Kesehatan (uji)"), actor=actor
        ),
    ),
    "import_units": Case(
        ("POST", "/api/v1/units"),
        lambda s, _, actor, __: units.import_units(
            s, b"code,name,kind,aliases\nUJI,Unit Uji,dinas,\n", actor=actor
        ),
    ),
    "persist_units": Case(
        ("POST", "/api/v1/units"),
        lambda s, _, actor, __: units.persist_units(
            s,
            [unit_schemas.UnitCreate(code="UJI", name="Unit Uji", kind=UnitKind.DINAS)],
            actor=actor,
        ),
    ),
    "add_alias": Case(
        ("POST", "/api/v1/units/{code}/aliases"),
        lambda s, _, actor, __: units.add_alias(s, "DINKES", "Dinkes Uji", actor=actor),
    ),
    "create_link": Case(
        ("POST", "/api/v1/actions/{action_id}/kpi-links"),
        lambda s, _, actor, free: kpi_links.create_link(s, *free, actor=actor),
        setup=_free_link,
    ),
    "delete_link": Case(
        ("DELETE", "/api/v1/kpi-links/{link_id}"),
        lambda s, _, actor, link_id: kpi_links.delete_link(s, link_id, actor=actor),
        setup=_first_link,
    ),
    "lock": Case(
        ("POST", "/api/v1/locks"),
        lambda s, _, actor, __: locks.lock(s, actor, locks.LockCreate(LockKind.USULAN, 2024)),
    ),
    "unlock": Case(
        ("DELETE", "/api/v1/locks/{lock_id}"),
        lambda s, _, actor, lock_id: locks.unlock(s, lock_id, actor=actor),
        setup=lambda s: locks.lock(s, ADMIN, locks.LockCreate(LockKind.USULAN, 2024)).id,
    ),
    "update_sla": Case(
        ("PUT", "/api/v1/settings/sla"),
        lambda s, settings, actor, __: sla.update_sla(
            s, settings, sla.SlaUpdate(response_workdays=3), actor=actor
        ),
    ),
    "create_user": Case(
        ("POST", "/api/v1/users"),
        lambda s, _, actor, __: auth_service.create_user(
            s,
            auth_schemas.UserCreate(username="baru", password=PASSWORD, role=Role.BAPPEDA),
            actor=actor,
        ),
    ),
    "update_user": Case(
        ("PATCH", "/api/v1/users/{user_id}"),
        lambda s, _, actor, user: auth_service.update_user(
            s, user.id, auth_schemas.UserUpdate(full_name="Nama Baru"), actor=actor
        ),
        setup=_user,
    ),
    "set_active": Case(
        ("PATCH", "/api/v1/users/{user_id}"),
        lambda s, _, actor, user: auth_service.set_active(s, user.username, False, actor=actor),
        setup=_user,
    ),
    "set_password": Case(
        ("PATCH", "/api/v1/users/{user_id}"),
        lambda s, _, actor, user: auth_service.set_password(
            s, user.username, "kata-sandi-baru-yang-panjang", actor=actor
        ),
        setup=_user,
    ),
    "add_holiday": Case(
        ("POST", "/api/v1/holidays"),
        lambda s, _, actor, __: lapor.add_holiday(
            s, lapor_schemas.HolidayCreate(date=HOLIDAY, name="HUT Kutai Timur"), actor=actor
        ),
    ),
    "remove_holiday": Case(
        ("DELETE", "/api/v1/holidays/{day}"),
        lambda s, _, actor, __: lapor.remove_holiday(s, HOLIDAY, actor=actor),
        setup=lambda s: lapor.add_holiday(
            s, lapor_schemas.HolidayCreate(date=HOLIDAY, name="HUT Kutai Timur"), actor=ADMIN
        ),
    ),
    "import_complaints": Case(
        ("POST", "/api/v1/lapor/imports"),
        lambda s, settings, actor, __: lapor.import_complaints(
            s, LAPOR_CSV, actor=actor, file_name="peran.csv", settings=settings
        ),
    ),
}


def _actor(session: Session, role: Role) -> Actor:
    unit = session.scalar(sa.select(Unit).where(Unit.code == "DINKES"))
    assert unit is not None
    planner = role is Role.PERENCANA
    return Actor(
        username=f"uji-{role.value}",
        role=role,
        unit_id=unit.id if planner else None,
        unit_code=unit.code if planner else None,
        via="session",
    )


def test_every_route_role_set_is_named_in_the_policy() -> None:
    """The services check these named sets; the route table uses the very same objects."""
    named = {
        ("POST", "/api/v1/users"): policy.USER_ADMINS,
        ("PATCH", "/api/v1/users/{user_id}"): policy.USER_ADMINS,
        ("POST", "/api/v1/units"): policy.UNIT_WRITERS,
        ("PATCH", "/api/v1/units/{code}"): policy.UNIT_WRITERS,
        ("POST", "/api/v1/units/{code}/aliases"): policy.ALIAS_WRITERS,
        ("POST", "/api/v1/actions/{action_id}/kpi-links"): policy.KPI_LINK_WRITERS,
        ("DELETE", "/api/v1/kpi-links/{link_id}"): policy.KPI_LINK_WRITERS,
        ("POST", "/api/v1/locks"): policy.LOCKERS,
        ("DELETE", "/api/v1/locks/{lock_id}"): policy.UNLOCKERS,
        ("POST", "/api/v1/lapor/imports"): policy.COMPLAINT_IMPORTERS,
        ("POST", "/api/v1/holidays"): policy.HOLIDAY_WRITERS,
        ("DELETE", "/api/v1/holidays/{day}"): policy.HOLIDAY_WRITERS,
        ("PUT", "/api/v1/settings/sla"): policy.SLA_WRITERS,
    }
    assert {case.route for case in CASES.values()} == set(named)
    for route, roles in named.items():
        assert policy.ROUTES[route] is roles, route


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("name", list(CASES))
def test_service_admits_exactly_its_routes_roles(
    demo: sa.Engine, session: Session, settings: Settings, name: str, role: Role
) -> None:
    case = CASES[name]
    given = case.setup(session)
    actor = _actor(session, role)
    session.rollback()
    before = dump_database(demo)
    if role in policy.ROUTES[case.route]:
        case.call(session, settings, actor, given)
        session.commit()
        assert dump_database(demo) != before, f"{name} as {role.value} changed nothing"
        return
    with pytest.raises(ForbiddenError) as refused:
        case.call(session, settings, actor, given)
    assert refused.value.detail.startswith(f"Peran {role.value} tidak boleh ")
    session.rollback()
    assert dump_database(demo) == before
