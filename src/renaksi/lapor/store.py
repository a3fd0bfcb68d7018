"""Bulk reads and writes of complaints on the driver connection (SQLite and PostgreSQL).

The ORM is the wrong tool for a million rows: rows go in with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) on the connection of the current transaction, and come out as tuples
straight into polars. Everything here runs inside the caller's transaction.
"""

import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import polars as pl
import sqlalchemy as sa

from renaksi.lapor.normalise import COMPLAINT_SCHEMA

STORED = [c for c in COMPLAINT_SCHEMA]  # every kept field, in table column order below
MOMENT_COLUMNS = [c for c, t in COMPLAINT_SCHEMA.items() if isinstance(t, pl.Datetime)]
SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S%.6f"


def _placeholder(conn: sa.Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _moments_from_db(frame: pl.DataFrame, dialect: str) -> pl.DataFrame:
    """SQLite hands moments back as SQLITE_MOMENT text, PostgreSQL (see ``_select``) as epoch
    microseconds: both become UTC datetimes here, vectorised."""
    present = [c for c in MOMENT_COLUMNS if c in frame.columns]
    if dialect == "sqlite":
        return frame.with_columns(
            pl.col(c)
            .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False)
            .dt.replace_time_zone("UTC")
            for c in present
        )
    return frame.with_columns(
        pl.col(c).cast(pl.Datetime("us")).dt.replace_time_zone("UTC") for c in present
    )


def _select(column: str, dialect: str) -> str:
    """What to SELECT for ``column``: timestamptz as epoch microseconds on PostgreSQL, because
    building a Python datetime per value costs more than the query."""
    if dialect != "sqlite" and column in MOMENT_COLUMNS:
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint AS {column}"
    return column


