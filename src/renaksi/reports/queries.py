"""The only database-aware part of reporting: gathers what the workbooks show.

Flags, summaries and KPIs come from the services that own their rules
(:func:`renaksi.budget.service.flags_frame` / :func:`~renaksi.budget.service.summary`,
:func:`renaksi.lapor.service.kpi_frame`); this module only reads what a workbook needs besides
them — titles, unit names, the actions active in a year (those with a target: the rows the
flags start from) and the progress reports of one quarter — and hands everything to the pure
builders as one data object. Nothing here is scoped to a caller's unit: who may download a
report at all is the route guard's decision.
"""

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from renaksi.budget import flags as budget_rules
from renaksi.budget import queries as budget_queries
from renaksi.budget import service as budget_service
from renaksi.budget.schemas import UnitSummary
from renaksi.db.models import Action, ActionTarget, ProgressReport, Unit
from renaksi.errors import FieldError, NotFoundError, ValidationError
from renaksi.formatting import quarter_name
from renaksi.lapor import service as lapor_service
from renaksi.lapor.kpi import Period, missed_targets, priority_view
from renaksi.plan.service import plan_for_year
from renaksi.reports import frames
from renaksi.reports.budget_gap import DETAIL_SCHEMA, BudgetGapData
from renaksi.reports.quarterly import PROGRESS_SCHEMA, QuarterlyData
from renaksi.reports.sheets import Signer
from renaksi.reports.styles import WITA
from renaksi.settings import Settings

ACTIONS_SCHEMA = pl.Schema(
    {
        "action_id": pl.Int64(),
        "action_code": pl.String(),
        "title": pl.String(),
        "unit_code": pl.String(),
    }
)


def unit_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(sa.select(Unit.code, Unit.name))}


def _check_unit(session: Session, unit: str) -> None:
    if session.scalar(sa.select(Unit.id).where(Unit.code == unit)) is None:
        raise NotFoundError(
            f"PD dengan kode '{unit}' tidak ditemukan.",
            [FieldError(field="unit", value=unit, message="kode PD tidak dikenal")],
        )


def plan_actions(session: Session, plan_id: int) -> pl.DataFrame:
    """Every action of the plan with its title and lead unit."""
    return budget_queries.read_frame(
        session,
        sa.select(Action.id, Action.code, Action.title, Unit.code)
        .join(Unit, Unit.id == Action.lead_unit_id)
        .where(Action.plan_id == plan_id),
        ACTIONS_SCHEMA,
    )


def priorities(
    session: Session,
    *,
    settings: Settings,
    plan_id: int,
    year: int,
    as_of: dt.date,
    flags: pl.DataFrame,
) -> tuple[pl.DataFrame, Period | None]:
    """:func:`frames.priority_rows` for ``flags`` (a flags frame with titles) and the quarter
    whose KPIs ``PRIORITAS`` compared — picked exactly as ``budget.service.flags_frame`` does:
    the latest complete quarter as of ``as_of``, but never later than the end of ``year``."""
    links = budget_queries.kpi_targets_frame(session, plan_id, year)
    if links.is_empty():
        return pl.DataFrame(schema=frames.PRIORITY_SCHEMA), None
    as_of, period = priority_view(year, as_of)
    kpis = lapor_service.kpi_frame(session, settings=settings, period=period, as_of=as_of)
    rows = frames.priority_rows(flags, links=links, kpis=kpis, missed=missed_targets(kpis, links))
    return rows, period


