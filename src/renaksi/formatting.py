"""How people read numbers: ``Rp 1.234.567`` (Indonesian thousands separator)."""


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
