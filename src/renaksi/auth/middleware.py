"""Per-request identity and protective headers.

:func:`protect` wraps the whole application: request id, allowed hosts and security headers
on every response, 404 and 405 included. :class:`IdentityMiddleware` resolves who is calling
(session cookie or ``Authorization: Bearer`` token) without ever failing. :func:`route_guard`
then decides, from :mod:`renaksi.auth.policy`, whether the caller may use the route at all;
services check the row-level rules.
"""

import re
import uuid
from typing import Any

import anyio
import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractMiddleware
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.orm import Session, sessionmaker

from renaksi.auth import policy
from renaksi.auth.actor import Actor
from renaksi.auth.service import actor_from_session, actor_from_token
from renaksi.db import revision
from renaksi.errors import ErrorBody, ForbiddenError, NotAuthenticatedError

SESSION_COOKIE = "renaksi_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CSP_APP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
#: the API docs UI loads its script and styles from a CDN
CSP_DOCS = (
    "default-src 'self'; img-src 'self' data: https:; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com data:; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; connect-src 'self'; "
    "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


def _identify(
    factory: sessionmaker[Session], cookie: str | None, bearer: str | None
) -> tuple[Actor | None, str | None, int | None]:
    """The caller, its CSRF token, and the data revision token this request starts from."""
    with factory() as session:
        data_token = revision.current(session)
        if bearer:
            return actor_from_token(session, bearer), None, data_token
        if cookie:
            found = actor_from_session(session, cookie)
            if found:
                return *found, data_token
    return None, None, data_token


class IdentityMiddleware(AbstractMiddleware):
    """Who is calling. Runs for matched routes only (Litestar middleware); the request id,
    the host check and the protective headers are :func:`protect`'s, which sees every
    request, 404 and 405 included."""

    scopes = {ScopeType.HTTP}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = state.get("request_id") or _request_id(headers)
        cookie = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        actor: Actor | None = None
        csrf: str | None = None
        data_token: int | None = None
        if cookie or bearer:
            factory = scope["litestar_app"].state.session_factory
            actor, csrf, data_token = await anyio.to_thread.run_sync(
                _identify, factory, cookie, bearer
            )
        if actor is not None:
            actor = Actor(**{**actor.__dict__, "request_id": request_id})
        state.update(
            actor=actor,
            csrf=csrf,
            request_id=request_id,
            bearer_given=bearer is not None,
            data_token=data_token,
        )
        await self.app(scope, receive, send)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _request_id(headers: dict[str, str]) -> str:
    given = headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def protect(app: ASGIApp, allowed_hosts: frozenset[str]) -> ASGIApp:
    """The outermost layer around the Litestar application (``create_app`` installs it).

    Litestar middleware runs only when a route matched, so 404 and 405 answers would go out
    without these. Here every HTTP request gets its id, unknown hosts get 400 before anything
    else (no identity lookup), and every response carries ``nosniff``, a CSP with
    ``frame-ancestors 'none'``, ``Referrer-Policy`` and, outside ``/static``,
    ``Cache-Control: no-store``: pages, downloads and API answers may hold data of the
    signed-in user and must not stay in a shared or browser cache.
    """

    async def protected(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = _headers(scope)
        request_id = _request_id(headers)
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableScopeHeaders.from_message(message)
                out["X-Request-ID"] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                out["Referrer-Policy"] = "no-referrer"
                out["X-Frame-Options"] = "DENY"
                out["Content-Security-Policy"] = CSP_DOCS if path.startswith("/schema") else CSP_APP
                if not path.startswith("/static/"):
                    out["Cache-Control"] = "no-store"
            await send(message)

        if "*" not in allowed_hosts and _host_name(headers.get("host", "")) not in allowed_hosts:
            await _refuse_host(scope, receive, send_wrapper)
            return
        await app(scope, receive, send_wrapper)

    return protected


def _host_name(host: str) -> str:
    """``example.org:8000`` → ``example.org``; ``[::1]:8000`` → ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.split(":")[0]


async def _refuse_host(scope: Scope, receive: Receive, send: Send) -> None:
    body = ErrorBody(
        400,
        "Host tidak dikenal",
        "Server ini tidak melayani nama host tersebut (lihat RENAKSI_ALLOWED_HOSTS).",
    )
    response = ASGIResponse(
        body=msgspec.json.encode(body), status_code=400, media_type="application/json"
    )
    await response(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    actor: Actor | None = connection.scope.get("state", {}).get("actor")
    return actor


def route_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Deny by default: a route must be in the policy table; then role and CSRF checks."""
    method = str(connection.scope.get("method", "GET"))
    template = str(connection.scope.get("path_template") or connection.scope["path"])
    if method == "OPTIONS":
        return
    allowed = policy.roles_for(method, template)
    if allowed is None:
        raise ForbiddenError("Alamat ini tidak terdaftar dalam tabel hak akses.")
    if allowed is policy.PUBLIC:
        return
    state = connection.scope.get("state", {})
    actor: Actor | None = state.get("actor")
    if actor is None:
        detail = (
            "Token API tidak valid atau sudah dicabut."
            if state.get("bearer_given")
            else "Silakan masuk terlebih dahulu."
        )
        raise NotAuthenticatedError(detail)
    if actor.via == "session" and method not in SAFE_METHODS:
        sent = connection.headers.get(CSRF_HEADER)
        if not sent or sent != state.get("csrf"):
            raise ForbiddenError("Token CSRF tidak ada atau tidak cocok; muat ulang halaman.")
    policy.require_role(actor.role, allowed, "memakai fungsi ini")


def web_route_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The pages' gate from :data:`~renaksi.auth.policy.WEB_ROUTES`, deny by default.

    Anonymous visitors get :class:`NotAuthenticatedError` (the web error handler sends them to
    the login page); other roles get 403. Forms still check their CSRF field and the services
    their row rules.
    """
    method = str(connection.scope.get("method", "GET"))
    if method == "OPTIONS":
        return
    template = str(connection.scope.get("path_template") or connection.scope["path"])
    allowed = policy.WEB_ROUTES.get(
        policy.route_key("GET" if method == "HEAD" else method, template)
    )
    if allowed is None:
        raise ForbiddenError("Alamat ini tidak terdaftar dalam tabel hak akses.")
    if allowed is policy.PUBLIC:
        return
    actor = current_actor(connection)
    if actor is None:
        raise NotAuthenticatedError("Silakan masuk terlebih dahulu.")
    if actor.role not in allowed:
        raise ForbiddenError("Halaman ini bukan untuk peran Anda.")