def budget_gap_data(
    session: Session,
    *,
    settings: Settings,
    year: int,
    unit: str | None = None,
    as_of: dt.date | None = None,
    plan: str | None = None,
    now: dt.datetime | None = None,
) -> BudgetGapData:
    # the plan first: a year no plan covers is the answer, whatever the date
    plan_row = plan_for_year(session, year, plan)
    as_of = lapor_service.check_as_of(as_of or lapor_service.today_wita())
    _, flags = budget_service.flags_frame(
        session, year=year, plan=plan_row.code, as_of=as_of, settings=settings
    )
    if unit is not None:
        _check_unit(session, unit)
    actions = plan_actions(session, plan_row.id)
    flags = flags.join(actions.select("action_id", "title"), on="action_id", how="inner")
    summary = budget_service.summary(
        session, year=year, plan=plan_row.code, as_of=as_of, settings=settings
    )
    units, total = summary.units, summary.total
    everything = budget_rules.compute_flags(
        targets=budget_queries.targets_frame(session, plan_row.id),
        lines=budget_queries.lines_frame(session, plan_row.id),
    )
    prio, kpi_period = priorities(
        session, settings=settings, plan_id=plan_row.id, year=year, as_of=as_of, flags=flags
    )
    if unit is not None:
        units = [u for u in units if u.unit_code == unit]
        total = units[0] if units else _empty_total(year)
        flags = flags.filter(pl.col("unit_code") == unit)
        actions = actions.filter(pl.col("unit_code") == unit)
        prio = prio.filter(pl.col("unit_code") == unit)
    detail = flags.sort("unit_code", "action_code").select(list(DETAIL_SCHEMA)).cast(DETAIL_SCHEMA)
    return BudgetGapData(
        kpi_labels=frames.kpi_labels(lapor_service.sla_from(session, settings).complete_days),
        region=settings.report_region,
        plan_code=plan_row.code,
        plan_name=plan_row.name,
        years=list(plan_row.years),
        year=year,
        unit=unit,
        unit_names=unit_names(session),
        as_of=as_of,
        kpi_period=kpi_period,
        generated_at=now or dt.datetime.now(WITA),
        summary=units,
        total=total,
        detail=detail,
        matrix=frames.funding_matrix(everything, actions, list(plan_row.years)),
        priorities=prio,
    )


def _empty_total(year: int) -> UnitSummary:
    return UnitSummary(
        unit_code=None,
        year=year,
        active_actions=0,
        usulan=0,
        pagu=0,
        realisasi=0,
        gap=0,
        flagged_actions=0,
        funded_actions=0,
        share_funded=None,
    )


def active_actions(session: Session, plan_id: int, year: int) -> list[Any]:
    """Every action active in ``year`` (it has a target then) with that target and its lead
    unit, ordered by unit then action code."""
    return list(
        session.execute(
            sa.select(
                Action.id,
                Action.code,
                Action.title,
                Unit.code.label("unit_code"),
                Action.indicator,
                Action.measure_unit,
                Action.direction,
                ActionTarget.value.label("target"),
            )
            .join(ActionTarget, ActionTarget.action_id == Action.id)
            .join(Unit, Unit.id == Action.lead_unit_id)
            .where(Action.plan_id == plan_id, ActionTarget.year == year)
            .order_by(Unit.code, Action.code)
        )
    )


def quarter_reports(
    session: Session, *, plan_id: int, year: int, quarter: int, as_of: dt.date
) -> dict[int, ProgressReport]:
    """The latest progress report per action for the quarter, recorded by the end of ``as_of``
    (WITA): a report filed later has not happened yet in this view."""
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), WITA)
    ranked = (
        sa.select(
            ProgressReport.id,
            sa.func.row_number()
            .over(
                partition_by=ProgressReport.action_id,
                order_by=(ProgressReport.reported_at.desc(), ProgressReport.id.desc()),
            )
            .label("rank"),
        )
        .join(Action, Action.id == ProgressReport.action_id)
        .where(
            Action.plan_id == plan_id,
            ProgressReport.year == year,
            ProgressReport.quarter == quarter,
            ProgressReport.reported_at < cutoff,
        )
        .subquery()
    )
    reports = session.scalars(
        sa.select(ProgressReport)
        .join(ranked, ranked.c.id == ProgressReport.id)
        .where(ranked.c.rank == 1)
    )
    return {r.action_id: r for r in reports}


def _progress_frame(actions: list[Any], reports: dict[int, ProgressReport]) -> pl.DataFrame:
    rows = []
    for a in actions:
        r = reports.get(a.id)
        rows.append(
            (
                a.code,
                a.title,
                a.unit_code,
                a.indicator,
                a.measure_unit,
                a.direction.value,
                a.target,
                r.status.value if r else None,
                r.achieved_value if r else None,
                r.progress_pct if r else None,
                r.problems if r else None,
                r.follow_up if r else None,
                r.reported_by if r else None,
                r.reported_at if r else None,
            )
        )
    return pl.DataFrame(rows, schema=PROGRESS_SCHEMA, orient="row")


