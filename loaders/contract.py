"""Load contracts: the YAML that says what a source table must look like (see docs/CONVENTIONS.md)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from loaders.errors import ContractError

TYPES = {"text", "identifier", "redacted", "date", "integer", "decimal", "code", "boolean"}
_STRPTIME_TO_PG = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%H": "HH24", "%M": "MI", "%S": "SS"}


def column_name(source_name: str) -> str:
    """The staging column name: lower case, runs of non-alphanumerics become one underscore."""
    name = re.sub(r"[^0-9a-z]+", "_", source_name.strip().lower()).strip("_")
    if not name:
        raise ContractError(f"column {source_name!r} has no usable name")
    return name if not name[0].isdigit() else f"c_{name}"


def header_key(text: str) -> str:
    """How a header cell is compared: case, spacing and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]+", "", text.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    codes: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    format: str | None = None
    true_values: tuple[str, ...] = ("1", "true", "y", "yes")
    false_values: tuple[str, ...] = ("0", "false", "n", "no")
    description: str = ""

    @property
    def db_name(self) -> str:
        return column_name(self.name)

    @property
    def pg_type(self) -> str:
        return {"text": "text", "identifier": "text", "redacted": "text", "code": "text", "date": "date",
                "integer": "bigint", "decimal": "numeric", "boolean": "boolean"}[self.type]

    @property
    def pg_date_format(self) -> str:
        fmt = self.format or "%Y-%m-%d"
        for token, pg in _STRPTIME_TO_PG.items():
            fmt = fmt.replace(token, pg)
        if "%" in fmt:
            raise ContractError(f"column {self.name}: unsupported date format {self.format!r}")
        return fmt

    def describe(self) -> str:
        """What a value of this column must look like, for error messages."""
        if self.type == "date":
            return f"a date like {_example_date(self.format or '%Y-%m-%d')}"
        if self.type == "code":
            shown = ", ".join(self.codes[:12]) + (", ..." if len(self.codes) > 12 else "")
            return f"one of the codes {shown}"
        if self.type == "integer":
            return "a whole number" + _range_text(self.min, self.max)
        if self.type == "decimal":
            return "a number" + _range_text(self.min, self.max)
        if self.type == "boolean":
            return f"one of {', '.join(self.true_values + self.false_values)}"
        if self.type == "redacted":
            return "any text (never stored)"
        size = f" of at most {self.max_length} characters" if self.max_length else ""
        return f"text{size} that does not start with = or @ (a spreadsheet formula)"


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    if high is not None:
        return f" of at most {high:g}"
    return ""


def _example_date(fmt: str) -> str:
    from datetime import date

    return date(2019, 3, 31).strftime(fmt)


@dataclass(frozen=True)
class Contract:
    table: str
    domain: str
    file_pattern: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    description: str = ""
    source_return: str = ""
    owner: str = "unassigned"
    delimiter: str = ","
    encoding: str = "utf-8"
    file_fields: str | None = None  # a regex with named groups read from the file name into text columns
    path: Path | None = field(default=None, compare=False)

    @property
    def file_field_names(self) -> tuple[str, ...]:
        return tuple(re.compile(self.file_fields).groupindex) if self.file_fields else ()

    def file_values(self, file_name: str) -> tuple[str, ...] | None:
        """The values of the file-name fields, or None if the name does not have the expected shape."""
        if not self.file_fields:
            return ()
        match = re.fullmatch(self.file_fields, file_name, flags=re.IGNORECASE)
        return tuple(match.group(n) for n in self.file_field_names) if match else None

    def key_db_name(self, key: str) -> str:
        """The staging column of a primary-key part: a contract column, or a file-name field."""
        return key if key in self.file_field_names else self.column(key).db_name

    def matches(self, file_name: str) -> bool:
        return fnmatch.fnmatch(file_name.lower(), self.file_pattern.lower())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise ContractError(f"{self.table}: no column {name!r}")

    @property
    def identifier_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.type == "identifier")


def parse_contract(path: Path) -> Contract:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{path.name}: a contract is a mapping")
    for key in ("table", "domain", "file_pattern", "columns"):
        if key not in data:
            raise ContractError(f"{path.name}: missing {key!r}")
    columns = []
    for raw in data["columns"]:
        if raw.get("type") not in TYPES:
            raise ContractError(f"{path.name}: column {raw.get('name')!r} has type {raw.get('type')!r}; "
                                f"expected one of {sorted(TYPES)}")
        if raw["type"] == "code" and not raw.get("codes"):
            raise ContractError(f"{path.name}: code column {raw['name']!r} needs a codes list")
        kwargs = dict(raw)
        for key in ("codes", "true_values", "false_values"):
            if key in kwargs:
                kwargs[key] = tuple(str(v) for v in kwargs[key])
        columns.append(Column(**kwargs))
    names = [c.db_name for c in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{path.name}: two columns map to the same staging column name")
    file_fields = data.get("file_fields")
    groups: tuple[str, ...] = ()
    if file_fields:
        try:
            groups = tuple(re.compile(file_fields).groupindex)
        except re.error as exc:
            raise ContractError(f"{path.name}: file_fields is not a valid regex: {exc}") from exc
        if not groups or any(not re.fullmatch(r"[a-z][a-z0-9_]*", g) for g in groups):
            raise ContractError(f"{path.name}: file_fields needs named groups in lower_snake_case")
    known = {c.name for c in columns} | set(groups)
    for key in data.get("primary_key", []):
        if key not in known:
            raise ContractError(f"{path.name}: primary_key column {key!r} is not a column")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", data["table"]):
        raise ContractError(f"{path.name}: table name {data['table']!r} must be lower_snake_case")
    return Contract(
        table=data["table"], domain=data["domain"], file_pattern=data["file_pattern"], columns=tuple(columns),
        primary_key=tuple(data.get("primary_key", [])), description=data.get("description", ""),
        source_return=data.get("source_return", ""), owner=data.get("owner", "unassigned"),
        delimiter=data.get("delimiter", ","), encoding=data.get("encoding", "utf-8"), file_fields=file_fields,
        path=path,
    )


@cache
def load_contracts(contracts_dir: Path) -> tuple[Contract, ...]:
    contracts = tuple(parse_contract(p) for p in sorted(Path(contracts_dir).rglob("*.yml")))
    tables = [c.table for c in contracts]
    duplicates = {t for t in tables if tables.count(t) > 1}
    if duplicates:
        raise ContractError(f"two contracts define the same table: {sorted(duplicates)}")
    return contracts


def contract_for(file_name: str, contracts: tuple[Contract, ...]) -> Contract | None:
    matches = [c for c in contracts if c.matches(file_name)]
    if len(matches) > 1:
        raise ContractError(f"{file_name} matches several contracts: {[c.table for c in matches]}")
    return matches[0] if matches else None
