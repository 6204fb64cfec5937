"""Typed load errors: each names the file, the row, the column and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an extract. ``row`` is the line number in the file (the header is line 1)."""

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        found = "" if self.found is None else f"; found {self.found!r}"
        return f"{where}: expected {self.expected}{found}"


class LoadError(Exception):
    """Base class: the batch was rejected whole and nothing changed."""

    next_step = "Fix the extract (or ask its owner for a corrected one) and load it again."

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{type(self).__name__}: {self.total} problem(s), the batch was rejected and nothing was changed"
        lines = [head, *(f"  - {p}" for p in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        lines.append(f"Next: {self.next_step}")
        return "\n".join(lines)


class UnknownFileError(LoadError):
    next_step = "Rename the file to match a contract's file_pattern, or add a contract under loaders/contracts/."


class AmbiguousDeliveryError(LoadError):
    next_step = "Keep one file per table (or per file-name field value, e.g. per year) in the delivery."


class EncodingError(LoadError):
    next_step = "Save the file as UTF-8 (CSV UTF-8 in Excel) and load it again."


class HeaderError(LoadError):
    next_step = "Make the header match the contract's columns (the order and letter case may differ)."


class ContractViolation(LoadError):
    """Values that break their column's type, code list, range or requiredness."""


class DuplicateKeyError(LoadError):
    next_step = "Remove the duplicated rows from the extract (the primary key must be unique)."


class ContractError(Exception):
    """A contract file itself is invalid (a developer error, not a data error)."""
