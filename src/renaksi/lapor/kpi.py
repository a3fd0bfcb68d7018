"""Complaint-handling KPIs per unit and period: pure functions over polars frames.

Definitions (domain.md): period by submission date (WITA); as-of is a frozen view — events
dated after the as-of day are treated as not having happened; ``ARSIP`` and
``BUKAN_WEWENANG`` are excluded; the response clock starts at disposition, or at submission
without one; percentages over an empty set are null. A complaint whose status says it was
followed up (``PROSES``, ``SELESAI``) but has no follow-up time, or a ``SELESAI`` without
completion time, is a data-quality warning and counts in neither side of the rates it
cannot be placed in. A follow-up dated before the disposition is a warning too, but is
placed: its response time is 0 working days.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from renaksi.codes import ComplaintStatus as S
from renaksi.lapor.calendar import workdays_between

TZ_LOCAL = "Asia/Makassar"
UTC_MOMENT = pl.Datetime("us", "UTC")
COMPLAINTS_SCHEMA = {
    "tracking_id": pl.String,
    "unit_code": pl.String,
    "status": pl.String,
    "submitted_at": UTC_MOMENT,
    "dispositioned_at": UTC_MOMENT,
    "first_response_at": UTC_MOMENT,
    "resolved_at": UTC_MOMENT,
}
KPI_SCHEMA = {
    "unit_code": pl.String,
    "period": pl.String,
    "received": pl.Int64,
    "followed_up": pl.Int64,
    "pct_followed_up": pl.Float64,
    "resolved": pl.Int64,
    "pct_resolved": pl.Float64,
    "response_on_time": pl.Int64,
    "response_late": pl.Int64,
    "pct_response_on_time": pl.Float64,
    "median_response_workdays": pl.Float64,
    "pct_resolved_within_60d": pl.Float64,
}
#: KPIs where a lower value is better; every other linked KPI is higher-is-better
LOWER_IS_BETTER = {"median_response_workdays", "response_late"}


@dataclass(frozen=True)
class Sla:
    response_workdays: int = 5
    complete_days: int = 60


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"


def latest_complete_quarter(as_of: date) -> Period:
    """The last quarter whose final day is on or before ``as_of``."""
    quarter = (as_of.month - 1) // 3 + 1
    current = Period(as_of.year, quarter)
    if as_of == current.end:
        return current
    return Period(as_of.year - 1, 4) if quarter == 1 else Period(as_of.year, quarter - 1)


def priority_view(year: int, as_of: date) -> tuple[date, Period]:
    """The as-of day and KPI quarter PRIORITAS uses for the flags of ``year``: the latest
    complete quarter as of ``as_of``, looking no later than the end of ``year``."""
    as_of = min(as_of, date(year, 12, 31))
    return as_of, latest_complete_quarter(as_of)


def _local_date(column: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(TZ_LOCAL).dt.date()


def complaint_facts(
    complaints: pl.DataFrame, *, period: Period, as_of: date, sla: Sla, holidays: list[date]
) -> pl.DataFrame:
    """One row per complaint received in ``period`` (as of ``as_of``) with its KPI facts."""
    as_of_lit = pl.lit(as_of)
    seen = (
        complaints.with_columns(
            _local_date("submitted_at").alias("submitted"),
            *(
                _local_date(c).alias(c.removesuffix("_at"))
                for c in ("dispositioned_at", "first_response_at", "resolved_at")
            ),
        )
        .filter(
            pl.col("submitted").is_between(pl.lit(period.start), pl.lit(min(period.end, as_of)))
            & ~pl.col("status").is_in([S.ARSIP.value, S.BUKAN_WEWENANG.value])
        )
        .with_columns(
            # the frozen view: later events have not happened yet
            *(
                pl.when(pl.col(c) <= as_of_lit).then(pl.col(c)).otherwise(None).alias(c)
                for c in ("dispositioned", "first_response", "resolved")
            ),
        )
    )
    says_followed = pl.col("status").is_in([S.PROSES.value, S.SELESAI.value])
    facts = seen.with_columns(
        (says_followed & pl.col("first_response_at").is_null()).alias("dq_no_response_time"),
        ((pl.col("status") == S.SELESAI.value) & pl.col("resolved_at").is_null()).alias(
            "dq_no_completion_time"
        ),
        # reported only: the clock (from disposition) then counts 0 working days
        (
            pl.col("first_response").is_not_null()
            & pl.col("dispositioned").is_not_null()
            & (pl.col("first_response_at") < pl.col("dispositioned_at"))
        ).alias("dq_response_before_disposition"),
        pl.coalesce("dispositioned", "submitted").alias("clock_start"),
        pl.col("first_response").is_not_null().alias("followed_up"),
        ((pl.col("status") == S.SELESAI.value) & pl.col("resolved").is_not_null()).alias(
            "resolved_flag"
        ),
    ).with_columns(
        workdays_between(pl.col("clock_start"), pl.col("first_response"), holidays=holidays).alias(
            "response_workdays"
        ),
        workdays_between(pl.col("clock_start"), as_of_lit, holidays=holidays).alias(
            "workdays_open"
        ),
    )
    limit = sla.response_workdays
    return facts.with_columns(
        (pl.col("followed_up") & (pl.col("response_workdays") <= limit)).alias("on_time"),
        (
            (pl.col("followed_up") & (pl.col("response_workdays") > limit))
            | (
                ~pl.col("followed_up")
                & ~pl.col("dq_no_response_time")
                & (pl.col("workdays_open") > limit)
            )
        ).alias("late"),
        (
            pl.col("resolved_flag")
            & (pl.col("resolved") <= pl.col("submitted") + pl.duration(days=sla.complete_days))
        ).alias("within_60d"),
        (
            ~pl.col("resolved_flag")
            & ~pl.col("dq_no_completion_time")
            & ((as_of_lit - pl.col("submitted")).dt.total_days() > sla.complete_days)
        ).alias("overdue_60d"),
    )


def _pct(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(100.0 * numerator / denominator).otherwise(None)


def _aggregate(facts: pl.LazyFrame | pl.DataFrame, by: list[str]) -> pl.DataFrame:
    followed_placeable = pl.len() - pl.col("dq_no_response_time").sum()
    resolved_placeable = pl.len() - pl.col("dq_no_completion_time").sum()
    aggs = [
        pl.len().cast(pl.Int64).alias("received"),
        pl.col("followed_up").sum().cast(pl.Int64).alias("followed_up"),
        _pct(pl.col("followed_up").sum(), followed_placeable).alias("pct_followed_up"),
        pl.col("resolved_flag").sum().cast(pl.Int64).alias("resolved"),
        _pct(pl.col("resolved_flag").sum(), resolved_placeable).alias("pct_resolved"),
        pl.col("on_time").sum().cast(pl.Int64).alias("response_on_time"),
        pl.col("late").sum().cast(pl.Int64).alias("response_late"),
        _pct(pl.col("on_time").sum(), pl.col("on_time").sum() + pl.col("late").sum()).alias(
            "pct_response_on_time"
        ),
        pl.col("response_workdays")
        .filter(pl.col("followed_up"))
        .median()
        .cast(pl.Float64)
        .alias("median_response_workdays"),
        _pct(
            pl.col("within_60d").sum(), pl.col("resolved_flag").sum() + pl.col("overdue_60d").sum()
        ).alias("pct_resolved_within_60d"),
    ]
    if by:
        return facts.lazy().group_by(by).agg(aggs).collect()
    return facts.lazy().select(aggs).collect()


def compute_kpis(
    complaints: pl.DataFrame,
    *,
    units: list[str],
    period: Period,
    as_of: date,
    sla: Sla,
    holidays: list[date],
) -> pl.DataFrame:
    """One row per unit in ``units`` (zero counts and null rates when it had none), then a
    kabupaten-wide total row (``unit_code`` null) over every matched complaint."""
    facts = complaint_facts(complaints, period=period, as_of=as_of, sla=sla, holidays=holidays)
    facts = facts.filter(pl.col("unit_code").is_not_null())
    per_unit = _aggregate(facts, ["unit_code"])
    frame = pl.DataFrame({"unit_code": units}, schema={"unit_code": pl.String}).join(
        per_unit, on="unit_code", how="left", maintain_order="left"
    )
    frame = frame.with_columns(
        pl.col(c).fill_null(0)
        for c in ("received", "followed_up", "resolved", "response_on_time", "response_late")
    )
    total = _aggregate(facts, []).with_columns(pl.lit(None, pl.String).alias("unit_code"))
    return (
        pl.concat(
            [frame.select(per_unit.columns), total.select(per_unit.columns)], how="vertical_relaxed"
        )
        .with_columns(pl.lit(period.label).alias("period"))
        .select(list(KPI_SCHEMA))
        .cast(KPI_SCHEMA)  # type: ignore[arg-type]
    )


def quality_warnings(
    complaints: pl.DataFrame, *, period: Period, as_of: date, sla: Sla, holidays: list[date]
) -> pl.DataFrame:
    """Complaints whose status and times disagree (see module docstring), one row each with
    every problem in ``message``."""
    facts = complaint_facts(complaints, period=period, as_of=as_of, sla=sla, holidays=holidays)
    problems = {
        "dq_no_response_time": "status sudah ditindaklanjuti tetapi tanpa tanggal tindak lanjut",
        "dq_no_completion_time": "status selesai tetapi tanpa tanggal selesai",
        "dq_response_before_disposition": "tanggal tindak lanjut sebelum tanggal disposisi "
        "(dihitung 0 hari kerja)",
    }
    return facts.filter(pl.any_horizontal(list(problems))).select(
        "tracking_id",
        "unit_code",
        "status",
        pl.concat_str(
            [pl.when(pl.col(flag)).then(pl.lit(text)) for flag, text in problems.items()],
            separator="; ",
            ignore_nulls=True,
        ).alias("message"),
    )


def missed_targets(kpis: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Action-years whose linked KPI (for its unit) is worse than that year's target.

    ``kpis``: output of :func:`compute_kpis`; ``links``: ``action_id, year, kpi, unit_code,
    target``. Direction-aware: lower is better for ``median_response_workdays``. A KPI with
    no value (no complaints) misses nothing.
    """
    long = (
        kpis.filter(pl.col("unit_code").is_not_null())
        .unpivot(
            index="unit_code",
            on=[c for c in KPI_SCHEMA if c not in ("unit_code", "period")],
            variable_name="kpi",
            value_name="value",
        )
        .with_columns(pl.col("value").cast(pl.Float64))
    )
    joined = links.join(long, on=["unit_code", "kpi"], how="inner")
    worse = (
        pl.when(pl.col("kpi").is_in(list(LOWER_IS_BETTER)))
        .then(pl.col("value") > pl.col("target"))
        .otherwise(pl.col("value") < pl.col("target"))
    )
    return joined.filter(pl.col("value").is_not_null() & worse).select(
        "action_id", "year", "kpi", "unit_code", "value", "target"
    )
