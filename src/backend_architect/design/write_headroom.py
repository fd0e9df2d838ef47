"""How much of one primary's write ceiling a design plans to use, and which shard maps come off a primary past it.

The sharding decision (``partitioning.py``: which tables to shard) and its timing (``patterns/_shards.py``: now or at a
later growth stage) read the same writes the critic (DES013) and ``db.write_utilisation`` read: every write reaching the
primary holding a table (its own inserts, updates and deletes, and the outbox, processed-event and idempotency rows and the
other tables committed beside them), never a table's inserts alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.design.analysis import Analysis
from backend_architect.design.capacity import PRIMARY_WRITE_CEILING
from backend_architect.design.loads import database_loads
from backend_architect.ir.model import Architecture

#: A primary is planned at this share of its write ceiling, as a node is for its reads (``READ_HEADROOM``, 70%): run
#: hotter, it has no room for a burst, a vacuum or a failover. Writes past it shard the table carrying most of them, now.
WRITE_HEADROOM = 0.7


def built_for_writes(primary_writes: float, maps: dict[str, float]) -> list[str]:
    """The tables (or shard maps) taken off a primary so its writes fit ``WRITE_HEADROOM``: the one carrying most of them
    first, then the next, until what stays on the primary is within the headroom. None when moving every candidate still
    leaves it past the headroom: the writes no table carries (an outbox a read fills) are the problem, and sharding tables
    that carry little of them would not solve it (the critic, DES013, and the outbox's own record say so).

    ``primary_writes`` is every write reaching the primary today; ``maps`` the writes each candidate carries.

    >>> built_for_writes(4_618, {"trips": 4_271, "cabs": 347})
    ['trips']
    >>> built_for_writes(3_000, {"trips": 2_000})
    []
    >>> built_for_writes(6_000, {"a": 2_000, "b": 2_000, "c": 500})
    ['a', 'b']
    >>> built_for_writes(9_100, {"products": 100})
    []
    """
    built: list[str] = []
    for head, writes in sorted(maps.items(), key=lambda kv: (-kv[1], kv[0])):
        if primary_writes <= WRITE_HEADROOM * PRIMARY_WRITE_CEILING or writes <= 0:
            break
        built.append(head)
        primary_writes -= writes
    return built if primary_writes <= WRITE_HEADROOM * PRIMARY_WRITE_CEILING + 1e-9 else []


@dataclass(frozen=True)
class PrimaryWrites:
    """The writes reaching one database's primary at peak: their total, and each table's share of them."""

    database: str
    total: float
    tables: dict[str, float] = field(default_factory=dict)

    @property
    def past_headroom(self) -> bool:
        return self.total > WRITE_HEADROOM * PRIMARY_WRITE_CEILING


def primary_writes(analysis: Analysis, arch: Architecture) -> list[PrimaryWrites]:
    """Each database's writes at peak from the one load ledger (``loads.database_loads``, as ``db.writes.peak.<db>``), with
    every table's own writes (its inserts, updates and deletes, the jobs' rows); rows no table owns stay in the total."""
    table_of = {t.entity: t.name for s in arch.datastores for t in s.tables if t.entity}
    found = []
    for db, load in database_loads(analysis, arch).items():
        tables: dict[str, float] = {}
        for key, value in load.writes.items():
            name = table_of.get(load.entity_of.get(key, ""))
            if name is not None:
                tables[name] = tables.get(name, 0.0) + value
        found.append(PrimaryWrites(db, sum(load.writes.values()), tables))
    return found


__all__ = ["WRITE_HEADROOM", "PrimaryWrites", "built_for_writes", "primary_writes"]
