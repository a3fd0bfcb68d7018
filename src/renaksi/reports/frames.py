"""Report frames: pure polars shaping of what the services computed (no I/O, no new rules).

The budget flags come from :mod:`renaksi.budget.flags` and the KPIs from
:mod:`renaksi.lapor.kpi`; these functions only select, join, label and order them the way the
workbooks show them. Also the Indonesian labels the sheets use.
"""

from collections.abc import Iterable

import polars as pl

from renaksi.codes import FLAG_LABELS, Flag, ProgressStatus
from renaksi.lapor.kpi import KPI_SCHEMA, LOWER_IS_BETTER
from renaksi.reports.styles import Kind

KPI_NAMES = [c for c in KPI_SCHEMA if c not in ("unit_code", "period")]
KPI_LABELS = {
    "received": "Pengaduan Diterima",
    "followed_up": "Ditindaklanjuti",
    "pct_followed_up": "% Ditindaklanjuti",
    "resolved": "Selesai",
    "pct_resolved": "% Selesai",
    "response_on_time": "Tanggapan Tepat Waktu",
    "response_late": "Tanggapan Terlambat",
    "pct_response_on_time": "% Tanggapan Tepat Waktu",
    "median_response_workdays": "Median Hari Kerja Tanggapan",
    "pct_resolved_within_60d": "% Selesai ≤ 60 Hari",
}


def kpi_labels(complete_days: int) -> dict[str, str]:
    """KPI_LABELS with the completion limit in force (an SLA setting, 60 days by default)."""
    return {**KPI_LABELS, "pct_resolved_within_60d": f"% Selesai ≤ {complete_days} Hari"}


#: KPIs stored as 0–100 by the KPI functions: shown as fractions with a percent format
PERCENT_KPIS = frozenset(k for k in KPI_NAMES if k.startswith("pct_"))
#: the only KPI that is neither a count nor a percentage
DECIMAL_KPIS = frozenset({"median_response_workdays"})

#: funding status of one action-year in the matrix: code → (label, colour)
FUNDING = {
    "DIDANAI": ("Didanai", "green"),
    "SEBAGIAN": ("Sebagian didanai", "yellow"),
    "TIDAK_DIDANAI": ("Tidak didanai", "red"),
    "TIDAK_AKTIF": ("Tidak aktif", "grey"),
}
PROGRESS_LABELS = {
    ProgressStatus.BELUM_MULAI.value: ("Belum mulai", "blue"),
    ProgressStatus.BERJALAN.value: ("Berjalan", "blue"),
    ProgressStatus.SELESAI.value: ("Selesai", "green"),
    ProgressStatus.TERTUNDA.value: ("Tertunda", "yellow"),
    ProgressStatus.DIBATALKAN.value: ("Dibatalkan", "grey"),
}
NOT_REPORTED = ("Belum melapor", "red")
#: flag order in readable text: the most urgent first
FLAG_ORDER = [Flag.PRIORITAS, Flag.TANPA_PAGU, Flag.KURANG_PAGU, Flag.BELUM_USULAN]
NO_FLAG = "Tanpa flag"


def flag_text(codes: list[str]) -> str:
    """``["KURANG_PAGU", "PRIORITAS"]`` → ``Prioritas pendanaan; Pagu kurang dari usulan``."""
    labels = [FLAG_LABELS[f] for f in FLAG_ORDER if f.value in codes]
    return "; ".join(labels) or NO_FLAG


def flag_codes(codes: list[str]) -> str:
    return ", ".join(f.value for f in FLAG_ORDER if f.value in codes)


def flag_labels(flags: pl.Series) -> pl.DataFrame:
    """:func:`flag_text` and :func:`flag_codes` of every list in ``flags`` (columns
    ``flag_text``, ``flag_codes``), each computed once per distinct list of flags (not
    sorted first: ``list.sort`` of 100k short string lists takes polars 0.8 s)."""
    keys = flags.list.join(",")
    sets = {key: key.split(",") if key else [] for key in keys.unique().drop_nulls()}
    return pl.DataFrame(
        {
            "flag_text": keys.replace_strict(
                {k: flag_text(v) for k, v in sets.items()}, return_dtype=pl.String()
            ),
            "flag_codes": keys.replace_strict(
                {k: flag_codes(v) for k, v in sets.items()}, return_dtype=pl.String()
            ),
        }
    )


