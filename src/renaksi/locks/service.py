"""Period locks: a finished quarter's progress and a budgeted year's usulan stop changing.

A koordinator locks; only an admin unlocks. Locking and unlocking are audited (the lock
rows are audited records). Services call :func:`ensure_open` before writing.
"""

from datetime import date, datetime
from typing import Annotated

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.auth.policy import LOCKERS, UNLOCKERS, require_role
from renaksi.codes import LockKind
from renaksi.db.engine import write_transaction
from renaksi.db.models import PeriodLock, Plan
from renaksi.errors import ConflictError, FieldError, LockedError, NotFoundError, ValidationError
from renaksi.lapor.service import today_wita


class Lock(msgspec.Struct):
    id: int
    kind: LockKind
    year: int
    quarter: int | None
    locked_by: str
    locked_at: datetime


class LockCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: PROGRESS (needs quarter) or USULAN (whole year)
    kind: LockKind
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    quarter: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None


def _schema(lock: PeriodLock) -> Lock:
    return Lock(
        id=lock.id,
        kind=lock.kind,
        year=lock.year,
        quarter=lock.quarter or None,
        locked_by=lock.locked_by,
        locked_at=lock.locked_at,
    )


def describe(kind: LockKind, year: int, quarter: int | None) -> str:
    if kind is LockKind.PROGRESS:
        return f"laporan kemajuan triwulan {quarter} tahun {year}"
    return f"usulan anggaran tahun {year}"


#: first key of the PostgreSQL advisory locks that order locking against writing
_ADVISORY_SPACE = 0x524B_4C4B  # "RKLK"


def _serialise(
    session: Session, kind: LockKind, year: int, quarter: int | None, *, shared: bool
) -> None:
    """On PostgreSQL, order a period's writes against its locking until the transaction ends.

    Writers take the period's advisory lock shared before looking for a lock row, the locker
    takes it exclusively: a write that checked "open" commits before the lock is taken, and a
    write that starts while someone locks waits and then sees the lock. (SQLite writes one
    transaction at a time already.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = (0 if kind is LockKind.PROGRESS else 10) * 100_000 + year * 10 + (quarter or 0)
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    session.execute(sa.select(getattr(sa.func, function)(_ADVISORY_SPACE, key)))


def quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)


def ensure_open(session: Session, kind: LockKind, year: int, quarter: int | None = None) -> None:
    """Raise :class:`LockedError` when the period is locked (call it inside the write's
    transaction)."""
    _serialise(session, kind, year, quarter, shared=True)
    found = session.scalar(
        sa.select(PeriodLock.id).where(
            PeriodLock.kind == kind, PeriodLock.year == year, PeriodLock.quarter == (quarter or 0)
        )
    )
    if found is not None:
        raise LockedError(
            f"Periode {describe(kind, year, quarter)} sudah dikunci; perubahan ditolak. "
            "Minta admin membuka kunci bila perlu.",
            [FieldError(field="year", value=str(year), message="periode dikunci")],
        )


def list_locks(session: Session) -> list[Lock]:
    rows = session.scalars(
        sa.select(PeriodLock).order_by(PeriodLock.year, PeriodLock.kind, PeriodLock.quarter)
    )
    return [_schema(r) for r in rows]


def lock(session: Session, actor: Actor, data: LockCreate) -> Lock:
    require_role(actor.role, LOCKERS, "mengunci periode")
    if (data.kind is LockKind.PROGRESS) != (data.quarter is not None):
        raise ValidationError(
            "Kunci PROGRESS perlu triwulan; kunci USULAN berlaku setahun penuh (tanpa triwulan).",
            [FieldError(field="quarter", message="isi untuk PROGRESS, kosongkan untuk USULAN")],
        )
    if data.kind is LockKind.PROGRESS and data.quarter is not None:
        end = quarter_end(data.year, data.quarter)
        if today_wita() <= end:
            raise ValidationError(
                f"Triwulan {data.quarter} tahun {data.year} belum selesai (berakhir "
                f"{end:%d/%m/%Y}); laporan kemajuannya baru dapat dikunci sesudah itu.",
                [FieldError(field="quarter", value=str(data.quarter), message="belum selesai")],
            )
    with write_transaction(session):
        covered = session.scalar(
            sa.select(Plan.id).where(Plan.start_year <= data.year, Plan.end_year >= data.year)
        )
        if covered is None:
            raise ValidationError(
                f"Tidak ada rencana aksi yang mencakup tahun {data.year}; tidak ada yang dikunci.",
                [FieldError(field="year", value=str(data.year), message="di luar rencana aksi")],
            )
        _serialise(session, data.kind, data.year, data.quarter, shared=False)
        existing = session.scalar(
            sa.select(PeriodLock.id).where(
                PeriodLock.kind == data.kind,
                PeriodLock.year == data.year,
                PeriodLock.quarter == (data.quarter or 0),
            )
        )
        if existing is not None:
            raise ConflictError(
                f"Periode {describe(data.kind, data.year, data.quarter)} sudah dikunci."
            )
        row = PeriodLock(
            kind=data.kind, year=data.year, quarter=data.quarter or 0, locked_by=actor.username
        )
        session.add(row)
        session.flush()
        return _schema(row)


def unlock(session: Session, lock_id: int, *, actor: Actor) -> None:
    require_role(actor.role, UNLOCKERS, "membuka kunci periode")
    with write_transaction(session):
        row = session.get(PeriodLock, lock_id)
        if row is None:
            raise NotFoundError(f"Kunci periode dengan id {lock_id} tidak ditemukan.")
        session.delete(row)
