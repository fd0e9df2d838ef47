"""Alternatives a record rejects that the design builds all the same: dropped, once every table's shape is known.

A record about one table weighs its options before later stages shape that table: the history
record rejects "shard the raw rows" (expiry keeps them small), then the database load shards the
same table for its writes. Both cannot hold: a reader sees a rejected option built. This stage,
after growth (the last stage that shards or partitions a table), drops from each record about a
table every alternative naming a mechanism that table has, so no record rejects what another builds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture, Decision, Table
from backend_architect.spec.model import Spec

#: How an alternative names a mechanism of its table (the words it starts with), and whether the table has that mechanism.
MECHANISMS: tuple[tuple[re.Pattern[str], Callable[[Table], bool]], ...] = (
    (re.compile(r"^(?:shard|sharding|a shard map)\b", re.IGNORECASE), lambda t: t.sharding is not None),
    (re.compile(r"^(?:partition|partitioning|time partitions)\b", re.IGNORECASE), lambda t: t.partitioning is not None),
)


def built_by_design(record: Decision, table: Table | None, name: str) -> bool:
    """Whether alternative ``name`` of ``record`` (about ``table``) is a mechanism the design gives that table.

    >>> from backend_architect.ir.model import Sharding
    >>> t = Table(name="q", columns=[], primary_key=["id"], sharding=Sharding(key="user_id", reason="writes"))
    >>> r = Decision(id="storage.q", title="", area="storage", choice="", context="", rationale="", subject="q")
    >>> built_by_design(r, t, "shard the raw rows"), built_by_design(r, t, "partition by day"), built_by_design(r, None, "shard")
    (True, False, False)
    """
    if table is None:
        return False
    return any(words.match(name) and has(table) for words, has in MECHANISMS)


def without_built(arch: Architecture, record: Decision) -> Decision:
    """``record`` without the alternatives its table has all the same."""
    table = next((t for s in arch.datastores for t in s.tables if t.name == record.subject), None)
    kept = [a for a in record.alternatives if not built_by_design(record, table, a.name)]
    return record if len(kept) == len(record.alternatives) else record.model_copy(update={"alternatives": kept})


def derive_built_alternatives(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every record's alternatives read against the tables the design builds (``without_built``)."""
    return arch.model_copy(update={"decisions": [without_built(arch, d) for d in arch.decisions]})
