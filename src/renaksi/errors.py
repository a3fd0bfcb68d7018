"""One error family for the whole application, translated in one place.

Services raise :class:`RenaksiError` subclasses carrying a human ``detail`` in Bahasa
Indonesia and, for bad input, a list of :class:`FieldError` naming exactly where the
problem is (field, or sheet/row/column for files). :func:`error_response` turns any of them
into the one documented JSON error shape; the CLI maps them to exit codes.

The JSON error shape (also in the OpenAPI document)::

    {"status_code": 422, "title": "Data tidak valid", "detail": "...",
     "errors": [{"field": "amount", "message": "...", "sheet": null, "row": null,
                 "column": null, "value": "-5"}]}
"""

from typing import Any, ClassVar

import msgspec


class FieldError(msgspec.Struct, omit_defaults=False):
    """One problem with one piece of input."""

    message: str
    field: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def where(self) -> str:
        """Human location, e.g. ``Anggaran baris 7 kolom Jumlah``."""
        parts: list[str] = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        if self.field and not self.column:
            parts.append(f"isian {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.where()
        val = f" (nilai: {self.value!r})" if self.value is not None else ""
        return f"{loc}: {self.message}{val}" if loc else f"{self.message}{val}"


class ErrorBody(msgspec.Struct):
    """The JSON body of every error response."""

    status_code: int
    title: str
    detail: str
    errors: list[FieldError] = msgspec.field(default_factory=list)


class RenaksiError(Exception):
    """Base of every error a user can cause. Never raised for programming mistakes."""

    status_code: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1
    title: ClassVar[str] = "Permintaan tidak dapat diproses"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def body(self) -> ErrorBody:
        return ErrorBody(self.status_code, self.title, self.detail, list(self.errors))


class NotFoundError(RenaksiError):
    status_code = 404
    exit_code = 3
    title = "Tidak ditemukan"


class ConflictError(RenaksiError):
    status_code = 409
    exit_code = 4
    title = "Konflik data"


class ValidationError(RenaksiError):
    status_code = 422
    exit_code = 2
    title = "Data tidak valid"


class PreconditionFailedError(RenaksiError):
    status_code = 412
    exit_code = 5
    title = "Data sudah berubah"


def describe(exc: RenaksiError) -> str:
    """Multi-line text for terminals: the detail, then every field error on its own line."""
    lines = [exc.detail]
    lines.extend(f"  - {e}" for e in exc.errors)
    return "\n".join(lines)


def to_jsonable(body: ErrorBody) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(body)
    return result
