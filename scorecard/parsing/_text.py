"""Text clean-up and number grammar shared by the target and value parsers.

Scorecards arrive as committee papers: copied out of Word and Excel, with non-breaking spaces, typographic dashes
and thousands separators. Both parsers first normalise the text the same way, then match it against an explicit
grammar, so a form nobody has seen is rejected rather than guessed at.
"""

from __future__ import annotations

import re
from decimal import Decimal

# Every character a word processor puts where a plain hyphen-minus was meant.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TABLE = str.maketrans({dash: "-" for dash in _DASHES})
# Spaces that are not ASCII space (no-break, figure, narrow no-break, thin, ideographic, ...) and invisible marks.
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\r\n\f\v]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_RUNS_OF_SPACE = re.compile(r" {2,}")

# An unsigned decimal number: digits with optional, correctly grouped thousands separators, optional fraction.
# "10,681" and "1900" match; "1,2,3", "10,68" and ".5" do not.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def normalise(text: str) -> str:
    """Trim, turn every space-like character into one space and every dash-like character into '-'."""
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = text.translate(_DASH_TABLE)
    return _RUNS_OF_SPACE.sub(" ", text).strip()


def to_decimal(number: str) -> Decimal:
    """A string that matched NUMBER, as an exact Decimal (thousands separators removed)."""
    return Decimal(number.replace(",", ""))
