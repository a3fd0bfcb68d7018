"""Plumbing shared by the web pages: who is logged in, CSRF, flash messages, rendering and
the friendly error pages. No rule lives here: the pages call the same services as the API."""

import datetime as dt
from typing import Any
from urllib.parse import quote, unquote, urlencode

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from sqlalchemy.orm.exc import StaleDataError

from renaksi.auth import policy
from renaksi.auth.actor import Actor
from renaksi.codes import Role
from renaksi.errors import (
    FieldError,
    ForbiddenError,
    NotAuthenticatedError,
    RenaksiError,
    ValidationError,
    translate,
)
from renaksi.formatting import long_date, number, rupiah

FLASH_COOKIE = "renaksi_flash"
LOGIN_PATH = "/masuk"

ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.KOORDINATOR: "Koordinator",
    Role.PERENCANA: "Perencana PD",
    Role.BAPPEDA: "Bappeda",
}


# --- formatting filters (registered on the Jinja environment) ---------------------------------


def tanggal(value: dt.date | dt.datetime | None) -> str:
    """``17 Agustus 2024`` (and ``, 14.05 WITA`` for moments, shown in WITA)."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        from renaksi.lapor.service import WITA

        local = value.astimezone(WITA) if value.tzinfo else value
        return f"{long_date(local)}, {local:%H.%M} WITA"
    return long_date(value)


def rp(value: int | None) -> str:
    return "-" if value is None else rupiah(int(value))


def persen(value: float | None) -> str:
    return "-" if value is None else f"{number(round(value, 1))}%"


FILTERS = {"tanggal": tanggal, "rp": rp, "angka": number, "persen": persen}


# --- who is asking ---------------------------------------------------------------------------


def state_of(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.get("state", {})
    return state


def provide_web_actor(request: Request[Any, Any, Any]) -> Actor:
    """The logged-in user; anyone else is sent to the login page (see :func:`handle_error`)."""
    actor: Actor | None = state_of(request).get("actor")
    if actor is None:
        raise NotAuthenticatedError("Silakan masuk terlebih dahulu.")
    return actor


def may(actor: Actor, method: str, api_path: str) -> bool:
    """Whether the API's route table lets this role make that call (forms are shown by this)."""
    allowed = policy.roles_for(method, api_path)
    return bool(allowed) and actor.role in (allowed or ())


def require_route(actor: Actor, method: str, api_path: str) -> None:
    """Page gate taken from the API's route table: a form that writes through the same service
    as ``method api_path`` admits exactly the roles that route admits."""
    if not may(actor, method, api_path):
        raise ForbiddenError("Halaman ini bukan untuk peran Anda.")


def check_csrf(request: Request[Any, Any, Any], form: dict[str, Any]) -> None:
    """Every web write carries the session's CSRF token as the hidden field ``_csrf``."""
    sent = form.get("_csrf")
    expected = state_of(request).get("csrf")
    if not sent or not expected or sent != expected:
        raise ForbiddenError(
            "Token keamanan formulir (CSRF) tidak ada atau tidak cocok; muat ulang halaman lalu ulangi."
        )


