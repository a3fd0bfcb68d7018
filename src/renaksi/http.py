"""HTTP plumbing shared by the feature APIs: the session dependency and error documentation."""

from collections.abc import Iterator
from typing import Any

from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.orm import Session, sessionmaker

from renaksi.errors import ErrorBody

API_PREFIX = "/api/v1"


def provide_session(state: State) -> Iterator[Session]:
    """One session per request. Services open their own write transactions."""
    factory: sessionmaker[Session] = state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.close()


_DESCRIPTIONS = {
    400: "Permintaan tidak dapat dibaca (JSON rusak, parameter salah)",
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
        for code in sorted(set((400, *wanted)))
    }


def page_params(page: int, per_page: int) -> dict[str, Any]:
    return {"page": page, "per_page": per_page}
