"""Which reads reaching a database may lag its primary and which must see every committed write: one split every section reads.

A read tolerates replication lag when its use case says so (``consistency: eventual``, or a ``staleness`` it allows); every
other read is strong, the spec's default, and so is every read a request's own steps make for it (a check, the row a
write changes). The replicas and readable standbys are sized from all of a database's reads, so they serve both kinds:
a lagging read from any copy, a strong read through a read index (``READ_INDEX``), which costs the primary one
WAL-position lookup per strong read and no table read. The replica decision states the split, the primary's load counts
the lookups (``db.read_index.<db>``), and the caching table, the database label and the availability plan say the same
rule (``ir/database_nodes.REPLICA_READS``), so no section calls a strong read lag-tolerant while another sizes replicas
from it.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.request_steps import request_steps
from backend_architect.ir.model import Architecture

#: How a copy serves a strong read: it waits until it has replayed the primary's WAL position taken as the read starts.
READ_INDEX = (
    "strong reads go through a read index: each first takes the primary's WAL position (SELECT pg_current_wal_lsn(), no table read) "
    "and a replica or readable standby answers it only once it has replayed that position (pg_last_wal_replay_lsn()), so it sees "
    "every write committed before the read started; a copy still behind after the read's wait sends it to the primary"
)


def tolerates_lag(use_case: UseCase) -> bool:
    """Whether ``use_case``'s reads may be answered by a copy that trails the primary: eventual consistency or a staleness allowed.

    A read the spec leaves at its default (strong, no staleness) must see every committed write, wherever it is served.
    """
    return use_case.spec.consistency == "eventual" or bool(use_case.spec.staleness)


def read_split(analysis: Analysis, arch: Architecture, reads: dict[str, float]) -> tuple[float, float]:
    """(reads/s that tolerate lag, strong reads/s) of one database's ledger ``reads`` (its inputs keyed as ``design/loads.py`` keys them).

    A read is the use case's whose key names it (``peak_<id>``, a request step's, a mechanism's); a read no use case
    names (a read-back after a write) is strong.
    """
    by_name = {u.name: u for u in analysis.use_cases}
    owner: dict[str, UseCase] = {f"peak_{u.id}": u for u in analysis.use_cases}
    for step in request_steps(analysis, arch):
        if step.load is not None and step.use_case in by_name:
            owner.setdefault(step.load.key, by_name[step.use_case])
    for mechanism in arch.mechanisms:
        for load in mechanism.loads:
            if mechanism.use_case in by_name:
                owner.setdefault(load.key, by_name[mechanism.use_case])
    lagging = sum(value for key, value in reads.items() if key in owner and tolerates_lag(owner[key]))
    return lagging, sum(reads.values()) - lagging


__all__ = ["READ_INDEX", "read_split", "tolerates_lag"]
