"""Design patterns: the decisions that follow from the numbers, one small module each.

A pattern is data (code, name, the stage it belongs to, a title, its documentation) plus
one function over ``(spec, analysis, arch)`` that yields, per subject it looks at (a use
case, an entity, the system), either ``Applied`` (the decision record and what it adds to
the architecture: components, tables, jobs, cache plans, figures) or ``Skipped`` (with the
number that said no, for the design's "not needed" notes). It never mutates the
architecture; the stage that runs it merges what it returns. ``registry.PATTERNS`` lists
every pattern, in the order they run.

The documentation of each pattern has the headings a reader needs: When it applies (the
numbers), What it adds, What it costs (with formulas), Alternatives (and why not at these
numbers), References.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from backend_architect.design.analysis import Analysis
from backend_architect.ir.model import ApiSchema, Architecture, CachePlan, Decision, Event, Figure, Flow, Operation, Service, Table
from backend_architect.ir.runtime import AvailabilityPlan, Component, GrowthStage, Job, Mechanism, Placement, RealtimeChannel
from backend_architect.spec.model import Spec


@dataclass(frozen=True)
class Applied:
    """A pattern applies: its decision (None when the per-path record, e.g. a cache plan, says it all) and what it adds."""

    decision: Decision | None
    components: tuple[Component, ...] = ()
    figures: tuple[Figure, ...] = ()
    jobs: tuple[Job, ...] = ()
    caches: tuple[CachePlan, ...] = ()
    #: New tables (read models, aggregates), each with the datastore it joins.
    tables: tuple[tuple[str, Table], ...] = ()
    placements: tuple[Placement, ...] = ()
    #: Events it publishes or consumes; one with the name of an existing event replaces it.
    events: tuple[Event, ...] = ()
    assumptions: tuple[str, ...] = ()
    #: The availability plan, replacing any earlier one (the later pattern saw more of the design).
    availability: AvailabilityPlan | None = None
    #: Growth stages, by name; one with the name of an earlier stage replaces it.
    stages: tuple[GrowthStage, ...] = ()
    #: API operations, each with the service whose API holds it; one with the id of an existing operation replaces it.
    operations: tuple[tuple[str, Operation], ...] = ()
    #: API schemas, each with its service; one with the name of an existing schema replaces it.
    schemas: tuple[tuple[str, ApiSchema], ...] = ()
    channels: tuple[RealtimeChannel, ...] = ()
    #: Flows of use cases, replacing the one of the same use case (a write whose event now reaches a gateway).
    flows: tuple[Flow, ...] = ()
    #: Services, replacing the one of the same name (a boundary's reason restated once a pattern changes what it says).
    services: tuple[Service, ...] = ()
    #: How it serves paths (the store, the share still reaching the database, the load it adds); merging one
    #: rewrites the path's flow and events to match (``design/paths.py``).
    mechanisms: tuple[Mechanism, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """A pattern looked at ``subject`` and does not apply: the number (and threshold) that said no."""

    subject: str
    reason: str


Outcome = Applied | Skipped
PatternFunction = Callable[[Spec, Analysis, Architecture], Iterable[Outcome]]


@dataclass(frozen=True)
class Pattern:
    """One pattern: its metadata and the function that applies it."""

    code: str
    name: str
    stage: str
    title: str
    function: PatternFunction = field(repr=False)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    def __call__(self, spec: Spec, analysis: Analysis, arch: Architecture) -> list[Outcome]:
        return list(self.function(spec, analysis, arch))


def pattern(*, code: str, name: str, stage: str, title: str) -> Callable[[PatternFunction], Pattern]:
    """Attach a pattern's metadata to its function (the registry lists the result)."""

    def wrap(function: PatternFunction) -> Pattern:
        return Pattern(code=code, name=name, stage=stage, title=title, function=function)

    return wrap


__all__ = ["Applied", "Outcome", "Pattern", "PatternFunction", "Skipped", "pattern"]
