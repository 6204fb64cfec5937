"""Steps that run after a delivery has been promoted into staging, inside the same load.

Some sources need more than a typed copy: a hand-typed return in a wide, printed layout is unpivoted and each of its
printed values parsed (``loaders/returns.py``). A hook is registered for a staging table and receives the open
connection and the batches just promoted; it must be idempotent for a council (replace that council's rows) and
raise a ``LoadError`` for input it cannot read, which rejects the run's load for that council.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from loaders.load import StagedBatch

Hook = Callable[[psycopg.Connection, list[StagedBatch]], None]

HOOKS: dict[str, list[Hook]] = {}


def register(table: str) -> Callable[[Hook], Hook]:
    def decorate(hook: Hook) -> Hook:
        HOOKS.setdefault(table, []).append(hook)
        return hook

    return decorate


def run_hooks(conn: psycopg.Connection, batches: list[StagedBatch]) -> None:
    """Run every hook whose table was among the promoted batches (modules with hooks are imported first).
    Called inside the promote transaction: a hook must not commit."""
    import loaders.hooks  # noqa: F401 - registers the hooks

    by_table: dict[str, list[StagedBatch]] = {}
    for batch in batches:
        by_table.setdefault(batch.contract.table, []).append(batch)
    for table, promoted in by_table.items():
        for hook in HOOKS.get(table, []):
            hook(conn, promoted)
