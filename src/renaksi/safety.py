"""Checks on untrusted files before any parser sees them.

An XLSX file is a zip of XML parts; the parsers (calamine via fastexcel, polars) trust it.
Before parsing, :func:`check_xlsx` proves the file is bounded: a real zip, few members, every
member decompressed *for real* (sizes in the zip directory can lie) under a total and a ratio
limit, no DOCTYPE/ENTITY in any XML part (entity expansion, external entities), no macro
project, few sheets, and each sheet's declared dimension within a cell budget. Together these
bound what the parser can be made to allocate; workbooks that are big even so are parsed in a
memory-capped child process (:mod:`renaksi.sandbox`). :func:`check_csv` requires UTF-8 text (a BOM is fine), no
binary content, bounded line length and column count.

Every refusal is a :class:`~renaksi.errors.ValidationError` in Bahasa Indonesia: 422 on the
API, exit code 2 on the CLI.
"""

import codecs
import io
import re
import zipfile

from renaksi.errors import FieldError, ValidationError

MAX_FILE_BYTES = 512 * 1024 * 1024
#: a national year of LAPOR! complaints is 1-2 million rows (~260-520 MB); 5 million fit too
MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
#: deflate reaches ~10:1 on spreadsheet XML, ~30:1 on very repetitive sheets; bombs reach 1000:1
MAX_RATIO = 200
MAX_SHEETS = 100
MAX_SHEET_COLUMNS = 1_000
MAX_SHEET_CELLS = 60_000_000
MAX_CSV_LINE_BYTES = 1_000_000
MAX_CSV_COLUMNS = 1_000
_CHUNK = 1024 * 1024

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "gambar PNG"),
    (b"\xff\xd8\xff", "gambar JPEG"),
    (b"GIF8", "gambar GIF"),
    (b"%PDF", "dokumen PDF"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "berkas Office lama (.xls/.doc); simpan ulang sebagai .xlsx",
    ),
    (b"\x1f\x8b", "arsip gzip"),
    (b"PK\x03\x04", "arsip zip/xlsx"),
]
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _refuse(detail: str, message: str, *, sheet: str | None = None) -> ValidationError:
    return ValidationError(detail, [FieldError(message=message, sheet=sheet)])


def _what_is(data: bytes) -> str | None:
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    return None


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def check_xlsx(data: bytes) -> int:
    """Refuse anything that is not a bounded, macro-free, entity-free .xlsx workbook.

    Returns how many bytes its parts decompress to (what the parser will read).
    """
    what = "Berkas tidak dapat dibaca sebagai workbook Excel (.xlsx)."
    if not data:
        raise _refuse(what, "berkas kosong (0 bait)")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(what, f"berkas lebih dari {MAX_FILE_BYTES // 1024 // 1024} MB")
    if not data.startswith(b"PK\x03\x04"):
        kind = _what_is(data) or "bukan arsip .xlsx"
        raise _refuse(what, f"isi berkas: {kind}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(what, f"arsip zip rusak ({str(exc)[:100]})") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(what, f"arsip berisi {len(members)} bagian (maksimal {MAX_ZIP_MEMBERS})")
    names = {m.filename.lower() for m in members}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise _refuse(what, "workbook berisi makro (vbaProject.bin); simpan ulang sebagai .xlsx")
    sheets = [m for m in members if _SHEET_PART.match(m.filename)]
    if len(sheets) > MAX_SHEETS:
        raise _refuse(what, f"workbook berisi {len(sheets)} sheet (maksimal {MAX_SHEETS})")
    total = 0
    for member in members:
        total = _check_member(archive, member, total, what)
    return total


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, what: str) -> int:
    """Decompress one member for real (the directory's sizes may lie), counting every byte."""
    name = member.filename
    xml = name.lower().endswith((".xml", ".rels", ".vml"))
    is_sheet = bool(_SHEET_PART.match(name))
    size = 0
    tail = b""
    head = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise _refuse(what, "isi arsip terlalu besar setelah diekstrak (bom zip?)")
                if size > 1024 * 1024 and size > MAX_RATIO * max(member.compress_size, 1):
                    raise _refuse(
                        what, f"bagian {name} mengembang lebih dari {MAX_RATIO}× (bom zip?)"
                    )
                if xml:
                    window = tail + chunk
                    if _DOCTYPE.search(window):
                        raise _refuse(
                            what, f"bagian {name} memuat DOCTYPE/ENTITY XML (tidak diizinkan)"
                        )
                    tail = window[-64:]
                if is_sheet and len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                    _check_dimension(head, name, what)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse(what, f"bagian {name} rusak ({str(exc)[:100]})") from exc
    except RuntimeError as exc:  # encrypted member
        raise _refuse(what, f"bagian {name} terenkripsi") from exc
    return total


