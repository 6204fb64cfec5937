"""Keep identifiers out of stored results: samples of failing rows, observed values and the Data Docs.

A check on an identifier column keeps its counts but loses its values; a failing row from an SQL check loses its
identifier columns; and any remaining value shaped like a pseudonymised key (32 lowercase hex characters, see
``scorecard/pseudonymise.py``) is replaced by a marker, wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PSEUDONYM = re.compile(r"[0-9a-f]{32}")
WITHHELD = "<identifier withheld>"
SAMPLE_SIZE = 5
# Result keys that list failing values of the checked column(s).
VALUE_LISTS = ("partial_unexpected_list", "partial_unexpected_counts", "partial_unexpected_index_list",
               "unexpected_list", "unexpected_index_list", "unexpected_index_query", "unexpected_index_column_names")


def scrub_value(value: Any) -> Any:
    """A copy of ``value`` with every pseudonym-shaped string withheld."""
    if isinstance(value, str):
        return WITHHELD if PSEUDONYM.fullmatch(value) else value
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v) for v in value]
    return value


def scrub_row(row: dict[str, Any], identifier_columns: Iterable[str]) -> dict[str, Any]:
    hidden = set(identifier_columns)
    return {k: scrub_value(v) for k, v in row.items() if k not in hidden}


def scrub_result(result: dict[str, Any], columns: set[str], identifier_columns: Iterable[str]) -> dict[str, Any]:
    """Scrub a GX expectation result dict in place (and return it).

    ``columns`` are the columns the expectation checks; if any is an identifier, its failing values are dropped.
    """
    hidden = set(identifier_columns)
    if columns & hidden:
        for key in VALUE_LISTS:
            result.pop(key, None)
    for key in VALUE_LISTS:
        if key in result:
            result[key] = scrub_value(result[key])
    if "observed_value" in result:
        result["observed_value"] = scrub_value(result["observed_value"])
    details = result.get("details")
    if isinstance(details, dict) and isinstance(details.get("unexpected_rows"), list):
        details["unexpected_rows"] = [scrub_row(dict(r), hidden) for r in details["unexpected_rows"][:SAMPLE_SIZE]]
    return result


def sample_of(result: dict[str, Any]) -> list[Any] | None:
    """Up to ``SAMPLE_SIZE`` failing values or rows from a scrubbed result, or None if it has none."""
    details = result.get("details")
    if isinstance(details, dict) and isinstance(details.get("unexpected_rows"), list):
        return details["unexpected_rows"][:SAMPLE_SIZE] or None
    values = result.get("partial_unexpected_list")
    return list(values[:SAMPLE_SIZE]) if values else None
