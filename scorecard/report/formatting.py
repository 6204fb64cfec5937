"""How a number is printed on the scorecard: '83%', '10,681', '116.7'; and what an empty cell says instead."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# What a cell without a figure says, by value_status (docs/CONVENTIONS.md). 'missing' says nothing.
STATUS_TEXT = {
    "suppressed": "suppressed",
    "not_released": "not yet released",
    "presented_annually": "presented annually",
}
QUALIFIED = ("indicative", "provisional")


def format_number(value: Decimal | float | int, unit: str, decimals: int) -> str:
    """``value`` in the measure's unit (percentages 0-100), rounded half up to ``decimals`` places."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    places = max(0, int(decimals))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0%"
    text = f"{rounded:,.{places}f}"
    return f"{text}%" if unit == "percent" else text


def cell_text(value: Decimal | None, unit: str, decimals: int, status: str | None = None,
              value_text: str | None = None) -> str:
    """The text of a value cell. A return's printed text wins, so a paper's figures read as it printed them."""
    if value_text and value_text.strip():
        return " ".join(value_text.split())
    if value is None:
        return STATUS_TEXT.get(status or "", "")
    text = format_number(value, unit, decimals)
    return f"{text} ({status})" if status in QUALIFIED else text


def benchmark_decimals(value: Decimal, decimals: int) -> int:
    """Benchmarks are published to one decimal place ('22.1%', '38.8'); whole numbers print without one."""
    return 0 if value == value.to_integral_value() else max(decimals, 1)


def excel_format(unit: str, decimals: int) -> str:
    """The number format of a value cell in the spreadsheet (percentages are written as fractions)."""
    places = "." + "0" * decimals if decimals > 0 else ""
    if unit == "percent":
        return f"0{places}%"
    return f"#,##0{places}"
