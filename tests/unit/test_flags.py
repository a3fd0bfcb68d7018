"""The budget-flag rules of domain.md, on tiny literal frames."""

import polars as pl

from renaksi.budget.flags import (
    LINES_SCHEMA,
    TARGETS_SCHEMA,
    add_priority,
    compute_flags,
    summarise,
)


def targets(*pairs: tuple[int, int]) -> pl.DataFrame:
    return pl.DataFrame(list(pairs), schema=TARGETS_SCHEMA, orient="row")


def lines(*rows: tuple[int, int, str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=LINES_SCHEMA, orient="row")


def row_of(frame: pl.DataFrame, action_id: int, year: int = 2025) -> dict[str, object]:
    rows = frame.filter((pl.col("action_id") == action_id) & (pl.col("year") == year)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_dppa_replaces_dpa_even_when_lower() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "PAD", 100),
            (1, 2025, "DPA", "PAD", 100),
            (1, 2025, "DPPA", "PAD", 60),
        ),
    )
    row = row_of(frame, 1)
    assert row["pagu"] == 60
    assert row["gap"] == 40
    assert row["flags"] == ["KURANG_PAGU"]


def test_dppa_of_zero_cuts_the_pagu_to_nothing() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "PAD", 100),
            (1, 2025, "DPA", "PAD", 100),
            (1, 2025, "DPPA", "DAU", 0),
        ),
    )
    assert row_of(frame, 1)["flags"] == ["TANPA_PAGU"]


def test_non_apbd_never_counts_as_usulan_pagu_or_realisasi() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "NON_APBD", 100),
            (1, 2025, "DPA", "NON_APBD", 100),
            (1, 2025, "REALISASI", "NON_APBD", 90),
        ),
    )
    row = row_of(frame, 1)
    assert (row["usulan"], row["pagu"], row["realisasi"]) == (0, 0, 0)
    assert row["flags"] == ["BELUM_USULAN", "TANPA_PAGU"]


def test_usulan_of_zero_is_no_request() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines((1, 2025, "USULAN", "PAD", 0), (1, 2025, "DPA", "PAD", 50)),
    )
    assert row_of(frame, 1)["flags"] == ["BELUM_USULAN"]


def test_year_with_lines_but_no_target_is_reported_without_active_flags() -> None:
    frame = compute_flags(
        targets=targets((1, 2024)),
        lines=lines((1, 2025, "USULAN", "PAD", 80), (1, 2025, "DPA", "PAD", 30)),
    )
    row = row_of(frame, 1, 2025)
    assert row["active"] is False
    assert row["gap"] == 50
    # KURANG_PAGU needs no target: pagu above 0 but below usulan
    assert row["flags"] == ["KURANG_PAGU"]
    assert row_of(frame, 1, 2024)["flags"] == ["BELUM_USULAN", "TANPA_PAGU"]


def test_gap_is_never_negative() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines((1, 2025, "USULAN", "PAD", 50), (1, 2025, "DPA", "PAD", 80)),
    )
    row = row_of(frame, 1)
    assert row["gap"] == 0
    assert row["flags"] == []


def test_several_sources_add_up() -> None:
    frame = compute_flags(
        targets=targets((1, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "PAD", 50),
            (1, 2025, "USULAN", "DAU", 50),
            (1, 2025, "DPA", "PAD", 40),
            (1, 2025, "DPA", "DAK_NONFISIK", 60),
        ),
    )
    row = row_of(frame, 1)
    assert (row["usulan"], row["pagu"], row["flags"]) == (100, 100, [])


def test_inactive_year_without_lines_is_not_reported() -> None:
    frame = compute_flags(targets=targets((1, 2024)), lines=lines())
    assert frame.filter(pl.col("year") == 2025).height == 0


def test_priority_only_for_unfunded_or_underfunded() -> None:
    frame = compute_flags(
        targets=targets((1, 2025), (2, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "PAD", 100),
            (2, 2025, "USULAN", "PAD", 100),
            (2, 2025, "DPA", "PAD", 100),
        ),
    )
    missed = pl.DataFrame({"action_id": [1, 2], "year": [2025, 2025]})
    result = add_priority(frame, missed=missed)
    assert row_of(result, 1)["flags"] == ["PRIORITAS", "TANPA_PAGU"]
    assert row_of(result, 2)["flags"] == []


def test_summary_counts_active_and_funded_share() -> None:
    frame = compute_flags(
        targets=targets((1, 2025), (2, 2025)),
        lines=lines(
            (1, 2025, "USULAN", "PAD", 100),
            (1, 2025, "DPA", "PAD", 70),
            (3, 2025, "USULAN", "PAD", 10),
        ),
    )
    actions = pl.DataFrame(
        {"action_id": [1, 2, 3], "action_code": ["a", "b", "c"], "unit_code": ["X", "X", "X"]}
    )
    summary = summarise(frame, actions=actions).to_dicts()
    assert summary == [
        {
            "unit_code": "X",
            "year": 2025,
            "active_actions": 2,
            "usulan": 110,
            "pagu": 70,
            "realisasi": 0,
            "gap": 40,
            "flagged_actions": 2,
            "funded_actions": 1,
            "share_funded": 0.5,
        }
    ]


def test_summary_share_is_null_without_active_actions() -> None:
    frame = compute_flags(targets=targets(), lines=lines((1, 2025, "USULAN", "PAD", 10)))
    actions = pl.DataFrame({"action_id": [1], "action_code": ["a"], "unit_code": ["X"]})
    assert summarise(frame, actions=actions).to_dicts()[0]["share_funded"] is None
