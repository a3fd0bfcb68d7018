"""Shared setup for the report tests: the demo with its LAPOR! complaints, progress reports,
and reading workbooks back."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.auth.actor import Actor
from renaksi.codes import ProgressStatus
from renaksi.db.models import Action, ProgressReport
from renaksi.lapor.service import import_complaints
from renaksi.settings import Settings
from tests.helpers import SEEDS

#: the seed complaints run 2022–2024: the end of 2024 is a frozen view with every quarter
AS_OF = dt.date(2024, 12, 31)


def load_complaints(session: Session, settings: Settings) -> None:
    """The LAPOR! seed export, through the real importer (as ``renaksi demo`` does)."""
    for export in sorted(SEEDS.glob("lapor-*.csv")):
        import_complaints(
            session,
            export.read_bytes(),
            file_name=export.name,
            settings=settings,
            actor=Actor.system("tes"),
        )


def add_report(
    session: Session,
    code: str,
    *,
    year: int,
    quarter: int,
    status: ProgressStatus,
    reported_at: dt.datetime,
    progress_pct: float | None = None,
    achieved: float | None = None,
    problems: str | None = None,
    follow_up: str | None = None,
) -> None:
    """A progress report with a fixed time (the service stamps "now", which a frozen view
    in the past would not see)."""
    action_id = session.scalar(sa.select(Action.id).where(Action.code == code))
    assert action_id is not None, code
    session.add(
        ProgressReport(
            action_id=action_id,
            year=year,
            quarter=quarter,
            status=status,
            achieved_value=achieved,
            progress_pct=progress_pct,
            problems=problems,
            follow_up=follow_up,
            reported_by="operator",
            reported_at=reported_at,
        )
    )
    session.commit()


def open_book(source: bytes | Path) -> openpyxl.Workbook:
    data = source.read_bytes() if isinstance(source, Path) else source
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(book: openpyxl.Workbook, sheet: str) -> list[dict[str, Any]]:
    """A table sheet as dicts keyed by its header row (empty rows stop the table)."""
    values = list(book[sheet].iter_rows(values_only=True))
    header = values[0]
    result = []
    for row in values[1:]:
        if all(v is None for v in row):
            break
        result.append(dict(zip(header, row, strict=True)))
    return result