def _check_dimension(head: bytes, name: str, what: str) -> None:
    match = _DIMENSION.search(head)
    if not match:
        return
    first_col, first_row, last_col, last_row = (g or b"" for g in match.groups())
    end_col = _column_number((last_col or first_col or b"A").decode())
    end_row = int(last_row or first_row or b"1")
    if end_col > MAX_SHEET_COLUMNS or end_col * end_row > MAX_SHEET_CELLS:
        ref = match.group(0).decode(errors="replace").split('"')[1]
        raise _refuse(
            what,
            f"ukuran sheet yang dinyatakan {ref} terlalu besar (maksimal {MAX_SHEET_COLUMNS} "
            f"kolom dan {MAX_SHEET_CELLS // 1_000_000} juta sel)",
            sheet=name.rsplit("/", 1)[-1],
        )


def check_csv(data: bytes) -> None:
    """Refuse anything that is not UTF-8 text with bounded lines and columns."""
    what = "Berkas CSV tidak dapat dibaca."
    if not data.strip():
        raise _refuse(what, "berkas kosong")
    if len(data) > MAX_CSV_BYTES:
        raise _refuse(what, f"berkas lebih dari {MAX_CSV_BYTES // 1024 // 1024} MB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(what, "berkas berkode UTF-16; simpan ulang dari Excel sebagai 'CSV UTF-8'")
    kind = _what_is(data)
    if kind is not None or b"\x00" in data[:_CHUNK]:
        raise _refuse(what, f"berkas bukan teks CSV (isi berkas: {kind or 'data biner'})")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    for start in range(0, len(body), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(body))
        except UnicodeDecodeError as exc:
            line = body.count(b"\n", 0, start + exc.start) + 1
            raise ValidationError(
                what,
                [
                    FieldError(
                        sheet="CSV",
                        row=line,
                        message="berkas bukan teks UTF-8 (mis. Latin-1/ANSI); simpan ulang dari "
                        "Excel sebagai 'CSV UTF-8'",
                    )
                ],
            ) from exc
    long_line = _long_line(body, MAX_CSV_LINE_BYTES)
    if long_line is not None:
        line = body.count(b"\n", 0, long_line) + 1
        raise ValidationError(
            what,
            [
                FieldError(
                    sheet="CSV",
                    row=line,
                    message=f"baris lebih dari {MAX_CSV_LINE_BYTES:,} bait".replace(",", "."),
                )
            ],
        )
    header = body.split(b"\n", 1)[0]
    columns = max(header.count(b","), header.count(b";")) + 1
    if columns > MAX_CSV_COLUMNS:
        raise ValidationError(
            what,
            [
                FieldError(
                    sheet="CSV",
                    row=1,
                    message=f"judul berisi {columns} kolom (maksimal {MAX_CSV_COLUMNS})",
                )
            ],
        )


def _long_line(body: bytes, limit: int) -> int | None:
    """Where the first line longer than ``limit`` bytes starts, or None.

    Linear and in C: a line longer than ``limit`` covers at least one whole aligned window of
    ``limit // 2`` bytes without a newline, so only such windows are looked at closely.
    (A regular expression for "more than ``limit`` non-newlines" retries at every byte.)
    """
    half = max(limit // 2, 1)
    for window in range(0, len(body) - half + 1, half):
        if body.find(b"\n", window, window + half) != -1:
            continue
        start = body.rfind(b"\n", 0, window) + 1
        end = body.find(b"\n", window)
        if (len(body) if end == -1 else end) - start > limit:
            return start
    return None


def check_tabular(data: bytes, *, file_name: str) -> int:
    """A LAPOR! export: XLSX when it looks like one (zip magic or name), else CSV.

    Returns the bytes an XLSX decompresses to (the file's size for CSV).
    """
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return check_xlsx(data)
    check_csv(data)
    return len(data)
