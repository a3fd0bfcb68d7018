"""Read a SP4N LAPOR! export (CSV or XLSX) keeping only the recognised columns.

Personal data (reporter name, phone, e-mail, NIK, address, complaint text) is never loaded:
the header row is read first, and only the columns domain.md lists are read from the file.
"""

import csv
import io
from pathlib import Path

import fastexcel
import polars as pl

from renaksi import sandbox
from renaksi.errors import FieldError, ValidationError
from renaksi.safety import check_tabular
from renaksi.tabular import FIRST_DATA_ROW, ROW, csv_problem, header_key

#: field → header names LAPOR! exports use (matched case- and space-insensitively)
FIELDS: dict[str, list[str]] = {
    "tracking_id": ["No Tracking", "Nomor Tracking", "Tracking ID", "ID Laporan"],
    "submitted_at": ["Tanggal Laporan", "Tanggal Masuk", "Waktu Laporan"],
    "channel": ["Kanal", "Sumber"],
    "classification": ["Klasifikasi"],
    "category": ["Kategori"],
    "subcategory": ["Sub Kategori"],
    "unit_name": ["Instansi Tujuan", "PD Tujuan", "Disposisi", "Unit Kerja"],
    "status": ["Status"],
    "verified_at": ["Tanggal Verifikasi"],
    "dispositioned_at": ["Tanggal Disposisi"],
    "first_response_at": ["Tanggal Tindak Lanjut", "Tanggal Tanggapan"],
    "resolved_at": ["Tanggal Selesai"],
    "anonymous": ["Anonim"],
    "confidential": ["Rahasia"],
}
REQUIRED = ("tracking_id", "submitted_at", "unit_name", "status")
SHEET = "LAPOR"


def _select(headers: list[str]) -> tuple[dict[int, str], list[FieldError]]:
    """Column index → field for recognised headers; missing required columns are errors."""
    wanted = {header_key(n): f for f, names in FIELDS.items() for n in names}
    chosen: dict[int, str] = {}
    for i, header in enumerate(headers):
        field = wanted.get(header_key(header))
        if field is not None and field not in chosen.values():
            chosen[i] = field
    errors = [
        FieldError(
            sheet=SHEET,
            row=1,
            column=FIELDS[f][0],
            message=f"kolom wajib '{FIELDS[f][0]}' tidak ada",
        )
        for f in REQUIRED
        if f not in chosen.values()
    ]
    return chosen, errors


def read_export(data: bytes, *, file_name: str) -> pl.DataFrame:
    """The export as an all-string frame: one column per recognised field, plus ``_row``."""
    size = check_tabular(data, file_name=file_name)  # untrusted file: bounded before parsing
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        frame = sandbox.parse(data, parse_xlsx, uncompressed=size)[SHEET]
        frame = frame.with_row_index(ROW, offset=FIRST_DATA_ROW).with_columns(
            pl.col(ROW).cast(pl.Int64)
        )
    else:
        frame = _read_csv(data)
    for field in FIELDS:
        if field not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(field))
    frame = frame.with_columns([pl.col(f).str.strip_chars().replace("", None) for f in FIELDS])
    # drop rows Excel leaves fully empty, keeping the row numbers people see
    return frame.filter(pl.any_horizontal([pl.col(f).is_not_null() for f in FIELDS])).select(
        ROW, *FIELDS
    )


def _read_csv(data: bytes) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "Berkas CSV harus UTF-8.", [FieldError(sheet=SHEET, row=1, message=str(exc)[:200])]
        ) from exc
    separator = ";" if first.count(";") > first.count(",") else ","
    headers = next(csv.reader([first], delimiter=separator), [])
    chosen, errors = _select(headers)
    if errors:
        raise ValidationError("Ekspor SP4N LAPOR! ditolak: kolom wajib tidak ada.", errors)
    try:
        # Every column is read, not only the chosen ones: a row with more fields than the
        # header (an unquoted separator in a text) is refused, never silently cut short.
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=separator,
            has_header=True,
            infer_schema=False,
            quote_char='"',
        ).select(pl.nth(list(chosen)))
        frame.columns = list(chosen.values())
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise ValidationError(
            "Berkas CSV tidak dapat dibaca.", [csv_problem(data, separator, exc, sheet=SHEET)]
        ) from exc
    return frame.with_row_index(ROW, offset=FIRST_DATA_ROW).with_columns(pl.col(ROW).cast(pl.Int64))


def parse_xlsx(data: bytes) -> dict[str, pl.DataFrame]:
    """The first sheet's recognised columns, renamed to fields (a checked workbook)."""
    try:
        reader = fastexcel.read_excel(data)
        probe = reader.load_sheet(0, n_rows=1, dtypes="string")
        headers = [c.name for c in probe.available_columns()]
        chosen, errors = _select(headers)
        if errors:
            raise ValidationError("Ekspor SP4N LAPOR! ditolak: kolom wajib tidak ada.", errors)
        sheet = reader.load_sheet(0, use_columns=list(chosen), dtypes="string")
        frame = sheet.to_polars()
    except (fastexcel.FastExcelError, OSError) as exc:
        raise ValidationError(
            "Berkas Excel tidak dapat dibaca.",
            [FieldError(sheet=SHEET, message=str(exc).splitlines()[0][:300])],
        ) from exc
    names = {headers[i]: f for i, f in chosen.items()}
    return {SHEET: frame.rename({c: names[c] for c in frame.columns if c in names})}


def read_path(path: Path) -> tuple[bytes, str]:
    return path.read_bytes(), path.name
