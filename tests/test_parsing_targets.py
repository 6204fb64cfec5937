"""Every printed form of a target parses to the right typed Target; anything else is rejected with a clear reason."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from scorecard.parsing import Basis, Comparator, Target, TargetParseError, TargetUnit, parse_target

D = Decimal
PCT, NUM = TargetUnit.PERCENT, TargetUnit.NUMBER


@pytest.mark.parametrize(
    ("text", "comparator", "lower", "upper", "unit"),
    [
        # every form the reference README lists
        ("85%", Comparator.POINT, D("85"), D("85"), PCT),
        ("<20%", Comparator.LT, None, D("20"), PCT),
        (">50%", Comparator.GT, D("50"), None, PCT),
        ("<20", Comparator.LT, None, D("20"), NUM),
        ("215", Comparator.POINT, D("215"), D("215"), NUM),
        ("260-300", Comparator.RANGE, D("260"), D("300"), NUM),
        ("53.1 - 59.7", Comparator.RANGE, D("53.1"), D("59.7"), NUM),
        ("97%-99%", Comparator.RANGE, D("97"), D("99"), PCT),
        # the other forms the two reference scorecards print
        ("<18%", Comparator.LT, None, D("18"), PCT),
        ("0%", Comparator.POINT, D("0"), D("0"), PCT),
        ("100%", Comparator.POINT, D("100"), D("100"), PCT),
        ("35-40", Comparator.RANGE, D("35"), D("40"), NUM),
        ("1700-2000", Comparator.RANGE, D("1700"), D("2000"), NUM),
        ("19", Comparator.POINT, D("19"), D("19"), NUM),
        # inclusive comparators, thousands separators, decimals, a one-point band
        ("<=20", Comparator.LE, None, D("20"), NUM),
        (">=50%", Comparator.GE, D("50"), None, PCT),
        ("\u226450%", Comparator.LE, None, D("50"), PCT),
        ("\u226550%", Comparator.GE, D("50"), None, PCT),
        ("1,900", Comparator.POINT, D("1900"), D("1900"), NUM),
        ("12,345.5", Comparator.POINT, D("12345.5"), D("12345.5"), NUM),
        ("2.5%", Comparator.POINT, D("2.5"), D("2.5"), PCT),
        ("97-99%", Comparator.RANGE, D("97"), D("99"), PCT),
        ("40-40", Comparator.RANGE, D("40"), D("40"), NUM),
    ],
)
def test_plain_forms(text: str, comparator: Comparator, lower: Decimal | None, upper: Decimal | None, unit: TargetUnit):
    target = parse_target(text)
    assert target == Target(comparator, lower, upper, unit, original=text)
    assert target.basis is Basis.PERIOD and target.due_date is None and target.per is None


@pytest.mark.parametrize("text", ["", "   ", "N/A", "n/a", " N/A ", "NA", "\u00a0", None])
def test_no_target(text: str | None):
    assert parse_target(text) is None


@pytest.mark.parametrize(
    ("text", "basis", "per", "value"),
    [
        ("100 per qtr", Basis.PER_PERIOD, "quarter", D("100")),
        ("100 per quarter", Basis.PER_PERIOD, "quarter", D("100")),
        ("20 per month", Basis.PER_PERIOD, "month", D("20")),
        ("5 Per Term", Basis.PER_PERIOD, "term", D("5")),
        ("1900 (accumulative target)", Basis.CUMULATIVE, None, D("1900")),
        ("1900 (cumulative target)", Basis.CUMULATIVE, None, D("1900")),
        ("1,900 (Accumulative Target)", Basis.CUMULATIVE, None, D("1900")),
        ("1900(accumulative target)", Basis.CUMULATIVE, None, D("1900")),
    ],
)
def test_basis(text: str, basis: Basis, per: str | None, value: Decimal):
    target = parse_target(text)
    assert target is not None
    assert (target.basis, target.per, target.value, target.comparator) == (basis, per, value, Comparator.POINT)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("0 by end of March 2018", date(2018, 3, 31)),
        ("0 by the end of march 2018", date(2018, 3, 31)),
        ("0 by March 2018", date(2018, 3, 31)),
        ("0 by end of Feb 2020", date(2020, 2, 29)),  # leap year
        ("0 by end of Feb 2019", date(2019, 2, 28)),
        ("<5% by end of Sept 2019", date(2019, 9, 30)),
    ],
)
def test_dated_target(text: str, due: date):
    target = parse_target(text)
    assert target is not None
    assert target.due_date == due
    assert target.basis is Basis.PERIOD


def test_dated_target_keeps_its_bound():
    target = parse_target("0 by end of March 2018")
    assert target == Target(
        Comparator.POINT, D("0"), D("0"), NUM, original="0 by end of March 2018", due_date=date(2018, 3, 31)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  85%  ", (Comparator.POINT, D("85"), D("85"))),
        ("85%\u00a0", (Comparator.POINT, D("85"), D("85"))),
        ("< 20%", (Comparator.LT, None, D("20"))),
        ("260 - 300", (Comparator.RANGE, D("260"), D("300"))),
        ("260\u2013300", (Comparator.RANGE, D("260"), D("300"))),  # en dash
        ("260\u2014300", (Comparator.RANGE, D("260"), D("300"))),  # em dash
        ("260\u2212300", (Comparator.RANGE, D("260"), D("300"))),  # minus sign
        ("260\u2011300", (Comparator.RANGE, D("260"), D("300"))),  # non-breaking hyphen
        ("53.1\u00a0\u2013\u00a059.7", (Comparator.RANGE, D("53.1"), D("59.7"))),
        ("97%\u201399%", (Comparator.RANGE, D("97"), D("99"))),
        ("100  per\tqtr", (Comparator.POINT, D("100"), D("100"))),
        ("\ufeff215", (Comparator.POINT, D("215"), D("215"))),
    ],
)
def test_whitespace_and_dash_variants(text: str, expected: tuple[Comparator, Decimal | None, Decimal | None]):
    target = parse_target(text)
    assert target is not None
    assert (target.comparator, target.lower, target.upper) == expected
    assert target.original == text  # the text is kept exactly as printed


@pytest.mark.parametrize(
    "text",
    [
        "85 %",  # a space before the % sign is not a printed form
        "85%%",
        "%85",
        "about 85",
        "c. 85%",
        "85% approx",
        "20-",
        "-20",
        "-",
        "abc",
        "1,2,3",
        "10,68",
        ".5",
        "5.",
        "<20-30",
        "<<20",
        "=85%",
        "85% or above",
        "300-260",  # lower bound above the upper
        "97%-99",  # % sign on the lower bound only
        "100 per fortnight",
        "1900 (target)",
        "0 by end of Smarch 2018",
        "0 by end of March 18",
        "260-300-400",
        "TBC",
        "N/A%",
    ],
)
def test_rejects(text: str):
    with pytest.raises(TargetParseError) as caught:
        parse_target(text)
    message = str(caught.value)
    assert repr(text) in message  # quotes the text
    assert "'85%'" in message and "'260-300'" in message and "'0 by end of March 2018'" in message  # lists the forms


def test_error_is_a_value_error():
    assert issubclass(TargetParseError, ValueError)


def test_target_is_frozen():
    target = parse_target("85%")
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.lower = D("1")  # type: ignore[misc]


def test_value_of_a_range_is_refused():
    target = parse_target("260-300")
    assert target is not None
    with pytest.raises(ValueError, match="range"):
        _ = target.value


@pytest.mark.parametrize(("text", "value"), [("<20%", D("20")), (">50%", D("50")), ("215", D("215"))])
def test_value_of_a_bound(text: str, value: Decimal):
    target = parse_target(text)
    assert target is not None and target.value == value
