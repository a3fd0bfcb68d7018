"""SP4N LAPOR! complaints (no personal data), import batches, and local holidays."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from renaksi.codes import ComplaintStatus
from renaksi.db.base import Base, utcnow
from renaksi.db.models._types import enum_column


class ImportBatch(Base):
    """One LAPOR! import: what file, what it did, who and when."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    rows_read: Mapped[int]
    inserted: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    rejected: Mapped[int]
    #: [{"name": unit name as exported, "complaints": n}] that matched no unit at import time
    unmatched_units: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: [{"row": n, "errors": ["kolom …: …"]}] rows skipped with --skip-invalid
    rejected_rows: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    imported_by: Mapped[str] = mapped_column(sa.String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    """A complaint as routed to a unit. Only the fields listed in domain.md are kept.

    The unit is stored as exported (``unit_name``) with its match key; it is matched to a
    unit code, name or alias when KPIs are computed, so an alias added later counts at once.
    """

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str | None] = mapped_column(sa.String(60))
    classification: Mapped[str | None] = mapped_column(sa.String(60))
    category: Mapped[str | None] = mapped_column(sa.String(200))
    subcategory: Mapped[str | None] = mapped_column(sa.String(200))
    unit_name: Mapped[str | None] = mapped_column(sa.String(300))
    #: not indexed: only read whole (unmatched names) or with the rows of a date range
    unit_key: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[ComplaintStatus] = mapped_column(enum_column(ComplaintStatus, 24))
    verified_at: Mapped[datetime | None]
    dispositioned_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    anonymous: Mapped[bool | None]
    confidential: Mapped[bool | None]
    #: BLAKE2b of every stored column (see ``lapor/store.py``): a re-import compares this
    row_hash: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: not indexed: batches are never deleted, and no query looks complaints up by batch
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batch.id"))


class Holiday(Base):
    """A local holiday users add on top of the national ones from the ``holidays`` package."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