def kpi_kind(kpi: str | None) -> Kind:
    """How a KPI's cells are written: percentages, the decimal median, or counts."""
    if kpi in PERCENT_KPIS:
        return "pct"
    return "decimal" if kpi in DECIMAL_KPIS else "count"


def kpi_cell(kpi: str, value: float | None) -> float | None:
    """A KPI value as a cell holds it: percentages as fractions (80 → 0.8)."""
    if value is None:
        return None
    return value / 100 if kpi in PERCENT_KPIS else value


def funding_matrix(flags: pl.DataFrame, actions: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """One row per action, one column per year (``"2022"`` …) holding a :data:`FUNDING` code.

    ``flags``: :func:`renaksi.budget.flags.compute_flags` over the plan's years; ``actions``:
    ``action_id, action_code, title, unit_code``. Not active (no target, or no flags row at
    all) wins over any budget line; an active year is unfunded with ``TANPA_PAGU``, partly
    funded with ``KURANG_PAGU``, funded otherwise. The statuses are pivoted by action id and
    the titles joined once (not an action × year grid of titles: 100k actions over five years
    made that 110 MB).
    """
    columns = ["action_code", "title", "unit_code", *(str(y) for y in years)]
    if actions.is_empty():  # pivot cannot make year columns out of nothing
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String()))
    status = (
        pl.when(~pl.col("active").fill_null(False))
        .then(pl.lit("TIDAK_AKTIF"))
        .when(pl.col("flags").list.contains(Flag.TANPA_PAGU.value))
        .then(pl.lit("TIDAK_DIDANAI"))
        .when(pl.col("flags").list.contains(Flag.KURANG_PAGU.value))
        .then(pl.lit("SEBAGIAN"))
        .otherwise(pl.lit("DIDANAI"))
    )
    wide = (
        flags.filter(pl.col("year").is_in(years))
        .select("action_id", pl.col("year").cast(pl.String()), status.alias("status"))
        .pivot(on="year", index="action_id", values="status")
    )
    present = set(wide.columns)
    return (
        actions.join(wide, on="action_id", how="left")
        .with_columns(
            pl.col(y).fill_null("TIDAK_AKTIF") if y in present else pl.lit("TIDAK_AKTIF").alias(y)
            for y in columns[3:]
        )
        .sort("unit_code", "action_code")
        .select(columns)
    )


def kpi_values(kpis: pl.DataFrame) -> pl.DataFrame:
    """``unit_code, kpi, value``: the per-unit KPI rows of :func:`compute_kpis`, long."""
    return (
        kpis.filter(pl.col("unit_code").is_not_null())
        .unpivot(index="unit_code", on=KPI_NAMES, variable_name="kpi", value_name="value")
        .with_columns(pl.col("value").cast(pl.Float64()))
    )


PRIORITY_SCHEMA = pl.Schema(
    {
        "action_code": pl.String(),
        "title": pl.String(),
        "unit_code": pl.String(),
        "usulan": pl.Int64(),
        "pagu": pl.Int64(),
        "gap": pl.Int64(),
        "flags": pl.List(pl.String()),
        "kpi": pl.String(),
        "kpi_unit": pl.String(),
        "value": pl.Float64(),
        "target": pl.Float64(),
        "missed": pl.Boolean(),
    }
)


