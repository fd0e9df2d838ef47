"""Figures and their bounds agree: no figure the design states is past the ceiling, target or threshold it is compared with.

A design that prints "composite 99.970% falls short of the 99.990% target" or "340.3% of one
primary" and then calls itself clean contradicts itself: a figure past its bound either drives
the design (the next level, more shards, more nodes) or is reported here, with its numbers.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.model import Architecture, Figure
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: Figures within this share of their bound are at it, not past it (rounding in the inputs).
TOLERANCE = 1e-9


def _figures(arch: Architecture) -> dict[str, Figure]:
    return {f.key: f for f in arch.figures}


def _largest(inputs: dict[str, float], count: int = 3) -> str:
    """The biggest terms of a sum, for a finding that says where the load comes from."""
    total = sum(inputs.values())
    # terms under 1% of the sum say nothing about where the load comes from
    terms = sorted(((k, v) for k, v in inputs.items() if v >= total / 100), key=lambda kv: (-kv[1], kv[0]))[:count]
    return "largest: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in terms) if terms else ""


@rule(
    code="DES012",
    name="availability-short-of-target",
    severity=Severity.WARNING,
    title="The availability plan's composite is below the target it states",
    fix="Build the level that meets the target: name a second region in scale.regions (automatic failover), or state the target one region meets.",
)
def availability_short_of_target(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Compares the availability plan's composite (the product of the parts every request needs:
    load balancer, instances, database, and the regions' failover where there are several) with
    the target the plan states, and reports a composite below it with both numbers, the parts,
    and what would meet it (``availability.second_region``: a second region with automatic
    failover) when the design computed it.

    ## Why is this bad?
    "Composite 99.970% falls short of the 99.990% target" beside a clean verdict tells the team
    the target is met when the plan says it is not: about 26 minutes a year of outage nobody
    budgeted for.

    ## Example
    scale: {availability: 99.99%}            # one region: three zones top out at 99.970%

    Use instead:
    scale: {availability: 99.99%, regions: [eu-west-1, eu-central-1]}   # automatic failover to the second region

    ## References
    Google SRE book, "The Calculus of Service Availability"; AWS whitepaper, "Disaster Recovery of Workloads on AWS" (2022).
    """
    plan = arch.availability
    if plan is None or plan.target is None or plan.composite >= plan.target - TOLERANCE:
        return
    parts = " x ".join(f"{name} {value:.3%}" for name, value in plan.parts.items())
    found = _figures(arch).get("availability.second_region")
    meets = f"; a second region with automatic failover gives {found.value:.4%}" if found is not None else ""
    yield self.finding(
        "availability",
        f"composite {plan.composite:.3%} ({parts}) is below the {plan.target:.3%} target ({plan.topology}, {plan.zones} zone(s)){meets}",
    )


@rule(
    code="DES013",
    name="primary-past-its-ceiling",
    severity=Severity.WARNING,
    title="A database primary (or one shard's) carries more than one primary serves",
    fix="Shard or partition the table whose writes pass the ceiling (an outbox by its key, or one per producer), keep the writes in memory, "
    "or add read replicas or a cache for reads; state the figures once they fit.",
)
def primary_past_its_ceiling(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads each database's write utilisation (``db.write_utilisation.<db>``: its busiest primary,
    one shard's where sharded) and the reads each primary serves with its replicas
    (``db.read_replicas.<db>``, ``db.shard.read_replicas.<table>``), and reports a primary past
    its write ceiling, or reads past what the primary and its replicas serve, with the numbers and
    the largest writes that reach it.

    ## Why is this bad?
    "17,014 writes/s = 340.3% of one primary" is a database that falls over at peak; stated in
    the capacity section and passed over by the verdict, it is a contradiction nobody acts on.
    Rows the sharding decision does not move (an outbox, processed-event rows, updates to an
    unsharded table) stay on the one primary.

    ## Example
    use_cases: [{name: search, reads: [Video], writes: [SearchQuery], rate: 1B/day}]   # an outbox row per search on videos-db

    Use instead:
    decisions: {search-queries: {choose: kept in memory}}    # or shard the outbox by its key; the primary stays within its ceiling

    ## References
    PostgreSQL documentation, "High Availability, Load Balancing, and Replication"; M. Kleppmann, Designing Data-Intensive Applications, ch. 6.
    """
    known = _figures(arch)
    for key, found in sorted(known.items()):
        if key.startswith("db.write_utilisation.") and found.value > 1 + TOLERANCE:
            db = key.removeprefix("db.write_utilisation.")
            ceiling = found.inputs.get("primary_write_ceiling", 0.0)
            peak = found.inputs.get("peak_write", 0.0)
            source = known.get(f"db.primary.writes.peak.{db}") or known.get(f"db.writes.peak.{db}")
            shard = next((f for k, f in known.items() if k.startswith("db.shard.writes.") and abs(f.value - peak) < 1e-6 and peak > 0), None)
            if shard is not None and (source is None or abs(source.value - peak) > 1e-6):
                where = f"one shard of {shard.scope} ({db})"
                spread = shard.inputs.get("writes", 0.0), shard.inputs.get("shards", 0.0), shard.inputs.get("skew", 1.0)
                terms = f"{spread[0]:,.0f} writes/s over {spread[1]:,.0f} shards, busiest x{spread[2]:.2f}"
            else:
                where = f"{db}'s primary"
                terms = _largest(source.inputs) if source is not None else ""
            yield self.finding(
                f"database {db}",
                f"{where} takes {peak:,.0f} writes/s at peak, {found.value:.1%} of one primary's {ceiling:,.0f}/s" + (f" ({terms})" if terms else ""),
            )
        replicas_of = key.startswith(("db.read_replicas.", "db.shard.read_replicas."))
        if replicas_of and found.inputs:
            reads = found.inputs.get("peak_reads", found.inputs.get("shard_reads", 0.0))
            serves = found.inputs.get("primary_read_ceiling", 0.0) * (1 + found.value)
            if serves and reads > serves * (1 + TOLERANCE):
                yield self.finding(
                    f"database {found.scope}",
                    f"{reads:,.0f} reads/s reach {found.scope}'s primary at peak; it and its {found.value:,.0f} read replica(s) serve {serves:,.0f}/s",
                )
