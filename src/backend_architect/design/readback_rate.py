"""How often a created row is read back through the GET the API adds for it (its Location): one account.

The service serving the GET counts these requests (``readback_<operation>``), and every check the GET
makes (a caller's membership in the row's scope) is made as often: both read this one rate, so a
read-back is never counted as served yet probed zero times.
"""

from __future__ import annotations

from collections.abc import Collection

from backend_architect.design.analysis import Analysis

#: Times a created resource is read back by its GET (the Location a create answers with) when no use case states that read's rate.
READS_PER_CREATE = 1.0


def readback_creates(analysis: Analysis, entity: str, kept_elsewhere: Collection[str] = ()) -> float:
    """Creates/s at peak of ``entity`` that its GET reads back: every create by a request (not a job), 0 for an appended row.

    An appended row never changes, so the create's answer is its final state and nothing reads it back;
    ``kept_elsewhere`` names the creating use cases whose value a mechanism keeps in memory (``latest: true``
    overwrites a key, creating no row), known only once the write paths are chosen.
    """
    facts = analysis.entities.get(entity)
    if facts is not None and facts.mutability == "append_only":
        return 0.0
    return sum(u.peak_qps for u in analysis.use_cases if u.kind == "create" and u.entity == entity and not u.is_job and u.name not in kept_elsewhere)


def readback_rate(analysis: Analysis, entity: str, kept_elsewhere: Collection[str] = ()) -> float:
    """Reads/s at peak of the GET reading ``entity``'s created rows back: its creates times ``READS_PER_CREATE``."""
    return readback_creates(analysis, entity, kept_elsewhere) * READS_PER_CREATE


def readback_basis(analysis: Analysis, entity: str) -> str:
    """What ``readback_rate`` counted for ``entity``, said beside every figure read from it.

    An appended row's read-back rate is 0 (``readback_creates``): saying "each created row read back once" beside that
    0 gave a reader the basis of another figure (whatsapp run 22: getMessage's "0 probes/s (each created Message read
    back once)" recomputed as 69,444/s), so the reason the figure is 0 is the one stated.
    """
    facts = analysis.entities.get(entity)
    if facts is not None and facts.mutability == "append_only":
        return f"an appended {entity} is never read back: its create answered its final state"
    return f"each created {entity} read back once"


__all__ = ["READS_PER_CREATE", "readback_basis", "readback_creates", "readback_rate"]
