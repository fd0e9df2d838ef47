"""How current a read is, told from the store that serves it: every section states a read's consistency from here.

A read served by the database it is written to sees each commit; a read served by a store a
worker or indexer feeds from change events (a search index, a feed's precomputed lists, an
analytics copy) sees a write only once that store has it: it is eventual by the store's lag,
whatever the spec asked. The mechanisms record that lag (``Mechanism.lag_seconds``); the caching
table, the bottlenecks, the flows of the hand-off and the critic read it here, so none of them
calls current a read the design serves late.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Mechanism
from backend_architect.spec.model import Spec


def lagging_server(arch: Architecture, use_case: str) -> Mechanism | None:
    """The mechanism serving ``use_case``'s reads from an asynchronously fed store, if one does (the longest lag where several)."""
    found = [m for m in arch.mechanisms if m.use_case == use_case and m.serves == "read" and m.lag_seconds is not None]
    return max(found, key=lambda m: (m.lag_seconds or 0.0, m.pattern), default=None)


def lag_said(mechanism: Mechanism) -> str:
    """The sentence every record states a lagging read with: its store, its lag and the figure that computes it.

    >>> m = Mechanism(use_case="s", pattern="PAT004", serves="read", store="search-engine", how="q", lag_seconds=2.0, lag_figure="search.lag_seconds")
    >>> lag_said(m)
    'eventually consistent, about 2 s behind the writes (search.lag_seconds)'
    """
    lag = f"{mechanism.lag_seconds:g}" if mechanism.lag_seconds is not None else "?"
    figure = f" ({mechanism.lag_figure})" if mechanism.lag_figure else ""
    return f"eventually consistent, about {lag} s behind the writes{figure}"


def derive_read_consistency(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Stage: each read flow a store fed from change events serves says eventual, with the lag, once every mechanism is known.

    The communication stage wrote what the spec asked (strong by default) before the read paths
    were chosen; a search index or a feed's lists serve the read seconds after the write, so the
    hand-off's flows say what the reader gets. Where the spec stated strong consistency for such
    a read, the flow keeps ``stated_consistency`` and the critic (DES028) reports the conflict.
    """
    flows = []
    for flow in arch.flows:
        lagging = lagging_server(arch, flow.use_case)
        flows.append(flow if lagging is None else flow.model_copy(update={"consistency": "eventual", "lag_seconds": lagging.lag_seconds}))
    return arch.model_copy(update={"flows": flows})


__all__ = ["derive_read_consistency", "lag_said", "lagging_server"]
