"""Parsers that turn every printed form of a scorecard target, value or benchmark into typed data."""

from scorecard.parsing.targets import Basis, Comparator, Target, TargetParseError, TargetUnit, parse_target
from scorecard.parsing.values import ParsedValue, ValueParseError, ValueStatus, ValueUnit, parse_value

__all__ = [
    "Basis",
    "Comparator",
    "ParsedValue",
    "Target",
    "TargetParseError",
    "TargetUnit",
    "ValueParseError",
    "ValueStatus",
    "ValueUnit",
    "parse_target",
    "parse_value",
]
