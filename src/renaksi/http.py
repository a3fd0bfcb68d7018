"""HTTP plumbing shared by the feature APIs: the session dependency and error documentation."""

import re
from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.orm import Session, sessionmaker

from renaksi.auth.actor import Actor
from renaksi.auth.service import IF_MATCH_MISSING
from renaksi.errors import (
    ErrorBody,
    FieldError,
    NotAuthenticatedError,
    PreconditionFailedError,
)

API_PREFIX = "/api/v1"


def provide_session(state: State, request: Request[Any, Any, Any]) -> Iterator[Session]:
    """One session per request, carrying the caller for the audit trail.

    Services open their own write transactions.
    """
    factory: sessionmaker[Session] = state.session_factory
    session = factory()
    session.info["actor"] = request.scope.get("state", {}).get("actor")
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


_DESCRIPTIONS = {
    400: "Permintaan tidak dapat dibaca (JSON rusak, parameter salah)",
    401: "Belum masuk, sesi berakhir, atau token tidak valid",
    403: "Peran atau PD Anda tidak berwenang",
    413: "Berkas terlalu besar",
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
