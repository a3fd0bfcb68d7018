"""How people read numbers and dates: ``Rp 1.234.567``, ``31 Desember 2024``."""

import datetime as dt

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
ROMAN = ("I", "II", "III", "IV")


def long_date(day: dt.date) -> str:
    """``31 Desember 2024``: how a date is written in an official letter."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def quarter_name(year: int, quarter: int) -> str:
    return f"Triwulan {ROMAN[quarter - 1]} {year}"


def rupiah(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def number(value: float | None) -> str:
    """``75`` or ``75,5``: decimals with a comma, no trailing zeros."""
    if value is None:
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".rstrip("0").replace(",", "_").replace(".", ",").replace("_", ".")