def field(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


# --- flash messages and redirects ------------------------------------------------------------


def redirect(path: str, message: str | None = None, kind: str = "ok", **query: Any) -> Redirect:
    """303 after a successful write, carrying a one-time message in a cookie."""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    target = path + ("?" + urlencode(query) if query else "")
    cookies = []
    if message:
        cookies.append(
            Cookie(
                key=FLASH_COOKIE,
                value=quote(f"{kind}|{message}"),
                path="/",
                httponly=True,
                samesite="lax",
            )
        )
    return Redirect(path=target, status_code=303, cookies=cookies)


def page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """Render a page with the shared context; a waiting flash message is shown once."""
    cookies: list[Cookie] = []
    flash = None
    raw = request.cookies.get(FLASH_COOKIE)
    if raw:
        kind, _, text = unquote(raw).partition("|")
        flash = {"kind": kind if kind in ("ok", "galat") else "ok", "text": text}
        cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/"))
    if context.get("error_message"):
        flash = {"kind": "galat", "text": context["error_message"]}
    state = state_of(request)
    actor: Actor | None = state.get("actor")
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return Template(
        template_name=name,
        context={
            "actor": actor,
            "role_label": ROLE_LABELS.get(actor.role) if actor else None,
            "csrf": state.get("csrf") or "",
            "flash": flash,
            "path": request.url.path,
            "Role": Role,
            **context,
        },
        status_code=status_code,
        cookies=cookies,
        headers={"Cache-Control": "no-store"},
    )


def field_errors(exc: RenaksiError) -> dict[str, str]:
    """Field name → message, to show each message beside its input."""
    found: dict[str, str] = {}
    for error in exc.errors:
        if error.field:
            found.setdefault(error.field, error.message)
    return found


#: form fields never echoed back into a re-rendered form
UNECHOED = frozenset({"_csrf", "password"})


def form_state(
    form_name: str | None, data: dict[str, Any] | None, exc: RenaksiError | None
) -> dict[str, Any]:
    """Template context of a form shown again: what was typed (never the CSRF token or a
    password) and each message beside its field."""
    return {
        "form_name": form_name,
        "values": {k: v for k, v in (data or {}).items() if k not in UNECHOED},
        "errors": field_errors(exc) if exc is not None else {},
        "error_message": exc.detail if exc is not None else None,
    }


def convert_form(kind: type[Any], payload: dict[str, Any]) -> Any:
    """Validate with the API's own wire type, so the page accepts exactly what the API does."""
    try:
        return msgspec.convert(payload, kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        name = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else None
        raise ValidationError(
            "Isian tidak valid; periksa yang ditandai.",
            [FieldError(field=name, message=translate(message))],
        ) from None


def is_refusal(exc: RenaksiError) -> bool:
    """Errors that are pages of their own (not allowed, gone) rather than form messages."""
    return exc.status_code in (401, 403, 404)


def form_error(detail: str, field_name: str, message: str) -> RenaksiError:
    return ValidationError(detail, [FieldError(field=field_name, message=message)])


# --- friendly error pages --------------------------------------------------------------------


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A page never shows a stack trace: every error becomes a page in Bahasa Indonesia."""
    if isinstance(exc, NotAuthenticatedError):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return Redirect(path=f"{LOGIN_PATH}?{urlencode({'lanjut': target})}", status_code=303)
    if isinstance(exc, RenaksiError):
        status, title, detail, errors = exc.status_code, exc.title, exc.detail, exc.errors
    elif isinstance(exc, StaleDataError):
        status, title, errors = 412, "Data sudah berubah", []
        detail = "Data ini baru saja diubah orang lain; muat ulang lalu ulangi perubahan Anda."
    elif isinstance(exc, ValidationException):
        status, title, errors = 400, "Permintaan tidak valid", []
        detail = "Alamat atau isian formulir tidak valid; periksa lalu ulangi."
    elif isinstance(exc, HTTPException) and exc.status_code < 500:
        status, title, errors = exc.status_code, "Tidak dapat diproses", []
        detail = {
            404: "Halaman tidak ditemukan.",
            405: "Alamat ini hanya menerima kiriman formulir; buka halamannya lalu kirim dari sana.",
            413: "Berkas atau isian terlalu besar; batas unggahan diatur dengan "
            "RENAKSI_MAX_UPLOAD_BYTES.",
        }.get(status, "Permintaan tidak dapat diproses.")
    else:
        import logging

        logging.getLogger("renaksi").exception(
            "unhandled error on %s", request.url.path, exc_info=exc
        )
        status, title, errors = 500, "Kesalahan server", []
        detail = "Terjadi kesalahan di server. Kejadian ini sudah dicatat."
    return page(
        request, "error.html", status_code=status, title=title, detail=detail, field_errors=errors
    )
