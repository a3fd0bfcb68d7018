"""SP4N LAPOR! imports (read → validate → persist, one transaction), unmatched unit names,
KPIs per unit and period, and the working-day calendar."""

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.auth.policy import COMPLAINT_IMPORTERS, HOLIDAY_WRITERS, require_role
from renaksi.db import revision
from renaksi.db.engine import write_transaction
from renaksi.db.models import Holiday, ImportBatch, Unit
from renaksi.errors import ConflictError, FieldError, NotFoundError, ValidationError
from renaksi.lapor import kpi as rules
from renaksi.lapor import schemas, store
from renaksi.lapor.calendar import national_holidays
from renaksi.lapor.normalise import errors_to_fields, load_labels, normalise
from renaksi.lapor.read import read_export
from renaksi.settings import Settings
from renaksi.sla import service as sla_settings
from renaksi.tabular import ROW
from renaksi.units.service import unit_keys

WITA = ZoneInfo("Asia/Makassar")


def _map_units(frame: pl.DataFrame, keys: dict[str, str]) -> pl.DataFrame:
    mapping = pl.DataFrame(
        {"unit_key": list(keys), "unit_code": list(keys.values())},
        schema={"unit_key": pl.String, "unit_code": pl.String},
    )
    return frame.join(mapping, on="unit_key", how="left", maintain_order="left")


# --- import ------------------------------------------------------------------------------------


