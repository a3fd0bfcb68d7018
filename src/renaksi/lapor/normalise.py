"""Turn the all-string LAPOR! frame into typed complaints, collecting every bad cell.

Vectorised with polars: dates are parsed with explicit formats (the first format that
matches a column's first value is tried on the whole column, the others only on what is
left), status labels go through the configurable label table, and each rule is one
expression. The result is the valid rows plus one error row per problem.
"""

import csv
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from renaksi.codes import ComplaintStatus
from renaksi.db.models import Complaint
from renaksi.db.models.units import normalise_name
from renaksi.errors import FieldError, ValidationError
from renaksi.lapor.read import FIELDS, SHEET
from renaksi.tabular import ROW

TZ_LOCAL = "Asia/Makassar"
MOMENTS = ["submitted_at", "verified_at", "dispositioned_at", "first_response_at", "resolved_at"]
FLAGS = ["anonymous", "confidential"]
#: text field → the most characters its ``complaint`` column holds (the model is the source)
TEXT_LIMITS: dict[str, int] = {
    c: Complaint.__table__.c[c].type.length  # type: ignore[attr-defined]
    for c in ("tracking_id", "channel", "classification", "category", "subcategory", "unit_name")
}
KEY_LIMIT: int = Complaint.__table__.c["unit_key"].type.length  # type: ignore[attr-defined]
#: an offending value is echoed in the error list only this far
SHOWN_CHARS = 80

#: the earliest plausible year of a complaint date; the latest is next year (WITA)
FIRST_YEAR = 2000

NAIVE_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H.%M",  # the Indonesian way of writing 14:30
    "%d-%m-%Y %H.%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
]
AWARE_FORMATS = [
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
]

DEFAULT_LABELS: dict[str, ComplaintStatus] = {
    "belum terverifikasi": ComplaintStatus.BELUM_TERVERIFIKASI,
    "belum diverifikasi": ComplaintStatus.BELUM_TERVERIFIKASI,
    "terverifikasi": ComplaintStatus.TERDISPOSISI,
    "terdisposisi": ComplaintStatus.TERDISPOSISI,
    "belum ditindaklanjuti": ComplaintStatus.TERDISPOSISI,
    "proses": ComplaintStatus.PROSES,
    "dalam proses": ComplaintStatus.PROSES,
    "ditindaklanjuti": ComplaintStatus.PROSES,
    "ditindaklanjuti oleh instansi": ComplaintStatus.PROSES,
    "selesai": ComplaintStatus.SELESAI,
    "tunda": ComplaintStatus.TUNDA,
    "ditunda": ComplaintStatus.TUNDA,
    "bukan wewenang": ComplaintStatus.BUKAN_WEWENANG,
    "arsip": ComplaintStatus.ARSIP,
    "diarsipkan": ComplaintStatus.ARSIP,
    "dihapus": ComplaintStatus.ARSIP,
    **{s.value.lower(): s for s in ComplaintStatus},
    **{s.value.lower().replace("_", " "): s for s in ComplaintStatus},
}

TRUE_WORDS = {"ya", "y", "true", "1", "benar", "yes"}
FALSE_WORDS = {"tidak", "t", "false", "0", "salah", "no", "n"}

COMPLAINT_SCHEMA: dict[str, Any] = {
    "tracking_id": pl.String,
    "submitted_at": pl.Datetime("us", "UTC"),
    "channel": pl.String,
    "classification": pl.String,
    "category": pl.String,
    "subcategory": pl.String,
    "unit_name": pl.String,
    "unit_key": pl.String,
    "status": pl.String,
    "verified_at": pl.Datetime("us", "UTC"),
    "dispositioned_at": pl.Datetime("us", "UTC"),
    "first_response_at": pl.Datetime("us", "UTC"),
    "resolved_at": pl.Datetime("us", "UTC"),
    "anonymous": pl.Boolean,
    "confidential": pl.Boolean,
}
ERROR_SCHEMA: dict[str, Any] = {
    ROW: pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
}


def label_key(label: str) -> str:
    return normalise_name(label.replace("_", " "))


def _text_key(expr: pl.Expr) -> pl.Expr:
    """The vectorised twin of :func:`normalise_name`: spaces collapsed, lower case."""
    return expr.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()


def load_labels(path: Path | None) -> dict[str, ComplaintStatus]:
    """The default label table, extended by a ``label,status`` CSV when configured.

    A file that cannot be used (missing, not UTF-8, no ``label``/``status`` columns, an empty
    label, a status that is not one of :class:`ComplaintStatus`) is a ValidationError naming
    the file, line and value — every problem at once."""
    labels = {label_key(k): v for k, v in DEFAULT_LABELS.items()}
    if path is None:
        return labels
    sheet = path.name
    errors: list[FieldError] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("label", "status") if c not in (reader.fieldnames or [])]
            for column in missing:
                errors.append(
                    FieldError(sheet=sheet, row=1, column=column, message="kolom tidak ada")
                )
            for row in [] if missing else reader:
                line = reader.line_num
                label, status = (row["label"] or "").strip(), (row["status"] or "").strip()
                if not label:
                    errors.append(
                        FieldError(sheet=sheet, row=line, column="label", message="label kosong")
                    )
                    continue
                try:
                    labels[label_key(label)] = ComplaintStatus(status.upper().replace(" ", "_"))
                except ValueError:
                    errors.append(
                        FieldError(
                            sheet=sheet,
                            row=line,
                            column="status",
                            value=status,
                            message="status harus salah satu dari "
                            + ", ".join(s.value for s in ComplaintStatus),
                        )
                    )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append(FieldError(sheet=sheet, message=f"tidak dapat dibaca: {exc}"[:300]))
    if errors:
        raise ValidationError(
            f"Tabel label status {path} (RENAKSI_STATUS_LABELS_FILE) tidak dapat dipakai; "
            "perbaiki berkasnya lalu ulangi impor.",
            errors,
        )
    return labels


