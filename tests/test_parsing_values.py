"""Every printed form of a value or benchmark parses to the right ParsedValue; anything else is rejected."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from scorecard.parsing import ParsedValue, ValueParseError, ValueStatus, ValueUnit, parse_value

D = Decimal
PCT, NUM = ValueUnit.PERCENT, ValueUnit.NUMBER
R = ValueStatus.REPORTED


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("10,681", D("10681"), NUM),
        ("116.7", D("116.7"), NUM),
        ("1.65%", D("1.65"), PCT),
        ("0%", D("0"), PCT),
        ("100%", D("100"), PCT),
        ("99.0%", D("99.0"), PCT),
        ("2809", D("2809"), NUM),
        ("0", D("0"), NUM),
        ("1,462", D("1462"), NUM),
        ("1,234,567.25", D("1234567.25"), NUM),
        # benchmarks: a % sign, a rate per 10,000, percentages without the sign, England totals
        ("22.1%", D("22.1"), PCT),
        ("38.8", D("38.8"), NUM),
        ("7.6", D("7.6"), NUM),
        ("43.4", D("43.4"), NUM),
        ("239240", D("239240"), NUM),
        # a negative figure (a change or a difference) keeps its sign; any dash counts as the minus
        ("-3", D("-3"), NUM),
        ("\u22122.5%", D("-2.5"), PCT),
        # whitespace variants
        ("  10,681 ", D("10681"), NUM),
        ("1.65%\u00a0", D("1.65"), PCT),
    ],
)
def test_plain_numbers(text: str, value: Decimal, unit: ValueUnit):
    assert parse_value(text) == ParsedValue(text, ValueStatus.REPORTED, value, unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("83% (indicative)", dict(status=ValueStatus.INDICATIVE, value=D("83"), unit=PCT, qualifier="indicative")),
        ("83% (Indicative)", dict(status=ValueStatus.INDICATIVE, value=D("83"), unit=PCT, qualifier="Indicative")),
        ("412 (provisional)", dict(status=ValueStatus.PROVISIONAL, value=D("412"), unit=NUM, qualifier="provisional")),
        ("57% (63%)", dict(status=ValueStatus.REPORTED, value=D("57"), unit=PCT, qualifier="63%", alternative=D("63"))),
        ("57%(63%)", dict(status=ValueStatus.REPORTED, value=D("57"), unit=PCT, qualifier="63%", alternative=D("63"))),
        ("12 (14)", dict(status=ValueStatus.REPORTED, value=D("12"), unit=NUM, qualifier="14", alternative=D("14"))),
        (
            "41% (Jan 17 SEN return)",
            dict(status=ValueStatus.REPORTED, value=D("41"), unit=PCT, qualifier="Jan 17 SEN return"),
        ),
        ("93% (July fig)", dict(status=ValueStatus.REPORTED, value=D("93"), unit=PCT, qualifier="July fig")),
        ("88% (2016/17)", dict(status=ValueStatus.REPORTED, value=D("88"), unit=PCT, qualifier="2016/17")),
        ("15 (May 2018)", dict(status=ValueStatus.REPORTED, value=D("15"), unit=NUM, qualifier="May 2018")),
        (
            "345 (1200 cumulative)",
            dict(status=R, value=D("345"), unit=NUM, qualifier="1200 cumulative", cumulative=D("1200")),
        ),
        (
            "182 (1,382 accumulative)",
            dict(status=R, value=D("182"), unit=NUM, qualifier="1,382 accumulative", cumulative=D("1382")),
        ),
        (
            "182 (cumulative 1382)",
            dict(status=R, value=D("182"), unit=NUM, qualifier="cumulative 1382", cumulative=D("1382")),
        ),
        ("97%-99%", dict(status=ValueStatus.BAND, unit=PCT, lower=D("97"), upper=D("99"))),
        ("97% - 99%", dict(status=ValueStatus.BAND, unit=PCT, lower=D("97"), upper=D("99"))),
        ("97%\u201399%", dict(status=ValueStatus.BAND, unit=PCT, lower=D("97"), upper=D("99"))),
        ("97-99%", dict(status=ValueStatus.BAND, unit=PCT, lower=D("97"), upper=D("99"))),
        ("5-10", dict(status=ValueStatus.BAND, unit=NUM, lower=D("5"), upper=D("10"))),
    ],
)
def test_annotated_forms(text: str, expected: dict[str, object]):
    assert parse_value(text) == ParsedValue(text, **expected)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("supressed", ValueStatus.SUPPRESSED),  # sic, as printed
        ("suppressed", ValueStatus.SUPPRESSED),
        ("Supressed", ValueStatus.SUPPRESSED),
        (" SUPPRESSED ", ValueStatus.SUPPRESSED),
        ("c", ValueStatus.SUPPRESSED),
        ("x", ValueStatus.SUPPRESSED),
        ("data not yet released", ValueStatus.NOT_RELEASED),
        ("Data not yet released", ValueStatus.NOT_RELEASED),
        ("..", ValueStatus.NOT_RELEASED),
        ("This data will be presented annually. See comments for quarterly updates", ValueStatus.PRESENTED_ANNUALLY),
        ("This data will be presented annually. See comments for quarterly updates.", ValueStatus.PRESENTED_ANNUALLY),
        ("This data will be presented annually.\nSee comments  for quarterly updates", ValueStatus.PRESENTED_ANNUALLY),
        ("This data will be presented annually", ValueStatus.PRESENTED_ANNUALLY),
        # a target printed in a value column (2017-18 ref 10.4, year end 2016-17): never read as the figure 0
        ("0 by end of March 2018", ValueStatus.TARGET_TEXT),
        ("1900 (accumulative target)", ValueStatus.TARGET_TEXT),
        ("-", ValueStatus.NOT_APPLICABLE),
        ("\u2013", ValueStatus.NOT_APPLICABLE),
        ("z", ValueStatus.NOT_APPLICABLE),
        ("n/a", ValueStatus.NOT_APPLICABLE),
        ("", ValueStatus.MISSING),
        ("   ", ValueStatus.MISSING),
        ("\u00a0", ValueStatus.MISSING),
    ],
)
def test_statuses_without_a_number(text: str, status: ValueStatus):
    parsed = parse_value(text)
    assert parsed.status is status
    assert parsed.value is None and parsed.unit is None and not parsed.has_number
    assert parsed.original == text


def test_none_is_missing():
    assert parse_value(None) == ParsedValue("", ValueStatus.MISSING)


@pytest.mark.parametrize(
    "text",
    [
        "85 %",
        "85%%",
        "%85",
        "about 85",
        "85 approx",
        "20-",
        "- 5",
        "abc",
        "1,2,3",
        "10,68",
        ".5",
        "57% (63)",  # the bracketed figure must carry the same unit
        "57 (63%)",
        "57% (63% of 12)",
        "83% (see note)",  # not a recognised qualifier
        "5 (may be revised)",  # 'may' is a month only before a year
        "5 ()",
        "5 (indicative) (provisional)",
        "45% (1200 cumulative)",  # a cumulative total of a percentage
        "99%-97%",  # band upside down
        "97%-99",  # % on the lower bound only
        "supressed 3",
        "not released yet",
        "This data will be presented monthly",
        "---",
        "100 per qtr",  # a per-period target is not a value form and does not say 'target'
        "<20%",
        "\U0001f60a",  # the 2019-20 RAG emoji is not a value
    ],
)
def test_rejects(text: str):
    with pytest.raises(ValueParseError) as caught:
        parse_value(text)
    assert repr(text) in str(caught.value)


def test_error_is_a_value_error():
    assert issubclass(ValueParseError, ValueError)


def test_statuses_are_an_enum_with_stable_names():
    assert {status.value for status in ValueStatus} == {
        "reported",
        "indicative",
        "provisional",
        "band",
        "suppressed",
        "not_released",
        "presented_annually",
        "not_applicable",
        "target_text",
        "missing",
    }


def test_parsed_value_is_frozen():
    parsed = parse_value("10")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.value = D("11")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "measure_unit", "expected"),
    [
        ("7.6", "percent", D("7.6")),  # benchmark percentage without the sign: the measure decides
        ("7.6%", "percent", D("7.6")),
        ("38.8", "rate_per_10000", D("38.8")),
        ("380", "days", D("380")),
        ("supressed", "count", None),
    ],
)
def test_number_for_measure_unit(text: str, measure_unit: str, expected: Decimal | None):
    assert parse_value(text).number_for(measure_unit) == expected


def test_percent_sign_on_a_count_measure_is_unit_drift():
    with pytest.raises(ValueParseError, match="printed as a percentage"):
        parse_value("1.1%").number_for("count")
