"""Synthetic identifiers in the real formats: unique pupil numbers (UPN) and NHS numbers.

UPNs are 13 characters: a check letter, the three-digit LA number, the four-digit DfE establishment number of
the school that allocated it, the two-digit year of allocation and a three-digit serial. The check letter is
the DfE modulus-23 check over the other twelve characters. NHS numbers are drawn from the 999 range, which
the NHS reserves for testing and never issues, with a valid modulus-11 check digit.
"""

from __future__ import annotations

import random

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it.

    The body is 11 digits and a last character that is a digit, or a letter in a temporary UPN
    (a letter counts as its position in the check-letter alphabet).
    """
    if len(body) != 12 or not body[:11].isdigit() or not (body[11].isdigit() or body[11] in UPN_CHECK_LETTERS):
        raise ValueError("a UPN body is 11 digits and a digit or check-alphabet letter")
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char))
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(value: str) -> bool:
    try:
        return len(value) == 13 and value[0] == upn_check_letter(value[1:])
    except ValueError:
        return False


def temporary_upn(la_code: str, rng: random.Random) -> str:
    """A temporary UPN (last character a letter), as a school issues while it waits for a permanent one."""
    body = f"{la_code}{rng.randint(0, 9999):04d}{rng.randint(0, 99):02d}{rng.randint(0, 99):02d}"
    body += rng.choice(UPN_CHECK_LETTERS)
    return upn_check_letter(body) + body


class UpnAllocator:
    """Allocates unique UPNs as schools do: LA number + school's DfE number + year + serial."""

    def __init__(self, la_code: str) -> None:
        if len(la_code) != 3 or not la_code.isdigit():
            raise ValueError("the LA code is three digits")
        self._la_code = la_code
        self._next_serial: dict[tuple[str, int], int] = {}

    def allocate(self, estab: str, year: int) -> str:
        key = (estab, year % 100)
        serial = self._next_serial.get(key, 1)
        if serial > 999:  # a school allocating more than 999 in a year: carry on under the LA's own number
            key = ("9999", year % 100)
            serial = self._next_serial.get(key, 1)
        self._next_serial[key] = serial + 1
        body = f"{self._la_code}{key[0]}{key[1]:02d}{serial:03d}"
        return upn_check_letter(body) + body


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit, or None when the nine digits cannot form a valid number."""
    total = sum(int(char) * weight for char, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    return len(value) == 10 and value.isdigit() and nhs_check_digit(value[:9]) == int(value[9])


class NhsNumberAllocator:
    """Unique, valid NHS numbers in the 999 test range."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def allocate(self) -> str:
        while True:
            first_nine = f"999{self._rng.randint(0, 999_999):06d}"
            check = nhs_check_digit(first_nine)
            if check is None:
                continue
            value = f"{first_nine}{check}"
            if value not in self._used:
                self._used.add(value)
                return value
