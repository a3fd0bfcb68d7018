"""HTTP plumbing shared by the feature APIs: the session dependency and error documentation."""

import re
from collections.abc import Iterator
from typing import Annotated, Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.routes import HTTPRoute
from sqlalchemy.orm import Session, sessionmaker

from renaksi.auth.actor import Actor
from renaksi.auth.service import IF_MATCH_MISSING
from renaksi.db import revision
from renaksi.errors import (
    ErrorBody,
    FieldError,
    NotAuthenticatedError,
    PreconditionFailedError,
)
from renaksi.schemas import MAX_ID

API_PREFIX = "/api/v1"

#: a row id in a path: bounded, so ``/tokens/99999999999999999999`` is a 400, not a driver
#: overflow (SQLite INTEGER and PostgreSQL ``integer`` stop at 2**31 - 1 for our ids)
PathId = Annotated[int, Parameter(ge=1, le=MAX_ID)]


def provide_session(state: State, request: Request[Any, Any, Any]) -> Iterator[Session]:
    """One session per request, carrying the caller for the audit trail.

    Services open their own write transactions.
    """
    factory: sessionmaker[Session] = state.session_factory
    session = factory()
    scope_state: dict[str, Any] = request.scope.get("state", {})
    session.info["actor"] = scope_state.get("actor")
    if scope_state.get("data_token") is not None:  # read by the identity middleware
        session.info[revision.KNOWN] = scope_state["data_token"]  # (see db/revision.py)
    try:
        yield session
    finally:
        session.close()


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """The authenticated caller (the route guard already refused anonymous callers)."""
    actor: Actor | None = request.scope.get("state", {}).get("actor")
    if actor is None:
        raise NotAuthenticatedError("Silakan masuk terlebih dahulu.")
    return actor


_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: Request[Any, Any, Any]) -> int:
    """The version the client last saw, from ``If-Match``; required on every update.

    A missing header gives :data:`~renaksi.auth.service.IF_MATCH_MISSING`, which the service
    turns into 428 *after* checking that the record exists (unknown ids stay 404).
    """
    raw = request.headers.get("if-match")
    if not raw:
        return IF_MATCH_MISSING
    match = _ETAG.match(raw.strip())
    if not match:
        raise PreconditionFailedError(
            "Header If-Match tidak dikenali.",
            [FieldError(field="If-Match", value=raw[:40], message='pakai ETag, mis. "3"')],
        )
    return int(match.group(1))


def form_version(raw: str) -> int:
    """The version a web form carried in its hidden ``version`` field (the form's If-Match).

    Missing or unreadable gives :data:`~renaksi.auth.service.IF_MATCH_MISSING` (428), never
    "no check": a form that lost its version must not overwrite someone else's change.
    """
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else IF_MATCH_MISSING


_DESCRIPTIONS = {
    400: "Permintaan tidak dapat dibaca (JSON rusak, parameter salah)",
    401: "Belum masuk, sesi berakhir, atau token tidak valid",
    403: "Peran atau PD Anda tidak berwenang",
    413: "Berkas terlalu besar",
    415: "Jenis konten tidak didukung (pakai application/json)",
    423: "Periode dikunci",
    428: "Header If-Match wajib",
    429: "Terlalu banyak percobaan",
    404: "Tidak ditemukan",
    409: "Konflik dengan data yang ada",
    412: "Data sudah diubah orang lain",
    422: "Data tidak valid; `errors` menyebut setiap isian yang salah",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries documenting the one error shape for the given status codes."""
    wanted = codes or (400, 404, 422)
    return {
        code: ResponseSpec(
            data_container=ErrorBody,
            description=_DESCRIPTIONS.get(code, "Galat"),
            generate_examples=False,
        )
        for code in sorted(set((400, 401, 403, *wanted)))
    }


def page_params(page: int, per_page: int) -> dict[str, Any]:
    return {"page": page, "per_page": per_page}


def document_auth_errors(app: Litestar) -> None:
    """Every API operation behind the route guard can answer 401 (not signed in) and 403 (role
    or unit not allowed): document both, with the one error shape, where a handler did not."""
    from renaksi.auth.policy import PUBLIC_ROUTES, route_key

    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if route_key(method, route.path) in PUBLIC_ROUTES:
                    continue
                wanted = error_responses(401, 403)
                handler.responses = {
                    **{c: wanted[c] for c in (401, 403)},
                    **(handler.responses or {}),
                }
