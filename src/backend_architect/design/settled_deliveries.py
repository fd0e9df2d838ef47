"""The broker's deliveries counted once every event names every write publishing it and every group consuming it.

The transport (PAT006) counts deliveries/s when it is chosen, from the events and flows of that moment; a mechanism
placed later may add a consumer to an event or a second write publishing it (a cross-shard write's applier, a write
whose flow gains the outbox step). The events table reads the finished list of publishers (``design.publishers``), so
the figure is counted again from that same list at the end: a reader summing the table's rows x consumers gets the
figure the broker's record states.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns.messaging import restated_deliveries
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec


def derive_settled_deliveries(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """``events.deliveries.peak`` and the messaging record, restated from the finished events and flows where they differ."""
    restated = restated_deliveries(analysis, arch, ())
    if restated is None or restated.decision is None:
        return arch
    figures = {f.key: f for f in restated.figures}
    return arch.model_copy(
        update={
            "figures": [figures.get(f.key, f) for f in arch.figures],
            "decisions": [restated.decision if d.id == restated.decision.id else d for d in arch.decisions],
        }
    )


__all__ = ["derive_settled_deliveries"]
