"""Identifiers that look like a case-management system's: person numbers, UPNs, contact and worker numbers.

Every identifier is drawn at random (never derived from a birth date, a row number or another identifier), so a raw
id in a generated file says nothing about the child it stands for.
"""

from __future__ import annotations

import random
from datetime import date

from ._social_care_codes import OTHER_LA_CODES

# The check letter alphabet of the unique pupil number (I, O and S are not used).
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(digits: str) -> str:
    """The DfE check letter for the 12 digits of a UPN: weights 2..13, remainder modulo 23."""
    total = sum(int(digit) * weight for weight, digit in zip(range(2, 14), digits, strict=True))
    return _UPN_LETTERS[total % 23]


class IdFactory:
    """Unique identifiers for one synthetic council."""

    def __init__(self, rng: random.Random, la_code: str) -> None:
        self._rng = rng
        self._la_code = la_code
        self._person_ids: set[int] = set()
        self._upns: set[str] = set()
        self._other_ids: set[int] = set()

    def person_id(self) -> str:
        """A person number of 6 or 7 digits, as case-management systems issue them."""
        while True:
            value = self._rng.randint(100_000, 2_499_999)
            if value not in self._person_ids:
                self._person_ids.add(value)
                return str(value)

    def upn(self, dob: date, moved_in: bool) -> tuple[str, str]:
        """A valid UPN (check letter + LA code + school number + year of issue + serial) and the issuing LA."""
        la_code = self._rng.choice(OTHER_LA_CODES) if moved_in else self._la_code
        year = (dob.year + 4 + self._rng.randint(0, 1)) % 100
        while True:
            digits = f"{la_code}{self._rng.randint(1000, 7999):04d}{year:02d}{self._rng.randint(0, 999):03d}"
            upn = upn_check_letter(digits) + digits
            if upn not in self._upns:
                self._upns.add(upn)
                return upn, la_code

    def temporary_upn(self) -> str:
        """A temporary UPN (letter, 11 digits, letter) as a former UPN."""
        digits = f"{self._la_code}{self._rng.randint(0, 99_999_999):08d}"
        return self._rng.choice(_UPN_LETTERS) + digits + self._rng.choice(_UPN_LETTERS)

    def number(self, digits: int) -> str:
        """A unique number with exactly ``digits`` digits (contacts, workers, placements)."""
        low, high = 10 ** (digits - 1), 10**digits - 1
        while True:
            value = self._rng.randint(low, high)
            if value not in self._other_ids:
                self._other_ids.add(value)
                return str(value)