def read_complaints(
    conn: sa.Connection,
    *,
    where: str = "",
    params: tuple[object, ...] = (),
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """Stored complaints (selected columns) as a typed frame."""
    cols = columns or STORED
    dialect = conn.dialect.name
    sql = f"SELECT {', '.join(_select(c, dialect) for c in cols)} FROM complaint {where}"
    # the driver's cursor, not SQLAlchemy rows: tuples go straight into polars
    driver = conn.connection.driver_connection
    assert driver is not None
    cur = driver.cursor()
    try:
        cur.execute(sql, params)
        rows = cur.fetchall()
    finally:
        cur.close()
    raw_schema: dict[str, Any] = {
        c: (
            (pl.String if dialect == "sqlite" else pl.Int64)
            if c in MOMENT_COLUMNS
            else COMPLAINT_SCHEMA[c]
        )
        for c in cols
    }
    if dialect == "sqlite":
        raw_schema.update({c: pl.Int64 for c in ("anonymous", "confidential") if c in cols})
    frame = pl.DataFrame(rows, schema=raw_schema, orient="row")
    frame = _moments_from_db(
        frame.with_columns(
            pl.col(c).cast(pl.Boolean) for c in ("anonymous", "confidential") if c in cols
        ),
        dialect,
    )
    return frame.cast({c: COMPLAINT_SCHEMA[c] for c in cols})


# --- row signatures: compare a file with the stored rows without fetching every value ----------
#
# A signature is one string per row: the stored columns (all but tracking_id) rendered as SQL
# literals — 'text' with quotes doubled, NULL, 0/1 for booleans, moments as UTC
# 'YYYY-MM-DD HH:MM:SS.ffffff' — joined by commas. A sequence of SQL literals reads back
# unambiguously, so two rows have the same signature exactly when every column is equal. The
# database renders stored rows and polars renders the file's rows the same way.
#
# Each stored row also keeps ``row_hash``: the first 8 bytes of the BLAKE2b digest of its
# signature, written with the row. A re-import then fetches one integer per row, not the whole
# row. BLAKE2b (not polars' hash, which may change between polars versions) keeps the hash
# stable for as long as the data lives. Rows stored before the hash existed (row_hash NULL) are
# compared by signature as before, and get their hash when they next change.

SIGNED = [c for c in STORED if c != "tracking_id"]
SIGNATURE_CHUNK = 100_000


def _sql_literal(column: str, dialect: str) -> str:
    kind = COMPLAINT_SCHEMA[column]
    if dialect == "sqlite":  # moments are stored as SQLITE_MOMENT text, booleans as 0/1
        return f"quote({column})"
    if kind == pl.Boolean:
        return f"(CASE WHEN {column} THEN '1' WHEN NOT {column} THEN '0' ELSE 'NULL' END)"
    text = column
    if isinstance(kind, pl.Datetime):
        text = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    # quote_nullable() would write E'…' around backslashes: spell SQLite's quote() out instead
    return "coalesce('''' || replace(" + text + ", '''', '''''') || '''', 'NULL')"


def _polars_literal(column: str) -> pl.Expr:
    kind = COMPLAINT_SCHEMA[column]
    col = pl.col(column)
    if isinstance(kind, pl.Datetime):
        text = "'" + col.dt.strftime(SQLITE_MOMENT) + "'"
    elif kind == pl.Boolean:
        text = pl.when(col).then(pl.lit("1")).when(~col).then(pl.lit("0"))
    else:
        text = "'" + col.str.replace_all("'", "''", literal=True) + "'"
    return text.fill_null("NULL")


def signature(frame: pl.DataFrame) -> pl.Series:
    """The signature of each row of a frame with the STORED columns (see above)."""
    return frame.select(
        pl.concat_str([_polars_literal(c) for c in SIGNED], separator=",").alias("signature")
    ).to_series()


def row_hashes(frame: pl.DataFrame) -> pl.Series:
    """``row_hash`` of each row of a frame with the STORED columns (see above).

    In slices of SIGNATURE_CHUNK rows: a signature is ~200 bytes, and a million of them as
    Python strings at once would double the import's peak memory.
    """
    digest = hashlib.blake2b
    parts = [pl.Series("row_hash", [], dtype=pl.Int64)]
    for start in range(0, frame.height, SIGNATURE_CHUNK):
        texts = signature(frame.slice(start, SIGNATURE_CHUNK)).to_list()
        parts.append(
            pl.Series(
                "row_hash",
                [
                    int.from_bytes(digest(t.encode(), digest_size=8).digest(), "big", signed=True)
                    for t in texts
                ],
                dtype=pl.Int64,
            )
        )
    return pl.concat(parts)


def _by_ids(conn: sa.Connection, columns: str) -> str:
    # one parameter per query: a JSON array on SQLite, an array on PostgreSQL (thousands of
    # IN-list placeholders cost more to plan than the lookup itself)
    select = f"SELECT tracking_id, {columns} FROM complaint WHERE tracking_id "
    if conn.dialect.name == "sqlite":
        return select + "IN (SELECT value FROM json_each(?))"
    return select + "= ANY(%s)"


def _fetch(conn: sa.Connection, sql: str, ids: list[str]) -> list[Any]:
    driver = conn.connection.driver_connection
    assert driver is not None
    cur = driver.cursor()
    try:
        cur.execute(sql, (json.dumps(ids) if conn.dialect.name == "sqlite" else ids,))
        return list(cur.fetchall())
    finally:
        cur.close()


def compare_with_stored(conn: sa.Connection, fresh: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """``(known, changed)``: per row of ``fresh`` (STORED columns and ``row_hash``), whether a
    complaint with its tracking id is stored, and whether it is stored with any different value.

    Works in slices of SIGNATURE_CHUNK rows so memory stays bounded.
    """
    by_hash = _by_ids(conn, "row_hash")
    sep = " || ',' || "
    by_signature = _by_ids(conn, sep.join(_sql_literal(c, conn.dialect.name) for c in SIGNED))
    schema = {"tracking_id": pl.String, "stored_hash": pl.Int64}
    known_parts: list[pl.Series] = [pl.Series("known", [], dtype=pl.Boolean)]
    changed_parts: list[pl.Series] = [pl.Series("changed", [], dtype=pl.Boolean)]
    for start in range(0, fresh.height, SIGNATURE_CHUNK):
        part = fresh.slice(start, SIGNATURE_CHUNK)
        rows = _fetch(conn, by_hash, part["tracking_id"].drop_nulls().to_list())
        stored = part.select("tracking_id", "row_hash").join(
            pl.DataFrame(rows, schema=schema, orient="row").with_columns(found=pl.lit(True)),
            on="tracking_id",
            how="left",
            maintain_order="left",
        )
        known = stored["found"].fill_null(False).alias("known")
        changed = known & stored["row_hash"].ne_missing(stored["stored_hash"])
        legacy = [r[0] for r in rows if r[1] is None]
        if legacy:  # stored before row_hash existed: compare by signature
            theirs = part.select("tracking_id", signature(part).alias("signature")).join(
                pl.DataFrame(
                    _fetch(conn, by_signature, legacy),
                    schema={"tracking_id": pl.String, "stored": pl.String},
                    orient="row",
                ),
                on="tracking_id",
                how="left",
                maintain_order="left",
            )
            changed = changed.zip_with(
                theirs["stored"].is_null(), theirs["signature"].ne_missing(theirs["stored"])
            )
        known_parts.append(known)
        changed_parts.append(changed.alias("changed"))
    return pl.concat(known_parts), pl.concat(changed_parts)


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).dt.strftime(SQLITE_MOMENT) for c in MOMENT_COLUMNS)