def import_complaints(
    session: Session,
    data: bytes,
    *,
    actor: Actor,
    file_name: str,
    settings: Settings,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> schemas.ImportBatch:
    """Import a LAPOR! export. With errors the file is rejected whole (every error listed),
    unless ``skip_invalid``: then valid rows go in and rejected rows are kept on the batch.
    The batch records ``actor`` as who imported it."""
    require_role(actor.role, COMPLAINT_IMPORTERS, "mengimpor data LAPOR!")
    raw = read_export(data, file_name=file_name)
    rows_read = raw.height
    complaints, errors = normalise(raw, labels=load_labels(settings.status_labels_file))
    del raw  # the all-string frame: as big as the file, not needed any more
    rejected: list[schemas.RejectedRow] = []
    if errors.height:
        if not skip_invalid:
            fields = errors_to_fields(errors)
            raise ValidationError(
                f"Ekspor SP4N LAPOR! {file_name} ditolak: {errors.height} kesalahan di "
                f"{errors[ROW].n_unique()} baris, tidak ada yang disimpan "
                "(untuk mengimpor baris yang sah saja: centang 'Lewati baris yang tidak sah' "
                "di halaman Impor, --skip-invalid di CLI, skip_invalid=true di API).",
                fields,
            )
        grouped = errors.group_by(ROW, maintain_order=True).agg(
            (
                pl.col("column")
                + ": "
                + pl.col("message")
                + " ("
                + pl.col("value").fill_null("")
                + ")"
            ).alias("errors")
        )
        rejected = [schemas.RejectedRow(row=r, errors=list(e)) for r, e in grouped.iter_rows()]
        complaints = complaints.join(errors.select(ROW).unique(), on=ROW, how="anti")
    with write_transaction(session):
        batch = ImportBatch(
            file_name=file_name[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            rows_read=rows_read,
            inserted=0,
            updated=0,
            unchanged=0,
            rejected=len(rejected),
            unmatched_units=[],
            rejected_rows=[msgspec.to_builtins(r) for r in rejected],
            imported_by=actor.username[:100],
        )
        session.add(batch)
        session.flush()
        conn = session.connection()
        fresh = complaints.drop(ROW)
        # one hash per row of every stored column is fetched and compared, not fifteen typed
        # columns: a re-import of an unchanged file then costs little
        fresh = fresh.with_columns(store.row_hashes(fresh))
        known, changed_mask = store.compare_with_stored(conn, fresh)
        # in key order: the unique tracking-id index then grows at its end (~10 % faster)
        new_rows = fresh.filter(~known).sort("tracking_id")
        changed = fresh.filter(changed_mask)
        store.insert_complaints(conn, new_rows, batch_id=batch.id, progress=progress)
        store.update_complaints(conn, changed, batch_id=batch.id)
        batch.inserted, batch.updated = new_rows.height, changed.height
        batch.unchanged = fresh.height - new_rows.height - changed.height
        batch.unmatched_units = [msgspec.to_builtins(u) for u in _unmatched(session, fresh)]
        session.flush()
        result = _batch_schema(batch, dry_run=dry_run)
        if dry_run:
            session.rollback()
            result.id = None
    return result


def _unmatched(session: Session, frame: pl.DataFrame) -> list[schemas.UnmatchedUnit]:
    mapped = _map_units(frame.select("unit_name", "unit_key"), unit_keys(session))
    missing = (
        mapped.filter(pl.col("unit_code").is_null() & pl.col("unit_key").is_not_null())
        .group_by("unit_key")
        .agg(pl.col("unit_name").first(), pl.len().alias("n"))
        .sort(["n", "unit_name"], descending=[True, False])
    )
    return [
        schemas.UnmatchedUnit(name=name, complaints=n)
        for name, n in missing.select("unit_name", "n").iter_rows()
    ]


def _batch_schema(batch: ImportBatch, *, dry_run: bool = False) -> schemas.ImportBatch:
    return schemas.ImportBatch(
        id=batch.id,
        file_name=batch.file_name,
        sha256=batch.sha256,
        rows_read=batch.rows_read,
        inserted=batch.inserted,
        updated=batch.updated,
        unchanged=batch.unchanged,
        rejected=batch.rejected,
        unmatched_units=msgspec.convert(batch.unmatched_units, list[schemas.UnmatchedUnit]),
        rejected_rows=msgspec.convert(batch.rejected_rows, list[schemas.RejectedRow]),
        imported_by=batch.imported_by,
        imported_at=batch.imported_at,
        dry_run=dry_run,
    )


def list_batches(session: Session, *, limit: int = 100) -> list[schemas.ImportBatch]:
    batches = session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
    return [_batch_schema(b) for b in batches]


def unmatched_units(session: Session) -> list[schemas.UnmatchedUnit]:
    """Unit names in stored complaints that still match no unit (add an alias to fix)."""
    rows = session.execute(
        sa.text(
            "SELECT unit_key, MIN(unit_name), COUNT(*) FROM complaint "
            "WHERE unit_key IS NOT NULL GROUP BY unit_key"
        )
    ).all()
    keys = unit_keys(session)
    result = [
        schemas.UnmatchedUnit(name=name, complaints=n) for key, name, n in rows if key not in keys
    ]
    return sorted(result, key=lambda u: (-u.complaints, u.name))


# --- calendar ----------------------------------------------------------------------------------


def local_holidays(session: Session) -> dict[date, str]:
    return {h.day: h.name for h in session.scalars(sa.select(Holiday).order_by(Holiday.day))}


def holidays_for(session: Session, years: range) -> list[date]:
    """Every non-working weekday date relevant to ``years``: national + local."""
    return sorted(set(national_holidays(years)) | set(local_holidays(session)))


def list_holidays(session: Session, *, year: int) -> list[schemas.Holiday]:
    national = [
        schemas.Holiday(date=d, name=n, source="nasional")
        for d, n in national_holidays([year]).items()
    ]
    local = [
        schemas.Holiday(date=d, name=n, source="lokal")
        for d, n in local_holidays(session).items()
        if d.year == year
    ]
    return sorted([*national, *local], key=lambda h: (h.date, h.source))


def add_holiday(session: Session, data: schemas.HolidayCreate, *, actor: Actor) -> schemas.Holiday:
    require_role(actor.role, HOLIDAY_WRITERS, "menambah libur lokal")
    with write_transaction(session):
        if session.get(Holiday, data.date) is not None:
            raise ConflictError(
                f"Tanggal {data.date.isoformat()} sudah tercatat sebagai libur lokal.",
                [FieldError(field="date", value=data.date.isoformat(), message="sudah ada")],
            )
        session.add(Holiday(day=data.date, name=data.name.strip()))
    return schemas.Holiday(date=data.date, name=data.name.strip(), source="lokal")


def remove_holiday(session: Session, day: date, *, actor: Actor) -> None:
    require_role(actor.role, HOLIDAY_WRITERS, "menghapus libur lokal")
    with write_transaction(session):
        holiday = session.get(Holiday, day)
        if holiday is None:
            raise NotFoundError(f"Tidak ada libur lokal pada {day.isoformat()}.")
        session.delete(holiday)


# --- KPIs --------------------------------------------------------------------------------------


def today_wita() -> date:
    return datetime.now(WITA).date()


def check_as_of(as_of: date) -> date:
    """As-of dates outside 2000–2100 are typing mistakes, refused with 422; so is a day after
    today (WITA): a quarter that has not ended would count as complete, and its open
    complaints as overdue, in a view of a day that has not come."""
    if not 2000 <= as_of.year <= 2100:
        raise ValidationError(
            "Tanggal as-of tidak masuk akal.",
            [
                FieldError(
                    field="as_of",
                    value=as_of.isoformat(),
                    message="tanggal harus di antara 2000 dan 2100",
                )
            ],
        )
    today = today_wita()
    if as_of > today:
        raise ValidationError(
            f"Tanggal data (as_of / --as-of) {as_of.isoformat()} sesudah hari ini "
            f"({today.isoformat()}, WITA): KPI, flag dan laporan hanya dapat dihitung per hari "
            "ini atau tanggal yang sudah lewat.",
            [
                FieldError(
                    field="as_of",
                    value=as_of.isoformat(),
                    message=f"paling lambat hari ini, {today.isoformat()}",
                )
            ],
        )
    return as_of


def sla_key(settings: Settings) -> tuple[int, ...]:
    """What of ``settings`` a cached KPI result depends on (stored SLA values are data, and
    change the data revision)."""
    return (
        settings.sla_verify_workdays,
        settings.sla_response_workdays,
        settings.sla_autoclose_days,
        settings.sla_complete_days,
    )


def sla_from(session: Session, settings: Settings) -> rules.Sla:
    """The SLA limits in force: an admin's stored values over the ``RENAKSI_SLA_*`` defaults."""
    return sla_settings.kpi_sla(session, settings)


def _complaints_for(session: Session, period: rules.Period, as_of: date) -> pl.DataFrame:
    start = datetime.combine(period.start, time(), WITA).astimezone(UTC)
    end = datetime.combine(min(period.end, as_of) + timedelta(days=1), time(), WITA).astimezone(UTC)
    frame = store.complaints_between(session.connection(), start, end)
    return _map_units(frame, unit_keys(session)).select(list(rules.COMPLAINTS_SCHEMA))


def check_period(year: int, quarter: int | None) -> rules.Period:
    """A year 2000–2100 and a quarter 1–4 (or none: the whole year), else 422."""
    if not 2000 <= year <= 2100:
        raise ValidationError(
            "Tahun tidak valid.",
            [FieldError(field="year", value=str(year), message="tahun 2000–2100")],
        )
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ValidationError(
            "Triwulan harus 1–4.",
            [FieldError(field="quarter", value=str(quarter), message="triwulan 1–4")],
        )
    return rules.Period(year, quarter)


def kpi_frame(
    session: Session, *, settings: Settings, period: rules.Period, as_of: date | None = None
) -> pl.DataFrame:
    """KPIs of every unit (and the total row) for ``period`` as of ``as_of`` (default today)."""
    as_of = check_as_of(as_of or today_wita())

    def compute() -> pl.DataFrame:
        units = list(session.scalars(sa.select(Unit.code).order_by(Unit.code)))
        years = range(period.year - 1, max(as_of.year, period.year) + 2)
        return rules.compute_kpis(
            _complaints_for(session, period, as_of),
            units=units,
            period=period,
            as_of=as_of,
            sla=sla_from(session, settings),
            holidays=holidays_for(session, years),
        )

    return revision.cached(session, ("kpi_frame", period, as_of, sla_key(settings)), compute)


def kpis(
    session: Session,
    *,
    settings: Settings,
    year: int,
    quarter: int | None = None,
    unit: str | None = None,
    as_of: date | None = None,
) -> list[schemas.KpiRow]:
    period = check_period(year, quarter)
    as_of = check_as_of(as_of or today_wita())

    def compute() -> list[schemas.KpiRow]:
        frame = kpi_frame(session, settings=settings, period=period, as_of=as_of)
        if unit is not None:
            if unit not in set(frame["unit_code"].drop_nulls().to_list()):
                raise NotFoundError(f"PD dengan kode '{unit}' tidak ditemukan.")
            frame = frame.filter(pl.col("unit_code") == unit)
        return msgspec.convert(frame.to_dicts(), list[schemas.KpiRow])

    return revision.cached(session, ("kpis", period, as_of, unit, sla_key(settings)), compute)


def quality_warnings(
    session: Session,
    *,
    settings: Settings,
    year: int,
    quarter: int | None = None,
    as_of: date | None = None,
) -> list[schemas.QualityWarning]:
    period = check_period(year, quarter)
    as_of = check_as_of(as_of or today_wita())
    frame = rules.quality_warnings(
        _complaints_for(session, period, as_of),
        period=period,
        as_of=as_of,
        sla=sla_from(session, settings),
        holidays=[],
    )
    return msgspec.convert(frame.to_dicts(), list[schemas.QualityWarning])
