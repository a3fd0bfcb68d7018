"""Linked KPIs on *Detail aksi*: each KPI of its unit over the last quarters that have
complaints, beside that year's target, as a small table and a server-rendered SVG line.

The values come from :func:`renaksi.lapor.service.kpis` (the same numbers as the API and the
*Kinerja pengaduan* page) and met/missed from :func:`renaksi.lapor.kpi.missed_targets` (the rule
PRIORITAS uses); this module only picks the quarters and lays the chart out."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
import polars as pl
from sqlalchemy.orm import Session

from renaksi.budget.queries import KPI_LINKS_SCHEMA
from renaksi.formatting import ROMAN, number, quarter_name
from renaksi.lapor import schemas as lapor_schemas
from renaksi.lapor import service as lapor
from renaksi.lapor.kpi import KPI_SCHEMA, Period, latest_complete_quarter, missed_targets
from renaksi.plan import schemas as plan_schemas
from renaksi.reports.frames import PERCENT_KPIS, kpi_labels
from renaksi.settings import Settings

#: quarters shown per KPI, and how far back to look for quarters with complaints
QUARTERS = 4
YEARS_BACK = 5
WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 260, 120, 24, 12, 22


@dataclass
class Point:
    period: Period
    value: float | None
    target: float | None
    #: "hijau" met, "merah" missed, "" without a value or a target
    status: str

    @property
    def name(self) -> str:
        return quarter_name(self.period.year, self.period.quarter or 4)

    @property
    def short(self) -> str:
        return f"{ROMAN[(self.period.quarter or 4) - 1]}/{self.period.year % 100:02d}"


@dataclass
class Trend:
    link: plan_schemas.KpiLink
    label: str
    percent: bool
    points: list[Point] = field(default_factory=list)

    def text(self, value: float | None) -> str:
        if value is None:
            return "-"
        return f"{number(round(value, 1))}%" if self.percent else number(round(value, 2))

    @property
    def chart(self) -> dict[str, Any]:
        return sparkline(self.points, percent=self.percent)


class _KpiRows:
    """KPIs of every unit per period, computed once per page (several links share periods)."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session, self.settings = session, settings
        self.found: dict[Period, list[lapor_schemas.KpiRow]] = {}

    def __call__(self, period: Period) -> list[lapor_schemas.KpiRow]:
        if period not in self.found:
            self.found[period] = lapor.kpis(
                self.session, settings=self.settings, year=period.year, quarter=period.quarter
            )
        return self.found[period]

    def of(self, period: Period, unit: str) -> lapor_schemas.KpiRow | None:
        return next((r for r in self(period) if r.unit_code == unit), None)


def quarters_with_data(rows: _KpiRows, unit: str, latest: Period) -> list[Period]:
    """Up to :data:`QUARTERS` complete quarters with complaints for ``unit``, oldest first.
    Whole years are looked at first, so empty years cost one computation each."""
    found: list[Period] = []
    for year in range(latest.year, latest.year - YEARS_BACK, -1):
        yearly = rows.of(Period(year), unit)
        if yearly is None or not yearly.received:
            continue
        last = (latest.quarter or 4) if year == latest.year else 4
        for quarter in range(last, 0, -1):
            row = rows.of(Period(year, quarter), unit)
            if row is not None and row.received:
                found.append(Period(year, quarter))
                if len(found) == QUARTERS:
                    return found[::-1]
    return found[::-1]


def _status(
    rows: list[lapor_schemas.KpiRow], link: plan_schemas.KpiLink, year: int, target: float
) -> str:
    frame = pl.DataFrame([msgspec.to_builtins(r) for r in rows], schema=KPI_SCHEMA)
    links = pl.DataFrame(
        [(link.action_id, year, link.kpi.value, link.unit, target)],
        schema=KPI_LINKS_SCHEMA,
        orient="row",
    )
    return "merah" if missed_targets(frame, links).height else "hijau"


def link_trends(
    session: Session,
    settings: Settings,
    links: list[plan_schemas.KpiLink],
    *,
    today: date | None = None,
) -> list[Trend]:
    latest = latest_complete_quarter(today or lapor.today_wita())
    rows = _KpiRows(session, settings)
    labels = kpi_labels(lapor.sla_from(session, settings).complete_days)
    trends = []
    for link in links:
        kpi = link.kpi.value
        trend = Trend(link=link, label=labels.get(kpi, kpi), percent=kpi in PERCENT_KPIS)
        targets = {t.year: t.value for t in link.targets}
        for period in quarters_with_data(rows, link.unit, latest):
            row = rows.of(period, link.unit)
            value = getattr(row, kpi) if row is not None else None
            target = targets.get(period.year)
            status = ""
            if value is not None and target is not None:
                status = _status(rows(period), link, period.year, target)
            trend.points.append(Point(period, value, target, status))
        trends.append(trend)
    return trends


def sparkline(points: list[Point], *, percent: bool) -> dict[str, Any]:
    """Coordinates of a small line chart: values (solid) and targets (dashed), 0 at the bottom;
    percentages on 0–100, other KPIs on 0 to the largest value or target."""
    numbers = [v for p in points for v in (p.value, p.target) if v is not None]
    top = 100.0 if percent else max([*numbers, 1.0]) * 1.15
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = (WIDTH - 2 * PAD_X) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + plot * (1 - min(max(value, 0.0), top) / top), 1)

    marks = []
    for i, p in enumerate(points):
        x = round(PAD_X + i * step if len(points) > 1 else WIDTH / 2, 1)
        marks.append(
            {
                "x": x,
                "y": None if p.value is None else y(p.value),
                "ty": None if p.target is None else y(p.target),
                "label": p.short,
                "status": p.status or "netral",
            }
        )

    def line(key: str) -> str:
        return " ".join(f"{m['x']},{m[key]}" for m in marks if m[key] is not None)

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "base": HEIGHT - PAD_BOTTOM,
        "marks": marks,
        "value_line": line("y"),
        "target_line": line("ty"),
    }