def priority_rows(
    flags: pl.DataFrame, *, links: pl.DataFrame, kpis: pl.DataFrame, missed: pl.DataFrame
) -> pl.DataFrame:
    """The ``PRIORITAS`` action-years, one row per linked KPI, with its value and target.

    ``flags``: the flags frame (with ``action_code, title, unit_code``); ``links``: KPI links
    with that year's target; ``kpis``: the KPIs of the quarter ``PRIORITAS`` looked at;
    ``missed``: :func:`renaksi.lapor.kpi.missed_targets` of the two. ``missed`` is null when
    the KPI has no value (no complaints).
    """
    priority = flags.filter(pl.col("flags").list.contains(Flag.PRIORITAS.value))
    linked = links.rename({"unit_code": "kpi_unit"}).drop("year")
    values = kpi_values(kpis).rename({"unit_code": "kpi_unit"})
    hit = (
        missed.select("action_id", "kpi", pl.col("unit_code").alias("kpi_unit"))
        .unique()
        .with_columns(pl.lit(True).alias("hit"))
    )
    rows = (
        priority.join(linked, on="action_id", how="left")
        .join(values, on=["kpi_unit", "kpi"], how="left")
        .join(hit, on=["action_id", "kpi", "kpi_unit"], how="left")
        .with_columns(
            pl.when(pl.col("value").is_null())
            .then(None)
            .otherwise(pl.col("hit").fill_null(False))
            .alias("missed")
        )
    )
    return (
        rows.select(list(PRIORITY_SCHEMA))
        .cast(PRIORITY_SCHEMA)
        .sort("unit_code", "action_code", "kpi", "kpi_unit", nulls_last=True)
    )


def strictest_targets(links: pl.DataFrame) -> pl.DataFrame:
    """One target per unit and KPI from the KPI links of a year: the strictest one.

    Several actions may link the same unit's KPI with different targets; the highest (lowest
    for lower-is-better KPIs) is the one a unit must reach so that no linked action misses —
    the same comparison ``PRIORITAS`` makes.
    """
    lower = pl.col("kpi").first().is_in(list(LOWER_IS_BETTER))
    return (
        links.group_by("unit_code", "kpi")
        .agg(
            pl.when(lower)
            .then(pl.col("target").min())
            .otherwise(pl.col("target").max())
            .alias("target")
        )
        .sort("unit_code", "kpi")
    )


def report_units(
    kpis: pl.DataFrame, targets: pl.DataFrame, active_units: Iterable[str] = ()
) -> pl.DataFrame:
    """Unit rows worth a line in the quarterly report (complaints received, a KPI target, or
    an active action this year: a unit of the plan with no complaint is shown with 0), in
    unit order, then the kabupaten total row."""
    shown = set(targets["unit_code"].unique().to_list()) | set(active_units)
    units = kpis.filter(
        pl.col("unit_code").is_not_null()
        & ((pl.col("received") > 0) | pl.col("unit_code").is_in(list(shown)))
    ).sort("unit_code")
    return pl.concat([units, kpis.filter(pl.col("unit_code").is_null())])


GAPS_SCHEMA = pl.Schema(
    {
        "unit_code": pl.String(),
        "active_actions": pl.Int64(),
        "reported": pl.Int64(),
        "missing": pl.Int64(),
        "missing_codes": pl.String(),
    }
)


def reporting_gaps(actions: pl.DataFrame, reported: pl.DataFrame) -> pl.DataFrame:
    """Lead units with at least one active action that has no progress report yet.

    ``actions``: ``action_id, action_code, unit_code`` of the active actions; ``reported``:
    ``action_id`` of those with a report for the quarter.
    """
    marked = actions.with_columns(
        pl.col("action_id").is_in(reported["action_id"].to_list()).alias("has_report")
    )
    return (
        marked.group_by("unit_code")
        .agg(
            pl.len().cast(pl.Int64()).alias("active_actions"),
            pl.col("has_report").sum().cast(pl.Int64()).alias("reported"),
            pl.col("action_code").filter(~pl.col("has_report")).sort().alias("codes"),
        )
        .with_columns(
            (pl.col("active_actions") - pl.col("reported")).alias("missing"),
            pl.col("codes").list.join(", ").alias("missing_codes"),
        )
        .filter(pl.col("missing") > 0)
        .select(list(GAPS_SCHEMA))
        .cast(GAPS_SCHEMA)
        .sort("unit_code")
    )
