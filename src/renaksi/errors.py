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

import re
from collections.abc import Callable
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


class NotAuthenticatedError(RenaksiError):
    status_code = 401
    exit_code = 6
    title = "Belum masuk"


class ForbiddenError(RenaksiError):
    status_code = 403
    exit_code = 7
    title = "Tidak diizinkan"


class PreconditionRequiredError(RenaksiError):
    status_code = 428
    exit_code = 5
    title = "If-Match diperlukan"


class LockedError(RenaksiError):
    status_code = 423
    exit_code = 8
    title = "Periode dikunci"


class TooManyRequestsError(RenaksiError):
    status_code = 429
    exit_code = 9
    title = "Terlalu banyak percobaan"


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

    def __init__(
        self,
        detail: str,
        errors: list[FieldError] | None = None,
        *,
        current_version: int | None = None,
    ) -> None:
        super().__init__(detail, errors)
        #: sent back as the response's ``ETag``, so a client can re-read and retry at once
        self.current_version = current_version


def describe(exc: RenaksiError) -> str:
    """Multi-line text for terminals: the detail, then every field error on its own line."""
    lines = [exc.detail]
    lines.extend(f"  - {e}" for e in exc.errors)
    return "\n".join(lines)


def to_jsonable(body: ErrorBody) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(body)
    return result


# --- messages from msgspec / Litestar, in the user's language --------------------------------

_TYPES = {
    "int": "bilangan bulat",
    "float": "angka",
    "str": "teks",
    "bool": "true/false",
    "object": "objek JSON",
    "array": "daftar (array)",
    "null": "null",
}


def _type(text: str, *, got: bool = False) -> str:
    if got and text == "float":
        return "angka desimal"
    return " atau ".join(_TYPES.get(t.strip(), t.strip()) for t in text.split("|"))


def _bound(kind: str, op: str, limit: str) -> str:
    what = {"str": "panjang teks", "array": "jumlah isian"}.get(kind, "nilai")
    unit = " karakter" if kind == "str" else ""
    words = {">=": "minimal", "<=": "maksimal", ">": "harus lebih dari", "<": "harus kurang dari"}
    return f"{what} {words[op]} {_limit(limit)}{unit}"


def _limit(text: str) -> str:
    """``-1000000000000.0`` as ``-1.000.000.000.000``; small or fractional limits as given."""
    try:
        value = float(text)
    except ValueError:
        return text
    if not value.is_integer() or abs(value) < 10_000:
        return text
    return f"{int(value):,}".replace(",", ".")


def _pattern_rule(pattern: str) -> str:
    """What a text must look like, in words, for the patterns the input types use."""
    from renaksi import schemas as common
    from renaksi.auth import schemas as auth
    from renaksi.plan import schemas as plan

    rules = {
        common.CODE_PATTERN: common.CODE_RULE,
        common.TEXT_PATTERN: "tidak boleh kosong atau hanya spasi, dan tanpa karakter NUL",
        common.NO_NUL_PATTERN: "tidak boleh memuat karakter NUL",
        auth.USERNAME_PATTERN: f"nama pengguna: {auth.USERNAME_RULE}",
        plan.SUB_KEGIATAN_PATTERN: plan.SUB_KEGIATAN_RULE,
    }
    # msgspec writes the pattern with its backslashes doubled
    words = {regex.replace("\\", "\\\\"): rule for regex, rule in rules.items()}.get(pattern)
    return f"bentuk tidak valid; {words}" if words else "bentuk teks tidak valid"


_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^Expected `([^`]+)`, got `([^`]+)`"),
        lambda m: f"harus {_type(m[1])}, bukan {_type(m[2], got=True)}",
    ),
    (
        re.compile(r"^Expected `(\w+)` of length (>=|<=|>|<) (\d+)"),
        lambda m: _bound(m[1], m[2], m[3]),
    ),
    (re.compile(r"^Expected `(\w+)` (>=|<=|>|<) (\S+)"), lambda m: _bound(m[1], m[2], m[3])),
    (re.compile(r"^Expected `str` matching regex '(.*)'$"), lambda m: _pattern_rule(m[1])),
    (re.compile(r"^Invalid enum value '(.*)'$"), lambda m: f"nilai '{m[1]}' tidak dikenal"),
    (re.compile(r"^Object contains unknown field `([^`]+)`"), lambda m: "isian tidak dikenal"),
    (re.compile(r"^Object missing required field `([^`]+)`"), lambda m: "isian wajib tidak ada"),
    (re.compile(r"^Number out of range"), lambda m: "angka di luar jangkauan"),
    (
        re.compile(r"^Invalid RFC3339 encoded date$"),
        lambda m: "tanggal tidak valid; pakai format YYYY-MM-DD, mis. 2024-06-30",
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded (datetime|time)$"),
        lambda m: "waktu tidak valid; pakai ISO 8601, mis. 2024-06-30T14:30:00+08:00",
    ),
    (re.compile(r"^JSON is malformed"), lambda m: "JSON rusak, tidak dapat dibaca"),
    (re.compile(r"^Input data was truncated"), lambda m: "JSON tidak lengkap (terpotong)"),
    (re.compile(r"^Request Entity Too Large"), lambda m: "isi permintaan terlalu besar"),
    (re.compile(r"^'data'$"), lambda m: "isi permintaan (JSON) kosong"),
]
_AT = re.compile(r" - at `\$\.?([^`]*)`$")
_FIELD_IN_MESSAGE = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_MISSING_PARAMETER = re.compile(r"^Missing required (\w+) parameter '([^']+)'")


def translate(message: str) -> str:
    """A msgspec/Litestar message (``Expected `int` <= 4``) in Bahasa Indonesia.

    Text we do not recognise is returned unchanged: better English than nothing.
    """
    text = _AT.sub("", message.strip())
    for pattern, render in _MESSAGES:
        if match := pattern.search(text):
            return render(match)
    return text


def request_errors(detail: str, extra: object) -> list[FieldError]:
    """Field errors for a request Litestar refused before our code ran.

    ``extra`` is Litestar's list of ``{"message", "key", "source"}``; a missing parameter comes
    only in ``detail``. The field is the one the message names when Litestar says ``data``
    (the whole body), e.g. for an unknown or missing field.
    """
    errors: list[FieldError] = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        field = str(item["key"]) if item.get("key") else None
        named = _FIELD_IN_MESSAGE.search(message) or _AT.search(message)
        if named and named[1][:1].isalpha() and field in (None, "data"):
            field = named[1]
        errors.append(FieldError(message=translate(message) or "tidak valid", field=field))
    if not errors and (match := _MISSING_PARAMETER.match(detail or "")):
        errors.append(FieldError(field=match[2], message="parameter wajib tidak ada"))
    return errors
