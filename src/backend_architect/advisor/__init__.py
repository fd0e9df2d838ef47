"""Index advisor: indexes for a workload, costed by PostgreSQL's planner through HypoPG.

``advise(url, workload)`` derives candidate indexes from the workload's queries
(``candidates.py``), then asks the planner what each query would cost with hypothetical
indexes (HypoPG: nothing is built, nothing is written) and picks, greedily, the index that
saves the most workload cost net of what it charges: its size (``COST_PER_MIB``), and the
write overhead of its table — the saving is discounted by the share of the table's row
operations that are writes (each index pays them again), capped at ``MAX_WRITE_CHARGE``.
It stops when nothing saves at least ``MIN_SAVING`` of the remaining cost or the
size budget is spent. Without HypoPG it says so and recommends by rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_architect.advisor.candidates import Candidate

#: An index must save this share of the workload cost that remains, net of its charges.
MIN_SAVING = 0.02
#: The most indexes one run recommends.
MAX_INDEXES = 8
#: Cost units charged per MiB of index: keeps a large index from winning a tie.
COST_PER_MIB = 5.0
#: The write charge takes at most this share of an index's saving. Statistics right after a bulk
#: load show only writes; an index that halves a read-heavy workload's cost must still win.
MAX_WRITE_CHARGE = 0.5


@dataclass(frozen=True)
class QueryCost:
    """One query's planner cost before and after the recommendations."""

    query: str
    calls: float
    before: float
    after: float


@dataclass(frozen=True)
class Recommendation:
    """One index to create, why, and what it costs."""

    candidate: Candidate
    ddl: str
    size_bytes: int
    saving: float
    write_share: float
    queries: list[QueryCost]


@dataclass
class Advice:
    """The advisor's answer for a workload."""

    method: str
    recommendations: list[Recommendation] = field(default_factory=list)
    total_before: float = 0.0
    total_after: float = 0.0
    notes: list[str] = field(default_factory=list)
    queries: list[QueryCost] = field(default_factory=list)
