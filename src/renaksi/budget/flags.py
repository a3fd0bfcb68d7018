"""Budget flags and summaries as pure functions over polars frames (no I/O).

The rules (domain.md):

* pagu of an action-year = sum of its ``DPPA`` lines when any exists, else sum of ``DPA``;
* ``NON_APBD`` (donor help) never counts as usulan, pagu or realisasi;
* an action is *active* in a year when it has a target that year;
* ``TANPA_PAGU``: active and pagu = 0; ``KURANG_PAGU``: 0 < pagu < usulan;
  ``BELUM_USULAN``: active and usulan = 0; gap = max(usulan − pagu, 0);
* flags are computed for every action-year that is active or has budget lines.
"""

import polars as pl

from renaksi.codes import Flag, Source, Stage

TARGETS_SCHEMA = {"action_id": pl.Int64, "year": pl.Int64}
LINES_SCHEMA = {
    "action_id": pl.Int64,
    "year": pl.Int64,
    "stage": pl.String,
    "source": pl.String,
    "amount": pl.Int64,
}
ACTIONS_SCHEMA = {"action_id": pl.Int64, "action_code": pl.String, "unit_code": pl.String}

FLAGS_SCHEMA = {
    "action_id": pl.Int64,
    "year": pl.Int64,
    "active": pl.Boolean,
    "usulan": pl.Int64,
    "pagu": pl.Int64,
    "realisasi": pl.Int64,
    "gap": pl.Int64,
    "flags": pl.List(pl.String),
}


def budget_totals(lines: pl.DataFrame) -> pl.DataFrame:
    """usulan, pagu (DPPA replacing DPA) and realisasi per action-year with lines, counting
    APBD lines only (an action-year with ``NON_APBD`` lines alone has zeros)."""
    apbd = pl.col("source") != Source.NON_APBD.value

    def total(stage: Stage) -> pl.Expr:
        return pl.col("amount").filter(apbd & (pl.col("stage") == stage.value)).sum()

    return (
        lines.group_by("action_id", "year")
        .agg(
            total(Stage.USULAN).alias("usulan"),
            total(Stage.DPA).alias("dpa"),
            total(Stage.DPPA).alias("dppa"),
            (apbd & (pl.col("stage") == Stage.DPPA.value)).any().alias("has_dppa"),
            total(Stage.REALISASI).alias("realisasi"),
        )
        .with_columns(
            pl.when(pl.col("has_dppa")).then(pl.col("dppa")).otherwise(pl.col("dpa")).alias("pagu")
        )
        .select("action_id", "year", "usulan", "pagu", "realisasi")
    )


def compute_flags(
    *, targets: pl.DataFrame, lines: pl.DataFrame, year: int | None = None
) -> pl.DataFrame:
    """One row per action-year that is active or has budget lines, with amounts and flags.

    ``targets`` has ``action_id, year`` (one row per year with a target); ``lines`` has
    ``action_id, year, stage, source, amount``. ``year`` restricts the result to one year.
    ``flags`` is a sorted list of flag codes, empty when none apply.
    """
    if year is not None:
        targets = targets.filter(pl.col("year") == year)
        lines = lines.filter(pl.col("year") == year)
    active = targets.select("action_id", "year").unique().with_columns(pl.lit(True).alias("active"))
    # one full join makes the action-years that are active or have lines (a polars unique()
    # holds ~270 bytes a row while it works: three of them were most of this function's memory)
    frame = (
        active.join(budget_totals(lines), on=["action_id", "year"], how="full", coalesce=True)
        .with_columns(
            pl.col("active").fill_null(False),
            *(pl.col(c).fill_null(0).cast(pl.Int64) for c in ("usulan", "pagu", "realisasi")),
        )
        .with_columns((pl.col("usulan") - pl.col("pagu")).clip(lower_bound=0).alias("gap"))
    )
    tanpa = pl.col("active") & (pl.col("pagu") <= 0)
    kurang = (pl.col("pagu") > 0) & (pl.col("pagu") < pl.col("usulan"))
    belum = pl.col("active") & (pl.col("usulan") <= 0)
    # concat_list keeps alphabetical order: BELUM_USULAN < KURANG_PAGU < TANPA_PAGU
    flags = pl.concat_list(
        pl.when(belum)
        .then(pl.lit([Flag.BELUM_USULAN.value]))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(kurang)
        .then(pl.lit([Flag.KURANG_PAGU.value]))
        .otherwise(pl.lit([], pl.List(pl.String))),
        pl.when(tanpa)
        .then(pl.lit([Flag.TANPA_PAGU.value]))
        .otherwise(pl.lit([], pl.List(pl.String))),
    )
    return (
        frame.with_columns(flags.alias("flags"))
        .select(list(FLAGS_SCHEMA))
        .cast(FLAGS_SCHEMA)  # type: ignore[arg-type]
        .sort("year", "action_id")
    )


def add_priority(flags: pl.DataFrame, *, missed: pl.DataFrame) -> pl.DataFrame:
    """Add ``PRIORITAS`` to unfunded/underfunded action-years listed in ``missed``.

    ``missed`` has ``action_id, year``: action-years whose linked KPI is worse than its target.
    """
    hit = missed.select("action_id", "year").unique().with_columns(pl.lit(True).alias("_missed"))
    at_risk = pl.col("flags").list.contains(Flag.TANPA_PAGU.value) | pl.col("flags").list.contains(
        Flag.KURANG_PAGU.value
    )
    return (
        flags.join(hit, on=["action_id", "year"], how="left")
        .with_columns(
            pl.when(at_risk & pl.col("_missed").fill_null(False))
            .then(pl.col("flags").list.concat(pl.lit([Flag.PRIORITAS.value])).list.sort())
            .otherwise(pl.col("flags"))
            .alias("flags")
        )
        .drop("_missed")
    )


SUMMARY_SCHEMA = {
    "unit_code": pl.String,
    "year": pl.Int64,
    "active_actions": pl.Int64,
    "usulan": pl.Int64,
    "pagu": pl.Int64,
    "realisasi": pl.Int64,
    "gap": pl.Int64,
    "flagged_actions": pl.Int64,
    "funded_actions": pl.Int64,
    "share_funded": pl.Float64,
}


def summarise(flags: pl.DataFrame, *, actions: pl.DataFrame) -> pl.DataFrame:
    """Per lead unit and year: active actions, money, gap, flagged and funded actions.

    ``share_funded`` = active actions with pagu > 0 / active actions (null with none active).
    """
    joined = flags.join(actions.select("action_id", "unit_code"), on="action_id", how="inner")
    return (
        joined.group_by("unit_code", "year")
        .agg(
            pl.col("active").sum().cast(pl.Int64).alias("active_actions"),
            pl.col("usulan").sum(),
            pl.col("pagu").sum(),
            pl.col("realisasi").sum(),
            pl.col("gap").sum(),
            (pl.col("flags").list.len() > 0).sum().cast(pl.Int64).alias("flagged_actions"),
            (pl.col("active") & (pl.col("pagu") > 0)).sum().cast(pl.Int64).alias("funded_actions"),
        )
        .with_columns(
            pl.when(pl.col("active_actions") > 0)
            .then(pl.col("funded_actions") / pl.col("active_actions"))
            .otherwise(None)
            .alias("share_funded")
        )
        .select(list(SUMMARY_SCHEMA))
        .cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]
        .sort("year", "unit_code")
    )
