"""Working days: Monday–Friday minus Indonesian national holidays, cuti bersama and local
holidays. National ones come from the ``holidays`` package (categories public + government),
named in Bahasa Indonesia.

The working days between two moments are the working days in ``[start_date, end_date)``,
dates taken in WITA: disposed Monday, answered Friday → 4; same day → 0; Saturday → Monday → 0.
"""

import functools
from collections.abc import Iterable
from datetime import date

import holidays as holidays_lib
import polars as pl

CATEGORIES = ("public", "government")
#: asked for explicitly: without it the package follows the process locale (English under C)
LANGUAGE = "id"


def national_holidays(years: Iterable[int]) -> dict[date, str]:
    """National holidays and cuti bersama for Indonesia in ``years``."""
    return dict(_national(tuple(sorted(set(years)))))


@functools.lru_cache(maxsize=64)
def _national(years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    """Cached: the package rebuilds its calendar on every call, and every KPI request and
    flags request (PRIORITAS) asks for the same few years."""
    found = holidays_lib.country_holidays(
        "ID", years=list(years), categories=CATEGORIES, language=LANGUAGE
    )
    return tuple((day, str(name)) for day, name in sorted(found.items()))


def holiday_dates(years: Iterable[int], local: Iterable[date] = ()) -> list[date]:
    return sorted(set(national_holidays(years)) | set(local))


def workdays_between(start: pl.Expr, end: pl.Expr, *, holidays: list[date]) -> pl.Expr:
    """Working days in ``[start, end)`` for date expressions; never negative."""
    count = pl.business_day_count(start, end, holidays=holidays)
    return pl.when(end >= start).then(count).otherwise(0).cast(pl.Int64)


def workday_count(start: date, end: date, *, holidays: list[date]) -> int:
    """Scalar form of :func:`workdays_between` (for tests, messages, the CLI)."""
    frame = pl.DataFrame({"s": [start], "e": [end]})
    value = frame.select(workdays_between(pl.col("s"), pl.col("e"), holidays=holidays))
    return int(value.item())
