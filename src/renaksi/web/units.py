"""*Admin → PD dan alias*: add a unit, rename it or change its kind, add an alias.

The forms write through :mod:`renaksi.units.service` and admit the roles the API's route table
admits for the same call (adding an alias: admin and koordinator, as on ``/impor``)."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.codes import UnitKind
from renaksi.errors import ForbiddenError, RenaksiError
from renaksi.http import form_version
from renaksi.settings import Settings
from renaksi.units import schemas as unit_schemas
from renaksi.units import service as unit_service
from renaksi.web.admin import admin_page
from renaksi.web.common import (
    check_csrf,
    convert_form,
    field,
    form_state,
    is_refusal,
    may,
    page,
    redirect,
    require_route,
)

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
UPDATE = ("PATCH", "/api/v1/units/{code}")
ALIAS = ("POST", "/api/v1/units/{code}/aliases")


def _unit_page(
    request: Request[Any, Any, Any],
    session: Session,
    actor: Actor,
    code: str,
    *,
    form_name: str | None = None,
    data: dict[str, Any] | None = None,
    exc: RenaksiError | None = None,
) -> Template:
    if exc is not None:
        session.rollback()
    return page(
        request,
        "unit.html",
        status_code=exc.status_code if exc is not None else 200,
        unit=unit_service.get_unit(session, code),  # 404 page for an unknown code
        kind_options=[(k.value, k.value) for k in UnitKind],
        can={"edit": may(actor, *UPDATE), "alias": may(actor, *ALIAS)},
        **form_state(form_name, data, exc),
    )


@post("/admin/pd", sync_to_thread=True)
def create_unit(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Redirect | Template:
    require_route(actor, "POST", "/api/v1/units")
    check_csrf(request, data)
    payload = {
        "code": field(data, "code"),
        "name": field(data, "name"),
        "kind": field(data, "kind"),
    }
    try:
        unit = unit_service.create_unit(
            db_session, convert_form(unit_schemas.UnitCreate, payload), actor=actor
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(
            request, db_session, settings, actor, form_name="unit", data=data, exc=exc
        )
    return redirect(f"/admin/pd/{unit.code}", f"PD {unit.code} ({unit.name}) ditambahkan.")


@get("/admin/pd/{code:str}", sync_to_thread=True)
def unit_view(
    request: Request[Any, Any, Any], db_session: Session, actor: Actor, code: str
) -> Template:
    if not (may(actor, *UPDATE) or may(actor, *ALIAS)):
        raise ForbiddenError("Halaman ini bukan untuk peran Anda.")
    return _unit_page(request, db_session, actor, code)


@post("/admin/pd/{code:str}", sync_to_thread=True)
def update_unit(
    request: Request[Any, Any, Any], db_session: Session, actor: Actor, code: str, data: Form
) -> Redirect | Template:
    """Name and kind; the form carries the version it showed (the API's ``If-Match``)."""
    require_route(actor, *UPDATE)
    check_csrf(request, data)
    version = field(data, "version")
    try:
        unit = unit_service.update_unit(
            db_session,
            code,
            convert_form(
                unit_schemas.UnitUpdate, {"name": field(data, "name"), "kind": field(data, "kind")}
            ),
            actor=actor,
            expected_version=form_version(version),
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return _unit_page(request, db_session, actor, code, form_name="edit", data=data, exc=exc)
    return redirect(f"/admin/pd/{unit.code}", f"PD {unit.code} disimpan: {unit.name}.")


@post("/admin/pd/{code:str}/alias", sync_to_thread=True)
def add_alias(
    request: Request[Any, Any, Any], db_session: Session, actor: Actor, code: str, data: Form
) -> Redirect | Template:
    """A name under which LAPOR! exports this unit: complaints under it count at once."""
    require_route(actor, *ALIAS)
    check_csrf(request, data)
    try:
        alias = convert_form(unit_schemas.AliasCreate, {"alias": field(data, "alias")}).alias
        unit_service.add_alias(db_session, code, alias, actor=actor)
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return _unit_page(request, db_session, actor, code, form_name="alias", data=data, exc=exc)
    return redirect(f"/admin/pd/{code}", f"Alias “{alias}” ditambahkan ke PD {code}.")
