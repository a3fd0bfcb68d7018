"""Login, logout and the home page (*Beranda*): what this user must do now."""

import re
import secrets
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from renaksi.auth import schemas as auth_schemas
from renaksi.auth import service as auth_service
from renaksi.auth.actor import Actor
from renaksi.auth.middleware import SESSION_COOKIE, _cookie
from renaksi.budget import service as budget
from renaksi.codes import Flag, Role
from renaksi.errors import NotAuthenticatedError, TooManyRequestsError
from renaksi.lapor import service as lapor
from renaksi.lapor.kpi import latest_complete_quarter
from renaksi.plan import service as plan_service
from renaksi.reports import queries as report_queries
from renaksi.settings import Settings
from renaksi.web.common import LOGIN_PATH, check_csrf, field, page, redirect, state_of

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: before login there is no session to hold a CSRF token: the login form carries one that must
#: match this cookie (double submit), so another site cannot log a browser into its own account
LOGIN_CSRF_COOKIE = "renaksi_login_csrf"
_LOGIN_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
LOGIN_CSRF_MISSING = (
    "Formulir masuk tidak membawa token keamanan (CSRF) yang cocok, mungkin karena halaman "
    "sudah lama dibuka atau cookie diblokir. Silakan masuk lagi dari formulir ini."
)


def current_year(session: Session) -> int:
    """This year, kept inside the span of the plans on file (the demo plan ends in 2026)."""
    year = lapor.today_wita().year
    plans = plan_service.list_plans(session)
    if not plans:
        return year
    first, last = min(p.start_year for p in plans), max(p.end_year for p in plans)
    return min(max(year, first), last)


def _safe_next(target: str) -> str:
    """Only local paths: never bounce a user to another site after login."""
    return target if target.startswith("/") and not target.startswith("//") else "/beranda"


@get("/", sync_to_thread=False, include_in_schema=False)
def root(request: Request[Any, Any, Any]) -> Redirect:
    """``renaksi demo`` opens here: Beranda when logged in, else the login page."""
    return Redirect(path="/beranda" if state_of(request).get("actor") else LOGIN_PATH)


def _login_page(
    request: Request[Any, Any, Any], settings: Settings, *, status_code: int = 200, **context: Any
) -> Template:
    """The login form with its CSRF token: the browser's own, or a new one set as a cookie."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    fresh = not _LOGIN_TOKEN.match(token)
    if fresh:
        token = secrets.token_urlsafe(32)
    response = page(request, "login.html", status_code=status_code, csrf=token, **context)
    if fresh:
        response.cookies.append(
            Cookie(
                key=LOGIN_CSRF_COOKIE,
                value=token,
                path=LOGIN_PATH,
                httponly=True,
                samesite="strict",
                secure=not settings.insecure_cookies,
            )
        )
    return response


def _login_csrf_ok(request: Request[Any, Any, Any], data: dict[str, Any]) -> bool:
    sent, expected = field(data, "_csrf"), request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    return bool(_LOGIN_TOKEN.match(expected)) and secrets.compare_digest(sent, expected)


@get(LOGIN_PATH, sync_to_thread=False)
def login_form(
    request: Request[Any, Any, Any], settings: Settings, lanjut: str = "/beranda"
) -> Template | Redirect:
    if state_of(request).get("actor"):
        return Redirect(path=_safe_next(lanjut))
    return _login_page(request, settings, values={"lanjut": lanjut})


@post(LOGIN_PATH, sync_to_thread=True)
def login_submit(
    request: Request[Any, Any, Any], db_session: Session, settings: Settings, data: Form
) -> Template | Redirect:
    username, password = field(data, "username"), str(data.get("password") or "")
    values = {"username": username, "lanjut": field(data, "lanjut") or "/beranda"}
    if not _login_csrf_ok(request, data):
        return _login_page(
            request, settings, status_code=403, values=values, error_message=LOGIN_CSRF_MISSING
        )
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Isi nama pengguna."
    if not password:
        errors["password"] = "Isi kata sandi."
    if errors:
        return _login_page(
            request,
            settings,
            status_code=422,
            values=values,
            errors=errors,
            error_message="Lengkapi isian yang ditandai.",
        )
    client = request.client.host if request.client else "?"
    try:
        token, _ = auth_service.login(
            db_session,
            auth_schemas.Login(username=username, password=password[:128]),
            client=client,
            previous=_cookie(request.headers.get("cookie", ""), SESSION_COOKIE),
        )
    except (NotAuthenticatedError, TooManyRequestsError) as exc:
        return _login_page(
            request,
            settings,
            status_code=exc.status_code,
            values=values,
            errors={"password": exc.detail},
            error_message=exc.detail,
        )
    response = redirect(_safe_next(values["lanjut"]), "Selamat datang.")
    response.cookies.append(
        Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=not settings.insecure_cookies,
            max_age=auth_service.SESSION_HOURS * 3600,
        )
    )
    return response


@post("/keluar", sync_to_thread=True)
def logout(request: Request[Any, Any, Any], db_session: Session, data: Form) -> Redirect:
    check_csrf(request, data)
    auth_service.logout(db_session, _cookie(request.headers.get("cookie", ""), SESSION_COOKIE))
    response = redirect(LOGIN_PATH, "Anda sudah keluar.")
    response.cookies.append(
        Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True)
    )
    return response


def _planner_todo(session: Session, actor: Actor, year: int, quarter: int) -> dict[str, Any]:
    actions = plan_service.list_actions(session, actor=actor, year=year, per_page=500).items
    no_usulan = {
        f.action_code
        for f in budget.list_flags(session, year=year, actor=actor, flag=Flag.BELUM_USULAN)
    }
    missing_progress = []
    for action in actions:
        reports = plan_service.list_progress(session, action.id, actor=actor)
        if not any(r.year == year and r.quarter == quarter for r in reports):
            missing_progress.append(action)
    return {
        "actions": actions,
        "missing_progress": missing_progress,
        "missing_usulan": [a for a in actions if a.code in no_usulan],
    }


@get("/beranda", sync_to_thread=True)
def home(
    request: Request[Any, Any, Any], db_session: Session, settings: Settings, actor: Actor
) -> Template:
    year = current_year(db_session)
    today = lapor.today_wita()
    quarter = (today.month - 1) // 3 + 1 if today.year == year else 4
    context: dict[str, Any] = {"year": year, "quarter": quarter}
    if actor.role is Role.PERENCANA:
        context.update(_planner_todo(db_session, actor, year, quarter))
    else:
        context["summary"] = budget.summary(db_session, year=year, settings=settings, actor=actor)
        context["priorities"] = budget.list_flags(
            db_session, year=year, flag=Flag.PRIORITAS, settings=settings, actor=actor
        )
    if actor.role in (Role.KOORDINATOR, Role.ADMIN):
        data = report_queries.quarterly_data(
            db_session,
            settings=settings,
            year=year,
            quarter=quarter,
            as_of=max(today, lapor.today_wita()),
        )
        context["gaps"] = data.gaps.to_dicts()
        period = latest_complete_quarter(today)
        context["kpi_period"] = period
        context["kpis"] = lapor.kpis(
            db_session, settings=settings, year=period.year, quarter=period.quarter
        )
    return page(request, "home.html", **context)