def _check_started(period: Period, today: dt.date) -> None:
    """A quarter that starts after today has nothing to report yet (whatever ``as_of``)."""
    if period.start > today:
        name = quarter_name(period.year, period.quarter or 4)
        raise ValidationError(
            f"{name} belum dimulai: triwulan itu mulai {period.start.isoformat()}, hari ini "
            f"{today.isoformat()} (WITA).",
            [
                FieldError(
                    field="quarter",
                    value=str(period.quarter),
                    message=f"{name} belum dimulai (mulai {period.start.isoformat()})",
                )
            ],
        )


def _check_as_of_in(period: Period, as_of: dt.date) -> None:
    year, quarter = period.year, period.quarter or 4
    if as_of < period.start:
        raise ValidationError(
            f"Tanggal data {as_of.isoformat()} sebelum awal {quarter_name(year, quarter)}.",
            [
                FieldError(
                    field="as_of",
                    value=as_of.isoformat(),
                    message=f"paling awal {period.start.isoformat()}",
                )
            ],
        )


def previous_quarters(period: Period, count: int = 4) -> list[Period]:
    """``count`` quarters ending with ``period``, oldest first."""
    assert period.quarter is not None
    index = period.year * 4 + period.quarter - 1
    return [Period(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1)]


def quarterly_data(
    session: Session,
    *,
    settings: Settings,
    year: int,
    quarter: int,
    as_of: dt.date | None = None,
    plan: str | None = None,
    now: dt.datetime | None = None,
) -> QuarterlyData:
    # the plan first (a year no plan covers), then the quarter (one that has not started),
    # then the date: each refusal names the real reason
    plan_row = plan_for_year(session, year, plan)
    period = lapor_service.check_period(year, quarter)
    today = lapor_service.today_wita()
    _check_started(period, today)
    as_of = lapor_service.check_as_of(as_of or today)
    _check_as_of_in(period, as_of)
    trend: list[pl.DataFrame] = []
    kpis = pl.DataFrame()
    for p in previous_quarters(period):
        frame = lapor_service.kpi_frame(session, settings=settings, period=p, as_of=as_of)
        trend.append(
            frame.filter(pl.col("unit_code").is_null()).with_columns(
                pl.lit(quarter_name(p.year, p.quarter or 4)).alias("period")
            )
        )
        kpis = frame
    targets = frames.strictest_targets(budget_queries.kpi_targets_frame(session, plan_row.id, year))
    actions = active_actions(session, plan_row.id, year)
    reports = quarter_reports(session, plan_id=plan_row.id, year=year, quarter=quarter, as_of=as_of)
    active = pl.DataFrame(
        [(a.id, a.code, a.unit_code) for a in actions],
        schema={"action_id": pl.Int64(), "action_code": pl.String(), "unit_code": pl.String()},
        orient="row",
    )
    reported = pl.DataFrame({"action_id": list(reports)}, schema={"action_id": pl.Int64()})
    _, flags = budget_service.flags_frame(
        session, year=year, plan=plan_row.code, as_of=as_of, settings=settings
    )
    flags = flags.join(
        plan_actions(session, plan_row.id).select("action_id", "title"), on="action_id"
    )
    prio, prio_period = priorities(
        session, settings=settings, plan_id=plan_row.id, year=year, as_of=as_of, flags=flags
    )
    return QuarterlyData(
        kpi_labels=frames.kpi_labels(lapor_service.sla_from(session, settings).complete_days),
        region=settings.report_region,
        plan_code=plan_row.code,
        plan_name=plan_row.name,
        year=year,
        quarter=quarter,
        as_of=as_of,
        generated_at=now or dt.datetime.now(WITA),
        unit_names=unit_names(session),
        kpis=frames.report_units(kpis, targets, active["unit_code"].to_list()),
        targets=targets,
        trend=pl.concat(trend),
        progress=_progress_frame(actions, reports),
        gaps=frames.reporting_gaps(active, reported),
        priorities=prio,
        priority_period=prio_period,
        signer=Signer(
            name=settings.report_signer_name,
            title=settings.report_signer_title,
            nip=settings.report_signer_nip,
            place=settings.report_place,
        ),
    )
