"""Assertions about what every API response promises: the one error shape, never a 500."""

from typing import Any

import httpx

ERROR_KEYS = {"status_code", "title", "detail", "errors"}
FIELD_ERROR_KEYS = {"message", "field", "sheet", "row", "column", "value"}


def assert_error(
    response: httpx.Response, status: int | tuple[int, ...], *, field: str | None = None
) -> dict[str, Any]:
    """The response is an error in our shape with ``status``; ``field`` is named when given."""
    wanted = (status,) if isinstance(status, int) else status
    assert response.status_code in wanted, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status_code"] == response.status_code
    assert body["title"] and body["detail"], body
    for error in body["errors"]:
        assert set(error) == FIELD_ERROR_KEYS, error
        assert error["message"], error
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def field_error(body: dict[str, Any], field: str) -> dict[str, Any]:
    """The first error about ``field``."""
    error: dict[str, Any] = next(e for e in body["errors"] if e["field"] == field)
    return error


def current(api: Any, url: str) -> dict[str, str]:
    """``If-Match`` for ``url`` from a fresh GET (empty when the record does not exist)."""
    tag = api.get(url).headers.get("ETag")
    return {"If-Match": tag} if tag else {}
