"""A request's steps stand in the order its data flows: a step reading rows by keys another step returns comes after it.

A hybrid feed's read merges the newest items of the followed authors past the cut-off; which authors those are, the reader's
Follow rows say, read from the graph's owner. Drawn the other way round (the merge first, the call after), the sequence
reads items by ids it has not yet learnt, and a reader checking the design against itself finds the contradiction. So a
mechanism's loads say which entities give their keys (``StoreLoad.keys_from``), and the step querying the mechanism's
store stands after every step of the same request reading those entities; independent steps keep the order they came in.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_architect.ir.model import FlowStep
from backend_architect.ir.runtime import Mechanism


def key_sources(mechanism: Mechanism) -> set[str]:
    """The entities whose rows give the keys of the mechanism's reads (a feed's merge: the graph's Follow rows)."""
    return {e for load in mechanism.loads for e in load.keys_from}


def read_entities(step: FlowStep, home: str) -> set[str]:
    """The entities a synchronous read of another part returns, as its description names them (``read Follow: ...``,
    ``read Driver, Cab``); none for any other step.

    >>> read_entities(FlowStep(source="tweets", target="follows", kind="query", description="read Follow: the authors"), "tweets")
    {'Follow'}
    >>> sorted(read_entities(FlowStep(source="a", target="b", kind="query", description="read Driver, Cab"), "a"))
    ['Cab', 'Driver']
    >>> read_entities(FlowStep(source="a", target="b", kind="query", description="check the caller is a member"), "a")
    set()
    """
    if step.kind != "query" or step.source != home or not step.description.startswith("read "):
        return set()
    named = step.description.removeprefix("read ").split(":")[0]
    return {e.strip() for e in named.split(",") if e.strip()}


def keyed_position(steps: Sequence[FlowStep], home: str, sources: set[str]) -> int:
    """Where a step whose reads take their keys from ``sources`` goes among ``steps`` (the request first): after the last step
    reading any of them, else straight after the request.

    >>> req = FlowStep(source="u", target="tweets", kind="request", description="view")
    >>> graph = FlowStep(source="tweets", target="follows", kind="query", description="read Follow: the authors")
    >>> keyed_position([req, graph], "tweets", {"Follow"}), keyed_position([req, graph], "tweets", set())
    (2, 1)
    """
    last = max((i for i, s in enumerate(steps) if read_entities(s, home) & sources), default=0)
    return max(1, last + 1)


def ordered_for(steps: Sequence[FlowStep], home: str, step: FlowStep, sources: set[str]) -> list[FlowStep]:
    """``steps`` with ``step`` (already among them or not) standing after the steps giving its keys, the rest in their order."""
    rest = [s for s in steps if s != step]
    at = keyed_position(rest, home, sources)
    return [*rest[:at], step, *rest[at:]]


__all__ = ["key_sources", "keyed_position", "ordered_for", "read_entities"]
