"""Working days and complaint KPIs (domain.md), on tiny literal frames."""

from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest

from renaksi.lapor.calendar import holiday_dates, national_holidays, workday_count
from renaksi.lapor.kpi import (
    COMPLAINTS_SCHEMA,
    Period,
    Sla,
    compute_kpis,
    latest_complete_quarter,
    missed_targets,
    quality_warnings,
)

WITA = timezone(timedelta(hours=8))
HOLIDAYS = holiday_dates(range(2023, 2026))


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA).astimezone(UTC)


def test_idul_fitri_2024_holidays_and_cuti_bersama_are_known() -> None:
    april = {d for d in national_holidays([2024]) if d.month == 4}
    assert {date(2024, 4, d) for d in (8, 9, 10, 11, 12, 15)} <= april


def test_national_holidays_are_named_in_indonesian() -> None:
    names = national_holidays([2024])
    assert names[date(2024, 4, 10)] == "Hari Raya Idul Fitri"
    assert names[date(2024, 4, 8)] == "Cuti Bersama Hari Raya Idul Fitri"  # government category
    assert names[date(2024, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 3, 4), date(2024, 3, 8), 4),  # disposed Monday, answered Friday
        (date(2024, 3, 4), date(2024, 3, 4), 0),  # answered the same day
        (date(2024, 3, 9), date(2024, 3, 11), 0),  # disposed Saturday, answered Monday
        (date(2024, 4, 5), date(2024, 4, 16), 1),  # Idul Fitri: 8–12 and 15 April are off
        (date(2024, 4, 1), date(2024, 4, 19), 8),  # Mon 1 … Fri 19 April 2024
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert workday_count(start, end, holidays=HOLIDAYS) == expected


def test_local_holidays_count_too() -> None:
    base = workday_count(date(2024, 3, 4), date(2024, 3, 8), holidays=HOLIDAYS)
    local = holiday_dates([2024], local=[date(2024, 3, 6)])
    assert workday_count(date(2024, 3, 4), date(2024, 3, 8), holidays=local) == base - 1


def complaints(*rows: tuple[object, ...]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=COMPLAINTS_SCHEMA, orient="row")


def kpis(
    frame: pl.DataFrame,
    *,
    as_of: date,
    period: Period = Period(2024, 2),
    units: tuple[str, ...] = ("X", "Y"),
) -> dict[str | None, dict[str, object]]:
    result = compute_kpis(
        frame, units=list(units), period=period, as_of=as_of, sla=Sla(), holidays=HOLIDAYS
    )
    return {r["unit_code"]: r for r in result.to_dicts()}


def test_overdue_unanswered_counts_as_late_and_pending_counts_in_neither() -> None:
    frame = complaints(
        # answered in 2 working days: on time
        ("1", "X", "PROSES", wita(2024, 6, 3, 9), wita(2024, 6, 3, 10), wita(2024, 6, 5, 9), None),
        # disposed 3 June, never answered, as-of 28 June: long overdue → late
        ("2", "X", "TERDISPOSISI", wita(2024, 6, 3, 9), wita(2024, 6, 3, 10), None, None),
        # disposed 26 June, not answered yet but still inside 5 working days → neither
        ("3", "X", "TERDISPOSISI", wita(2024, 6, 26, 9), wita(2024, 6, 26, 10), None, None),
    )
    row = kpis(frame, as_of=date(2024, 6, 28))["X"]
    assert row["received"] == 3
    assert (row["response_on_time"], row["response_late"]) == (1, 1)
    assert row["pct_response_on_time"] == 50.0
    assert row["pct_followed_up"] == pytest.approx(100 / 3)
    assert row["median_response_workdays"] == 2.0


def test_answered_after_five_working_days_is_late() -> None:
    frame = complaints(
        ("1", "X", "PROSES", wita(2024, 4, 1, 9), wita(2024, 4, 5, 9), wita(2024, 4, 23, 9), None),
    )
    row = kpis(frame, as_of=date(2024, 6, 30))["X"]
    # 5 April → 23 April: 5, 16, 17, 18, 19, 22 = 6 working days
    assert row["median_response_workdays"] == 6.0
    assert (row["response_on_time"], row["response_late"]) == (0, 1)


def test_as_of_hides_later_events_and_later_complaints() -> None:
    frame = complaints(
        (
            "1",
            "X",
            "SELESAI",
            wita(2024, 4, 1, 9),
            wita(2024, 4, 1, 9),
            wita(2024, 4, 3, 9),
            wita(2024, 4, 20, 9),
        ),
        ("2", "X", "PROSES", wita(2024, 4, 10, 9), None, None, None),
    )
    early = kpis(frame, as_of=date(2024, 4, 2))["X"]
    # only complaint 1 existed; its follow-up (3 April) had not happened yet
    assert early["received"] == 1
    assert early["followed_up"] == 0
    assert early["resolved"] == 0
    later = kpis(frame, as_of=date(2024, 4, 30))["X"]
    assert later["received"] == 2
    assert later["resolved"] == 1
    assert kpis(frame, as_of=date(2024, 4, 30))["X"] == later  # same data, same as-of, same numbers


def test_empty_sets_give_null_not_zero() -> None:
    result = kpis(complaints(), as_of=date(2024, 6, 30))
    for unit in ("X", "Y", None):
        row = result[unit]
        assert row["received"] == 0
        for key in (
            "pct_followed_up",
            "pct_resolved",
            "pct_response_on_time",
            "median_response_workdays",
            "pct_resolved_within_60d",
        ):
            assert row[key] is None


