"""Report entry points shared by the API and the CLI: gather (queries) → build (pure) → bytes
or a file. File names are safe and dated: ``selisih-anggaran-2025-per-2025-12-31.xlsx``."""

import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from renaksi.auth import scope
from renaksi.auth.actor import Actor
from renaksi.reports import queries
from renaksi.reports.budget_gap import BudgetGapData, build_budget_gap
from renaksi.reports.quarterly import QuarterlyData, build_quarterly
from renaksi.reports.styles import safe_filename
from renaksi.settings import Settings


@dataclass(frozen=True)
class RenderedReport:
    filename: str
    content: bytes


def budget_gap_filename(data: BudgetGapData) -> str:
    return safe_filename("selisih-anggaran", data.year, data.unit or "", "per", data.as_of)


def quarterly_filename(data: QuarterlyData) -> str:
    return safe_filename("laporan-triwulan", data.year, f"tw{data.quarter}", "per", data.as_of)


def _bytes(build: Callable[[IO[bytes]], None]) -> bytes:
    buffer = io.BytesIO()
    build(buffer)
    return buffer.getvalue()


def render_budget_gap(
    session: Session,
    *,
    settings: Settings,
    year: int,
    unit: str | None = None,
    as_of: dt.date | None = None,
    plan: str | None = None,
    actor: Actor | None = None,
) -> RenderedReport:
    """The budget-gap workbook; a planner's holds their own unit only (as their flags do)."""
    if actor is not None:
        unit = scope.unit_filter(actor, unit)
    data = queries.budget_gap_data(
        session, settings=settings, year=year, unit=unit, as_of=as_of, plan=plan
    )
    return RenderedReport(
        budget_gap_filename(data), _bytes(lambda target: build_budget_gap(data, target))
    )


def render_quarterly(
    session: Session,
    *,
    settings: Settings,
    year: int,
    quarter: int,
    as_of: dt.date | None = None,
    plan: str | None = None,
) -> RenderedReport:
    data = queries.quarterly_data(
        session, settings=settings, year=year, quarter=quarter, as_of=as_of, plan=plan
    )
    return RenderedReport(
        quarterly_filename(data), _bytes(lambda target: build_quarterly(data, target))
    )


def output_path(out: str | Path | None, *, default_dir: Path, filename: str) -> Path:
    """``out`` as given; a folder (existing, or typed with a trailing slash) gets the dated
    default name inside; nothing given → the dated name under ``default_dir``."""
    if out is None:
        return default_dir / filename
    folder = isinstance(out, str) and out.endswith(("/", os.sep))
    path = Path(out)
    return path / filename if folder or path.is_dir() else path


def _write(path: Path, build: Callable[[Path], None]) -> Path:
    """Build next to ``path`` and rename: a failed build never leaves half a workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.xlsx")
    try:
        build(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def write_budget_gap(
    session: Session,
    *,
    settings: Settings,
    year: int,
    unit: str | None = None,
    as_of: dt.date | None = None,
    plan: str | None = None,
    out: str | Path | None = None,
) -> Path:
    data = queries.budget_gap_data(
        session, settings=settings, year=year, unit=unit, as_of=as_of, plan=plan
    )
    path = output_path(out, default_dir=settings.exports_dir, filename=budget_gap_filename(data))
    return _write(path, lambda target: build_budget_gap(data, target))


def write_quarterly(
    session: Session,
    *,
    settings: Settings,
    year: int,
    quarter: int,
    as_of: dt.date | None = None,
    plan: str | None = None,
    out: str | Path | None = None,
) -> Path:
    data = queries.quarterly_data(
        session, settings=settings, year=year, quarter=quarter, as_of=as_of, plan=plan
    )
    path = output_path(out, default_dir=settings.exports_dir, filename=quarterly_filename(data))
    return _write(path, lambda target: build_quarterly(data, target))