def parse_moments(values: pl.Series) -> pl.Series:
    """Strings → UTC datetimes; naive values are WITA, a trailing ``Z`` is UTC. Unparseable
    values become null."""
    if (values.str.ends_with("Z") | values.str.ends_with("z")).any():  # a regex costs more
        values = values.str.replace(r"(\d)[zZ]$", "${1}+00:00")
    frame = pl.DataFrame({"i": range(values.len()), "v": values}).filter(pl.col("v").is_not_null())
    parts: list[pl.DataFrame] = []
    formats = [(f, False) for f in NAIVE_FORMATS] + [(f, True) for f in AWARE_FORMATS]
    if frame.height:  # try first the format that reads the first value
        first = frame["v"][0]
        formats.sort(key=lambda fa: _parses(first, *fa) is False)
    todo = frame
    for fmt, aware in formats:
        if todo.height == 0:
            break
        parsed = todo["v"].str.to_datetime(fmt, strict=False, time_unit="us")
        if aware:
            parsed = parsed.dt.convert_time_zone("UTC")
        else:
            parsed = parsed.dt.replace_time_zone(TZ_LOCAL).dt.convert_time_zone("UTC")
        ok = parsed.is_not_null()
        if ok.any():
            parts.append(pl.DataFrame({"i": todo["i"].filter(ok), "t": parsed.filter(ok)}))
            todo = todo.filter(~ok)
    result = pl.DataFrame({"i": pl.Series(range(values.len()), dtype=pl.Int64)})
    found = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(schema={"i": pl.Int64, "t": pl.Datetime("us", "UTC")})
    )
    found = found.with_columns(pl.col("i").cast(pl.Int64))
    return result.join(found, on="i", how="left", maintain_order="left")["t"]


def _parses(value: str, fmt: str, aware: bool) -> bool:
    return pl.Series([value]).str.to_datetime(fmt, strict=False).is_not_null()[0]  # type: ignore[no-any-return]


def latest_year() -> int:
    """The latest plausible year of a complaint date: next year, in WITA."""
    return datetime.now(ZoneInfo(TZ_LOCAL)).year + 1