def test_archived_and_not_our_authority_are_excluded() -> None:
    frame = complaints(
        ("1", "X", "ARSIP", wita(2024, 4, 1, 9), None, None, None),
        ("2", "X", "BUKAN_WEWENANG", wita(2024, 4, 1, 9), None, None, None),
    )
    assert kpis(frame, as_of=date(2024, 6, 30))["X"]["received"] == 0


def test_clock_starts_at_submission_without_disposition() -> None:
    frame = complaints(
        ("1", "X", "PROSES", wita(2024, 6, 3, 9), None, wita(2024, 6, 7, 9), None),
    )
    assert kpis(frame, as_of=date(2024, 6, 30))["X"]["median_response_workdays"] == 4.0


def test_resolved_within_60_days_and_overdue() -> None:
    frame = complaints(
        ("1", "X", "SELESAI", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), wita(2024, 5, 1, 9)),
        ("2", "X", "SELESAI", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), wita(2024, 6, 15, 9)),
        ("3", "X", "PROSES", wita(2024, 4, 2, 9), None, wita(2024, 4, 3, 9), None),  # overdue
        ("4", "X", "PROSES", wita(2024, 6, 20, 9), None, wita(2024, 6, 21, 9), None),  # not yet
    )
    row = kpis(frame, as_of=date(2024, 6, 30))["X"]
    assert row["resolved"] == 2
    assert row["pct_resolved_within_60d"] == pytest.approx(100 / 3)


def test_status_without_times_is_a_warning_and_counts_in_neither_side() -> None:
    frame = complaints(
        ("1", "X", "PROSES", wita(2024, 4, 1, 9), None, None, None),
        ("2", "X", "SELESAI", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), None),
        ("3", "X", "PROSES", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), None),
    )
    row = kpis(frame, as_of=date(2024, 6, 30))["X"]
    assert row["received"] == 3
    assert row["pct_followed_up"] == 100.0  # complaint 1 cannot be placed
    assert row["pct_resolved"] == 0.0  # complaint 2 cannot be placed
    warnings = quality_warnings(
        frame, period=Period(2024, 2), as_of=date(2024, 6, 30), sla=Sla(), holidays=HOLIDAYS
    )
    assert sorted(warnings["tracking_id"].to_list()) == ["1", "2"]


def test_total_row_covers_matched_complaints_only() -> None:
    frame = complaints(
        ("1", "X", "PROSES", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), None),
        ("2", "Y", "PROSES", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), None),
        ("3", None, "PROSES", wita(2024, 4, 1, 9), None, wita(2024, 4, 2, 9), None),
    )
    assert kpis(frame, as_of=date(2024, 6, 30))[None]["received"] == 2


def test_latest_complete_quarter() -> None:
    assert latest_complete_quarter(date(2024, 5, 10)) == Period(2024, 1)
    assert latest_complete_quarter(date(2024, 6, 30)) == Period(2024, 2)
    assert latest_complete_quarter(date(2024, 2, 1)) == Period(2023, 4)


def test_missed_targets_is_direction_aware() -> None:
    result = kpis(
        complaints(
            ("1", "X", "PROSES", wita(2024, 6, 3, 9), None, wita(2024, 6, 12, 9), None),
        ),
        as_of=date(2024, 6, 30),
    )
    frame = pl.DataFrame([r for r in result.values()])
    links = pl.DataFrame(
        {
            "action_id": [1, 2, 3, 4],
            "year": [2024] * 4,
            "kpi": [
                "pct_response_on_time",
                "median_response_workdays",
                "median_response_workdays",
                "pct_followed_up",
            ],
            "unit_code": ["X", "X", "X", "Y"],
            "target": [80.0, 5.0, 8.0, 90.0],
        }
    )
    missed = missed_targets(frame, links)
    # 0% on time < 80 → missed; median 7 > 5 → missed; 7 ≤ 8 → fine; Y has no data → nothing
    assert sorted(missed["action_id"].to_list()) == [1, 2]


def test_follow_up_before_disposition_is_a_warning_counted_as_zero_days() -> None:
    frame = complaints(
        ("1", "X", "PROSES", wita(2024, 4, 1, 9), wita(2024, 4, 3, 9), wita(2024, 4, 2, 9), None),
        # SELESAI without completion time, and answered before disposition: both problems
        ("2", "X", "SELESAI", wita(2024, 4, 1, 9), wita(2024, 4, 3, 9), wita(2024, 4, 2, 9), None),
        ("3", "X", "PROSES", wita(2024, 4, 1, 9), wita(2024, 4, 2, 9), wita(2024, 4, 3, 9), None),
    )
    row = kpis(frame, as_of=date(2024, 6, 30))["X"]
    assert (row["response_on_time"], row["response_late"]) == (3, 0)
    assert row["median_response_workdays"] == 0.0
    warnings = quality_warnings(
        frame, period=Period(2024, 2), as_of=date(2024, 6, 30), sla=Sla(), holidays=HOLIDAYS
    )
    assert warnings.select("tracking_id", "message").rows() == [
        ("1", "tanggal tindak lanjut sebelum tanggal disposisi (dihitung 0 hari kerja)"),
        (
            "2",
            "status selesai tetapi tanpa tanggal selesai; tanggal tindak lanjut sebelum "
            "tanggal disposisi (dihitung 0 hari kerja)",
        ),
    ]
    # as of 2 April the disposition has not happened yet: nothing to compare
    early = quality_warnings(
        frame, period=Period(2024, 2), as_of=date(2024, 4, 2), sla=Sla(), holidays=HOLIDAYS
    )
    assert early.select("tracking_id", "message").rows() == [
        ("2", "status selesai tetapi tanpa tanggal selesai")
    ]