def insert_complaints(
    conn: sa.Connection,
    frame: pl.DataFrame,
    *,
    batch_id: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Append new complaints (``frame`` has the STORED columns)."""
    if frame.height == 0:
        return
    columns = [*STORED, "row_hash", "batch_id"]
    frame = frame.with_columns(pl.lit(batch_id).alias("batch_id")).select(columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    if conn.dialect.name == "sqlite":
        sql = (
            f"INSERT INTO complaint ({', '.join(columns)}) "
            f"VALUES ({', '.join(['?'] * len(columns))})"
        )
        for start in range(0, frame.height, 50_000):
            part = _for_sqlite(frame.slice(start, 50_000))
            driver.executemany(sql, part.iter_rows())
            if progress:
                progress(part.height)
        return
    with driver.cursor() as cur:
        copy_sql = f"COPY complaint ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with cur.copy(copy_sql) as copy:
            for start in range(0, frame.height, 50_000):
                part = frame.slice(start, 50_000)
                buffer = io.BytesIO()
                part.with_columns(
                    pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00") for c in MOMENT_COLUMNS
                ).write_csv(buffer, include_header=False, null_value="\\N")
                copy.write(buffer.getvalue())
                if progress:
                    progress(part.height)


def update_complaints(conn: sa.Connection, frame: pl.DataFrame, *, batch_id: int) -> None:
    """Overwrite changed complaints by tracking id."""
    if frame.height == 0:
        return
    fields = [*(c for c in STORED if c != "tracking_id"), "row_hash"]
    mark = _placeholder(conn)
    sql = (
        f"UPDATE complaint SET {', '.join(f'{c} = {mark}' for c in fields)}, "
        f"batch_id = {mark} WHERE tracking_id = {mark}"
    )
    data = frame.select(*fields, pl.lit(batch_id).alias("batch_id"), "tracking_id")
    if conn.dialect.name == "sqlite":
        data = _for_sqlite(data)
    driver = conn.connection.driver_connection
    assert driver is not None
    cur = driver.cursor()
    try:
        cur.executemany(sql, list(data.iter_rows()))
    finally:
        cur.close()


def complaints_between(conn: sa.Connection, start: datetime, end: datetime) -> pl.DataFrame:
    """Complaints submitted in ``[start, end)`` (UTC moments) with the KPI columns."""
    mark = _placeholder(conn)
    if conn.dialect.name == "sqlite":
        params: tuple[object, ...] = (
            start.strftime("%Y-%m-%d %H:%M:%S.%f"),
            end.strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
    else:
        params = (start, end)
    return read_complaints(
        conn,
        where=f"WHERE submitted_at >= {mark} AND submitted_at < {mark}",
        params=params,
        columns=[
            "tracking_id",
            "unit_key",
            "status",
            "submitted_at",
            "dispositioned_at",
            "first_response_at",
            "resolved_at",
        ],
    )
