"""Reading user files (CSV, XLSX) into all-string polars frames, and parsing their cells.

Every importer goes the same way: read the file with every cell as text (so nothing is
silently coerced), match headers case- and space-insensitively, then parse each column with
the helpers below, collecting a :class:`~renaksi.errors.FieldError` per bad cell (sheet,
row, column, value) instead of stopping at the first.
"""

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from renaksi import sandbox
from renaksi.errors import FieldError, ValidationError
from renaksi.formatting import rupiah
from renaksi.safety import check_csv, check_xlsx
from renaksi.schemas import MAX_RUPIAH

#: The row number a user sees for the first data row (row 1 holds the headers).
FIRST_DATA_ROW = 2
ROW = "_row"


def header_key(text: str) -> str:
    """Headers match case- and space-insensitively: ``"Kode  aksi"`` == ``"KodeAksi"``."""
    return "".join(str(text).split()).casefold()


def read_xlsx(source: bytes | Path) -> dict[str, pl.DataFrame]:
    """Every sheet of a workbook as an all-string frame, with the sheet row number in ``_row``.

    Unreadable files raise :class:`ValidationError` (not a stack trace).
    """
    data = source.read_bytes() if isinstance(source, Path) else source
    size = check_xlsx(data)  # bounded, macro- and entity-free, before any parser sees it
    sheets = sandbox.parse(data, parse_sheets, uncompressed=size)
    return {name: _with_row_numbers(frame) for name, frame in sheets.items()}


def parse_sheets(data: bytes) -> dict[str, pl.DataFrame]:
    """Every sheet as an all-string frame (a checked workbook; see :func:`read_xlsx`)."""
    try:
        reader = fastexcel.read_excel(data)
        return {
            name: reader.load_sheet(name, dtypes="string").to_polars()
            for name in reader.sheet_names
        }
    except (fastexcel.FastExcelError, ValueError, OSError) as exc:
        raise ValidationError(
            "Berkas tidak dapat dibaca sebagai workbook Excel (.xlsx).",
            [FieldError(message=str(exc).splitlines()[0][:300])],
        ) from exc


def read_csv(source: bytes | Path, *, separator: str | None = None) -> pl.DataFrame:
    """A CSV file as an all-string frame with ``_row``. Accepts a UTF-8 BOM and ``,`` or ``;``."""
    data = source.read_bytes() if isinstance(source, Path) else source
    check_csv(data)  # UTF-8 text, bounded lines and columns
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if separator is None:
        first_line = data.split(b"\n", 1)[0]
        separator = ";" if first_line.count(b";") > first_line.count(b",") else ","
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=separator,
            infer_schema=False,
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "Berkas CSV tidak dapat dibaca.", [csv_problem(data, separator, exc)]
        ) from exc
    return _with_row_numbers(frame)


def csv_problem(data: bytes, separator: str, exc: Exception, *, sheet: str = "CSV") -> FieldError:
    """Why polars refused the file, said in Indonesian and with the row when we can find it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FieldError(
            sheet=sheet,
            message="berkas bukan teks UTF-8; simpan ulang dari Excel sebagai 'CSV UTF-8'",
        )
    if not text.strip():
        return FieldError(sheet=sheet, message="berkas kosong")
    records = csv.reader(io.StringIO(text), delimiter=separator)
    header = next(records, [])
    for record in records:
        if len(record) > len(header):
            return FieldError(
                sheet=sheet,
                row=records.line_num,
                message=f"baris berisi {len(record)} kolom, padahal judul hanya {len(header)}; "
                f"beri tanda kutip pada nilai yang memuat '{separator}'",
            )
    return FieldError(sheet=sheet, message=str(exc).splitlines()[0][:300])


def _with_row_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.with_row_index(ROW, offset=FIRST_DATA_ROW).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    # Blank cells are null, whatever the source wrote; surrounding spaces never matter.
    text_cols = [c for c in frame.columns if c != ROW]
    frame = frame.with_columns(
        [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in text_cols]
    )
    # Drop rows where every cell is empty (Excel leaves such rows behind) but keep numbering.
    if text_cols:
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in text_cols]))
    return frame


@dataclass
class Table:
    """A sheet with its columns mapped to field names; ``headers`` keeps what the file said."""

    sheet: str
    frame: pl.DataFrame
    headers: dict[str, str] = field(default_factory=dict)

    def rows(self) -> Iterable[dict[str, str | None]]:
        return self.frame.iter_rows(named=True)


def map_columns(
    frame: pl.DataFrame,
    *,
    sheet: str,
    columns: Mapping[str, Iterable[str]],
    required: Iterable[str],
    errors: list[FieldError],
) -> Table:
    """Rename the file's headers to field names. Missing required columns become errors."""
    by_key = {header_key(h): h for h in frame.columns if h != ROW}
    renames: dict[str, str] = {}
    headers: dict[str, str] = {}
    for field_name, names in columns.items():
        for name in names:
            found = by_key.get(header_key(name))
            if found is not None:
                renames[found] = field_name
                headers[field_name] = found
                break
    for field_name in required:
        if field_name not in headers:
            wanted = next(iter(columns[field_name]))
            errors.append(
                FieldError(
                    sheet=sheet, row=1, column=wanted, message=f"kolom wajib '{wanted}' tidak ada"
                )
            )
    kept = frame.select([ROW, *renames]).rename(renames)
    for field_name in columns:
        if field_name not in kept.columns:
            kept = kept.with_columns(pl.lit(None, dtype=pl.String).alias(field_name))
    return Table(sheet=sheet, frame=kept, headers=headers)