def normalise(
    frame: pl.DataFrame,
    *,
    labels: Mapping[str, ComplaintStatus],
    last_year: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(complaints, errors)``: typed rows (with ``_row``) and one row per problem.

    Dates outside ``FIRST_YEAR`` … ``last_year`` (default: next year) are errors: a year
    written with two digits ('05/04/24') reads as year 24, which no KPI would ever count.
    """
    last_year = last_year or latest_year()
    typed = frame.with_columns(
        # '# 77' → '77'; a bare '#' is no id at all (the "nomor tracking kosong" error)
        pl.col("tracking_id").str.strip_prefix("#").str.strip_chars().replace("", None),
        *(parse_moments(frame[c]).alias(c) for c in MOMENTS),
        _text_key(pl.col("status").str.replace_all("_", " "))
        .replace_strict(
            {k: v.value for k, v in labels.items()}, default=None, return_dtype=pl.String
        )
        .alias("status"),
        *(
            pl.col(c)
            .str.to_lowercase()
            .replace_strict(
                {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)},
                default=None,
                return_dtype=pl.Boolean,
            )
            .alias(c)
            for c in FLAGS
        ),
        _text_key(pl.col("unit_name")).alias("unit_key"),
    )
    header = {f: FIELDS[f][0] for f in FIELDS}
    raw = frame.select(ROW, *(pl.col(c).alias(f"raw_{c}") for c in FIELDS))
    typed = typed.hstack(raw.drop(ROW))

    def plausible(moment: str) -> pl.Expr:
        year = pl.col(moment).dt.convert_time_zone(TZ_LOCAL).dt.year()
        return year.is_between(FIRST_YEAR, last_year)

    def day(moment: str) -> pl.Expr:
        return pl.col(moment).dt.convert_time_zone(TZ_LOCAL).dt.date()

    def before(moment: str, other: str) -> pl.Expr:
        """``moment`` is dated (WITA day) before ``other``; both plausible: one error per cell.

        Days, not moments: exports often carry a date without a time (midnight) or minutes
        without seconds, so a same-day disposition would look earlier than its submission.
        """
        return (day(moment) < day(other)) & plausible(moment) & plausible(other)

    checks = [
        (pl.col("tracking_id").is_null(), "tracking_id", "nomor tracking kosong"),
        (pl.col("raw_submitted_at").is_null(), "submitted_at", "tanggal laporan kosong"),
        (pl.col("raw_status").is_null(), "status", "status kosong"),
        *(
            (
                pl.col(f"raw_{c}").is_not_null() & pl.col(c).is_null(),
                c,
                "tanggal tidak dapat dibaca (pakai dd/mm/yyyy [HH:MM] atau ISO 8601)",
            )
            for c in MOMENTS
        ),
        *(
            (
                ~plausible(c),
                c,
                f"tahun tidak masuk akal (harus {FIRST_YEAR}–{last_year}; tulis tahun "
                "dengan 4 angka, mis. 05/04/2024)",
            )
            for c in MOMENTS
        ),
        *(
            (
                pl.col(f"raw_{c}").is_not_null() & pl.col(c).is_null(),
                c,
                "isi Ya/Tidak, true/false atau 1/0",
            )
            for c in FLAGS
        ),
        *(
            (
                _too_long(c, limit),
                c,
                f"terlalu panjang, maksimal {limit} karakter",
            )
            for c, limit in TEXT_LIMITS.items()
        ),
        (
            before("verified_at", "submitted_at"),
            "verified_at",
            "tanggal verifikasi sebelum tanggal laporan",
        ),
        (
            before("dispositioned_at", "submitted_at"),
            "dispositioned_at",
            "tanggal disposisi sebelum tanggal laporan",
        ),
        (
            before("first_response_at", "submitted_at"),
            "first_response_at",
            "tanggal tindak lanjut sebelum tanggal laporan",
        ),
        (
            before("resolved_at", "submitted_at"),
            "resolved_at",
            "tanggal selesai sebelum tanggal laporan",
        ),
        (
            pl.col("tracking_id").is_not_null()
            & pl.col("tracking_id").is_duplicated()
            & (pl.col(ROW) != pl.col(ROW).min().over("tracking_id")),
            "tracking_id",
            "nomor tracking ganda dalam berkas",
        ),
    ]
    errors = pl.concat(
        [
            typed.filter(cond.fill_null(False)).select(
                pl.col(ROW),
                pl.lit(header[col]).alias("column"),
                _shown(pl.col(f"raw_{col}")).alias("value"),
                pl.lit(message).alias("message"),
            )
            for cond, col, message in checks
        ]
        + [_unknown_status(typed)],
        how="vertical",
    )
    complaints = typed.select(ROW, *COMPLAINT_SCHEMA).cast(COMPLAINT_SCHEMA)  # type: ignore[arg-type]
    return complaints, errors.sort(ROW, "column")


def _too_long(field: str, limit: int) -> pl.Expr:
    """``field`` holds more characters than its column; a unit name also when its match key
    does (lower case can be longer: 'İ' → 'i̇')."""
    too_long = pl.col(field).str.len_chars() > limit
    if field == "unit_name":
        return too_long | (pl.col("unit_key").str.len_chars() > KEY_LIMIT)
    return too_long


def _shown(value: pl.Expr) -> pl.Expr:
    """The offending value as echoed in an error: long values cut to their start."""
    return (
        pl.when(value.str.len_chars() > SHOWN_CHARS)
        .then(value.str.slice(0, SHOWN_CHARS) + "…")
        .otherwise(value)
    )


def _unknown_status(typed: pl.DataFrame) -> pl.DataFrame:
    bad = typed.filter(pl.col("raw_status").is_not_null() & pl.col("status").is_null())
    return bad.select(
        pl.col(ROW),
        pl.lit(FIELDS["status"][0]).alias("column"),
        _shown(pl.col("raw_status")).alias("value"),
        pl.lit("label status tidak dikenal; tambahkan ke tabel label status").alias("message"),
    )


def errors_to_fields(errors: pl.DataFrame, *, limit: int = 1000) -> list[FieldError]:
    """Error rows → FieldErrors. Unknown status labels are grouped: one line per label
    naming its rows, so a file with one new label does not list ten thousand lines."""
    result: list[FieldError] = []
    status_header = FIELDS["status"][0]
    unknown = errors.filter(
        (pl.col("column") == status_header) & pl.col("message").str.starts_with("label status")
    )
    for label, rows in unknown.group_by("value", maintain_order=True).agg(pl.col(ROW)).iter_rows():
        shown = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
        result.append(
            FieldError(
                sheet=SHEET,
                row=rows[0],
                column=status_header,
                value=label,
                message=f"label status tidak dikenal di {len(rows)} baris (baris {shown})",
            )
        )
    rest = errors.join(unknown, on=[ROW, "column", "value", "message"], how="anti")
    for row, column, value, message in rest.head(limit).iter_rows():
        result.append(FieldError(sheet=SHEET, row=row, column=column, value=value, message=message))
    if rest.height > limit:
        result.append(
            FieldError(sheet=SHEET, message=f"… dan {rest.height - limit} kesalahan lain")
        )
    return sorted(result, key=lambda e: (e.row or 0, e.column or ""))
