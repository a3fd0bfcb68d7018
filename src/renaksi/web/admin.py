"""*Admin*: users, period locks, holidays and SLA limits (units and aliases: web/units.py).

Every form writes through the same service as the API and admits the roles the API's route
table admits for that call; an error shows the page again with what was typed."""

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth import schemas as auth_schemas
from renaksi.auth import service as auth_service
from renaksi.auth.actor import Actor
from renaksi.codes import LockKind, Role, UnitKind
from renaksi.errors import FieldError, NotFoundError, RenaksiError, ValidationError, translate
from renaksi.formatting import long_date
from renaksi.http import form_version
from renaksi.lapor import schemas as lapor_schemas
from renaksi.lapor import service as lapor
from renaksi.locks import service as locks
from renaksi.settings import Settings
from renaksi.sla import service as sla
from renaksi.units import service as unit_service
from renaksi.web.common import (
    ROLE_LABELS,
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
from renaksi.web.home import current_year

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: the SLA form: field → (label, unit of the limit)
SLA_FIELDS = {
    "verify_workdays": ("Verifikasi dan disposisi", "hari kerja"),
    "response_workdays": ("Tindak lanjut pertama setelah disposisi", "hari kerja"),
    "autoclose_days": ("Tutup otomatis bila pelapor tidak menanggapi", "hari kalender"),
    "complete_days": ("Selesai sejak dilaporkan", "hari kalender"),
}
#: the roles in the order the new-user form offers them (planners are the most numerous)
ROLE_CHOICES = [Role.PERENCANA, Role.KOORDINATOR, Role.BAPPEDA, Role.ADMIN]


def admin_page(
    request: Request[Any, Any, Any],
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    year: int | None = None,
    status_code: int = 200,
    form_name: str | None = None,
    data: dict[str, Any] | None = None,
    exc: RenaksiError | None = None,
) -> Template:
    """The admin page; after a refused form, again with what was typed and why."""
    if exc is not None:
        session.rollback()
    sla_now = sla.get_sla(session, settings)
    year = year or current_year(session)
    units = unit_service.list_units(session)
    return page(
        request,
        "admin.html",
        status_code=exc.status_code if exc is not None else status_code,
        year=year,
        users=auth_service.list_users(session) if may(actor, "GET", "/api/v1/users") else [],
        units=units,
        holidays=lapor.list_holidays(session, year=year),
        locks=locks.list_locks(session),
        lock_options=[(k.value, k.value) for k in LockKind],
        kind_options=[(k.value, k.value) for k in UnitKind],
        role_options=[(r.value, ROLE_LABELS[r]) for r in ROLE_CHOICES],
        unit_options=[("", "— bukan perencana —")]
        + [(u.code, f"{u.code} — {u.name}") for u in units],
        role_labels=ROLE_LABELS,
        sla=sla_now,
        sla_fields=SLA_FIELDS,
        sla_maximum=sla.MAXIMUM,
        can={
            "users": may(actor, "POST", "/api/v1/users"),
            "disable": may(actor, "PATCH", "/api/v1/users/{user_id}"),
            "units": may(actor, "POST", "/api/v1/units"),
            "holidays": may(actor, "POST", "/api/v1/holidays"),
            "unlock": may(actor, "DELETE", "/api/v1/locks/{lock_id}"),
            "sla": may(actor, "PUT", "/api/v1/settings/sla"),
        },
        **form_state(form_name, data, exc),
    )


@get("/admin", sync_to_thread=True)
def admin_view(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    tahun: int | None = None,
) -> Template:
    return admin_page(request, db_session, settings, actor, year=tahun)


# --- period locks and holidays ------------------------------------------------------------------


@post("/admin/kunci", sync_to_thread=True)
def add_lock(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Redirect | Template:
    check_csrf(request, data)
    year, quarter = field(data, "year"), field(data, "quarter")
    try:
        payload = {
            "kind": field(data, "kind"),
            "year": int(year) if year.isdigit() else year,
            "quarter": int(quarter) if quarter.isdigit() else (quarter or None),
        }
        created = locks.lock(db_session, actor, convert_form(locks.LockCreate, payload))
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(
            request, db_session, settings, actor, form_name="lock", data=data, exc=exc
        )
    return redirect(
        "/admin", f"Periode {locks.describe(created.kind, created.year, created.quarter)} dikunci."
    )


@post("/admin/kunci/{lock_id:int}/buka", sync_to_thread=True)
def remove_lock(
    request: Request[Any, Any, Any], db_session: Session, actor: Actor, lock_id: int, data: Form
) -> Redirect:
    check_csrf(request, data)
    locks.unlock(db_session, lock_id, actor=actor)
    return redirect("/admin", "Kunci periode dibuka.")


@post("/admin/libur", sync_to_thread=True)
def add_holiday(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Redirect | Template:
    check_csrf(request, data)
    try:
        try:
            day = dt.date.fromisoformat(field(data, "date"))
        except ValueError:
            raise ValidationError(
                "Tanggal libur tidak valid.",
                [FieldError(field="date", message="pilih tanggal (TTTT-BB-HH)")],
            ) from None
        name = field(data, "name") or "Libur lokal"
        lapor.add_holiday(
            db_session,
            convert_form(lapor_schemas.HolidayCreate, {"date": day, "name": name}),
            actor=actor,
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(
            request, db_session, settings, actor, form_name="holiday", data=data, exc=exc
        )
    return redirect("/admin", f"Hari libur lokal {long_date(day)} ditambahkan.", tahun=day.year)


@post("/admin/libur/{day:str}/hapus", sync_to_thread=True)
def remove_holiday(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    day: str,
    data: Form,
) -> Redirect | Template:
    """Remove a local holiday (national ones and cuti bersama come from ``holidays``)."""
    check_csrf(request, data)
    try:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise NotFoundError("Tanggal libur tidak dikenal.") from None
        lapor.remove_holiday(db_session, date, actor=actor)
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(
            request, db_session, settings, actor, form_name="holiday", data=data, exc=exc
        )
    return redirect("/admin", f"Libur lokal {long_date(date)} dihapus.", tahun=date.year)


# --- SLA limits ----------------------------------------------------------------------------------


def _sla_update(data: dict[str, Any]) -> sla.SlaUpdate:
    """The form's limits, each checked with the API's own type so every message shows at once;
    an empty field means the ``RENAKSI_SLA_*`` default."""
    values: dict[str, int] = {}
    errors: list[FieldError] = []
    for name in sla.FIELDS:
        raw = field(data, name).replace(" ", "")
        if not raw:
            continue
        bounds = f"isi bilangan bulat 1–{sla.MAXIMUM[name]} {SLA_FIELDS[name][1]}"
        if not raw.lstrip("-").isdigit():
            errors.append(FieldError(field=name, value=raw, message=bounds))
            continue
        try:
            values[name] = getattr(msgspec.convert({name: int(raw)}, sla.SlaUpdate), name)
        except msgspec.ValidationError as exc:
            errors.append(
                FieldError(field=name, value=raw, message=f"{translate(str(exc))}; {bounds}")
            )
    if errors:
        raise ValidationError("Batas waktu tidak valid; periksa yang ditandai.", errors)
    return sla.SlaUpdate(**values)


@post("/admin/sla", sync_to_thread=True)
def save_sla(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Redirect | Template:
    require_route(actor, "PUT", "/api/v1/settings/sla")
    check_csrf(request, data)
    version = field(data, "version")
    try:
        saved = sla.update_sla(
            db_session,
            settings,
            _sla_update(data),
            actor=actor,
            expected_version=form_version(version),
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(request, db_session, settings, actor, form_name="sla", data=data, exc=exc)
    return redirect(
        "/admin",
        f"Batas waktu SLA disimpan: tindak lanjut {saved.response_workdays} hari kerja, selesai "
        f"{saved.complete_days} hari. KPI kini dihitung dengan batas ini.",
    )


# --- users ---------------------------------------------------------------------------------------


@post("/admin/pengguna", sync_to_thread=True)
def create_user(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    data: Form,
) -> Redirect | Template:
    require_route(actor, "POST", "/api/v1/users")
    check_csrf(request, data)
    payload = {
        "username": field(data, "username"),
        "full_name": field(data, "full_name"),
        "role": field(data, "role"),
        "unit": field(data, "unit") or None,
        "password": str(data.get("password") or ""),
    }
    try:
        if not payload["password"]:
            raise ValidationError(
                "Kata sandi wajib diisi.", [FieldError(field="password", message="isi kata sandi")]
            )
        user = auth_service.create_user(
            db_session, convert_form(auth_schemas.UserCreate, payload), actor=actor
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(
            request, db_session, settings, actor, form_name="user", data=data, exc=exc
        )
    where = f" untuk PD {user.unit}" if user.unit else ""
    return redirect(
        "/admin",
        f"Pengguna {user.username} ({ROLE_LABELS[user.role]}{where}) ditambahkan dan sudah bisa "
        "masuk.",
    )


@post("/admin/pengguna/{user_id:int}/status", sync_to_thread=True)
def set_user_active(
    request: Request[Any, Any, Any],
    db_session: Session,
    settings: Settings,
    actor: Actor,
    user_id: int,
    data: Form,
) -> Redirect | Template:
    """Disable (every session and token ends at once) or enable again; carries the version."""
    require_route(actor, "PATCH", "/api/v1/users/{user_id}")
    check_csrf(request, data)
    active = field(data, "active") == "1"
    version = field(data, "version")
    try:
        user = auth_service.update_user(
            db_session,
            user_id,
            auth_schemas.UserUpdate(active=active),
            actor=actor,
            expected_version=form_version(version),
        )
    except RenaksiError as exc:
        if is_refusal(exc):
            raise
        return admin_page(request, db_session, settings, actor, exc=exc)
    if active:
        return redirect("/admin", f"Pengguna {user.username} aktif kembali.")
    return redirect(
        "/admin", f"Pengguna {user.username} dinonaktifkan; semua sesi dan tokennya dicabut."
    )