_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _dotted_thousands(cleaned: str) -> bool:
    """``1.000``, ``2.500``, ``1.500.000``: Indonesian thousands separators.

    A number cell reaches us as its shortest decimal text (``1.5``, ``33.333``), which
    never ends a fraction with ``0`` and never has two dots; so a dotted group is read as
    thousands when there are several groups or the last ends in ``0``. ``1.125`` stays
    ambiguous and is read as the decimal a number cell would give: a target typed via
    the API and exported (33.333) must come back unchanged.
    """
    return bool(_THOUSANDS.match(cleaned)) and (cleaned.count(".") > 1 or cleaned[-1] == "0")


def parse_rupiah(text: str) -> int:
    """Whole Rupiah ≥ 0 from a cell: ``1500000``, ``1500000.0``, ``Rp 1.500.000``, ``12.345``.

    Raises ``ValueError`` with an Indonesian message for anything else.
    """
    raw = text.strip()
    cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    if cleaned.endswith(",00"):  # before the thousands: "Rp 1.500.000,00"
        cleaned = cleaned[:-3]
    if _THOUSANDS.match(cleaned):
        # Rupiah has no decimals, so "12.345" can only be Indonesian thousands (a number
        # cell of 12.345 Rupiah would be a typing mistake either way)
        cleaned = cleaned.replace(".", "")
    if not _NUMBER.match(cleaned):
        raise ValueError("bukan angka Rupiah")
    value = _finite(cleaned)
    if value != int(value):
        raise ValueError("Rupiah harus bilangan bulat (tanpa sen)")
    if value < 0:
        raise ValueError("jumlah tidak boleh negatif")
    amount = int(cleaned) if cleaned.isdigit() else int(value)
    if amount > MAX_RUPIAH:
        raise ValueError(f"jumlah terlalu besar (maksimal {rupiah(MAX_RUPIAH)})")
    return amount


def _finite(cleaned: str) -> float:
    """``float`` of a matched number; ``1e999`` is infinity, which no cell can mean."""
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError("angka terlalu besar")
    return value


def parse_number(text: str) -> float:
    """A decimal number: ``75``, ``75.5``, or Indonesian ``75,5``, ``1.000`` (thousand),
    ``1.000,5``. A single dotted group is thousands only when it cannot be a number cell's
    decimals (:func:`_dotted_thousands`); :func:`parse_rupiah` has no decimals to confuse."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _dotted_thousands(cleaned):
        cleaned = cleaned.replace(".", "")
    if not _NUMBER.match(cleaned):
        raise ValueError("bukan angka")
    return _finite(cleaned)


def parse_int(text: str) -> int:
    cleaned = text.strip()
    if not _NUMBER.match(cleaned):
        raise ValueError("bukan bilangan bulat")
    if cleaned.lstrip("+-").isdigit():
        return int(cleaned)
    value = _finite(cleaned)
    if value != int(value):
        raise ValueError("bukan bilangan bulat")
    return int(value)


def require_no_errors(errors: list[FieldError], what: str) -> None:
    """Raise one :class:`ValidationError` listing every error, sorted by place."""
    if errors:
        errors.sort(key=lambda e: (e.sheet or "", e.row or 0, e.column or ""))
        raise ValidationError(
            f"{what} ditolak: {len(errors)} kesalahan, tidak ada yang disimpan.", errors
        )
