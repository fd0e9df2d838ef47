"""PAT049: more than one region, only when the spec names them: active-passive, or active-active with its conflict rule, and what it costs."""

from __future__ import annotations

import math
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, figures, fmt
from backend_architect.design.region_homes import INTER_REGION_RTT_MS, REPLICATION_LAG_S, home_rule, pays_round_trip, region_plan
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec

#: Failing over to another region: by runbook (detect, decide, promote, switch DNS) about 30 minutes; automatic
#: (health-checked DNS, TTL 60 s, promotion) about 5 minutes; active-active only moves traffic (about 90 s).
MANUAL_REGION_FAILOVER_S = 1800.0
AUTO_REGION_FAILOVER_S = 300.0
ACTIVE_ACTIVE_FAILOVER_S = 90.0
#: A regional outage lasts about an hour (cloud providers' post-incident reports); a failover shortens it to the failover time.
MEAN_OUTAGE_S = 3600.0


def with_failover(single: float, failover_s: float) -> float:
    """Availability when a region's outage costs only the failover time: 1 - (1 - single) x min(1, failover_s / mean_outage_s).

    >>> round(with_failover(0.999, 360), 6)
    0.9999
    """
    return 1 - (1 - single) * min(1.0, failover_s / MEAN_OUTAGE_S)


#: Engines whose databases the availability plan gives a primary, standbys and read replicas.
RELATIONAL = frozenset({"postgresql", "mysql", "sqlite"})


def database_units(arch: Architecture) -> tuple[float, float]:
    """(primaries, nodes) of the database tier the design plans, the units a second region copies and the cost ratio counts.

    Each relational database: one primary, its standbys (``db.standbys``) and the read replicas its load adds
    (``db.read_replicas.<db>``); each shard map: its shards are primaries and its nodes (``db.nodes.<table>``) the copies,
    every map counted as built (the horizon's deployment: the multi-region decision is taken before the growth plan says
    which maps wait for a later stage, and a region is provisioned for the deployment it will hold); each wide-column
    store's nodes (``wide_column.nodes.<table>``), one primary per replication factor's worth. One database cluster
    counted for the whole tier would price a region holding hundreds of shards at the cost of its instances alone.

    >>> database_units(Architecture(system="s"))
    (0.0, 0.0)
    """
    known = figures(arch)
    spare = known.get("db.standbys", 0.0)
    databases = {s.name.split(".")[0] for s in arch.datastores if s.engine in RELATIONAL}
    primaries = float(len(databases))
    nodes = float(sum(1 + spare + known.get(f"db.read_replicas.{db}", 0.0) for db in databases))
    held = {t.name for s in arch.datastores if s.engine in RELATIONAL for t in s.tables if t.sharding is not None}
    for f in arch.figures:
        if f.key.startswith("db.nodes.") and f.scope in held:
            primaries += f.inputs["shards"]
            nodes += f.value
        elif f.key.startswith("wide_column.nodes."):
            primaries += math.ceil(f.value / f.inputs["replication_factor"])
            nodes += f.value
    return primaries, nodes


@pattern(code="PAT049", name="multi-region", stage="availability", title="A second region, only when the spec asks for one")
def multi_region(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    ``scale.regions`` names two regions or more (one region, or none, stays single-region).

    ## What it adds
    **Active-active** when a write use case's ``latency_ms`` is within the cross-region round
    trip (``INTER_REGION_RTT_MS``, 150 ms): every region takes writes, replicated asynchronously,
    with a conflict rule (creates keyed by UUIDv7 never collide; updates: last writer wins per
    row by commit time; a delete wins over a concurrent update) and the home-region rule
    (``design/region_homes.py``): a row's writes and the reads that must be current go to its
    home region; other regions serve the reads that tolerate the lag; a unique key is checked
    in its owner's home, or, global, reserved in the first region. Otherwise **active-passive**: the first region serves, the others hold
    asynchronous replicas and warm instances; failover is automatic when the target needs more
    than one region gives, else by runbook.

    ## What it costs
    RPO = the replication lag (5 s planned); RTO = 90 s (active-active), 300 s (automatic) or
    1,800 s (runbook); cost ratio = (units in every region) / (units in one), a unit being an
    instance or a database node (every primary, standby, read replica, shard node and wide-column
    node the design plans: ``database_units``); a standby region holds one warm instance per zone and
    an asynchronous standby of every primary; active-active sizes each region to carry the load of
    a lost one and holds every database node.

    ## Alternatives
    One region (a regional outage is an outage); active-active where writes can afford the round
    trip (conflicts to resolve for no latency gained).

    ## References
    AWS whitepaper, "Disaster Recovery of Workloads on AWS" (2022); M. Kleppmann, Designing Data-Intensive Applications, ch. 5 (multi-leader replication).
    """
    regions = list(spec.scale.regions)
    plan = arch.availability
    if len(regions) < 2 or plan is None:
        if regions:
            yield Skipped("system", f"one region stated ({regions[0]}): a single-region plan")
        return
    regional = region_plan(spec, analysis)
    writes = regional.fast_writes
    known = figures(arch)
    instances = sum(v for k, v in known.items() if k.startswith("instances.deployable.")) or sum(
        v for k, v in known.items() if k.startswith("instances.") and k.count(".") == 1
    )
    primaries, copies = database_units(arch)
    single = plan.composite
    extra = len(regions) - 1
    if writes:
        mode, rto, failover = "active-active", ACTIVE_ACTIVE_FAILOVER_S, "automatic"
        per_region = math.ceil(instances / extra)  # each survivor carries a lost region's share
        cost = len(regions) * (per_region + copies) / (instances + copies)
        cost_formula = "regions x (ceil(instances / (regions - 1)) + database_copies) / (instances + database_copies)"
        composite = with_failover(single, rto)
        names = ", ".join(f"'{u.name}' ({fmt(u.spec.latency_ms or 0)} ms)" for u in writes)
        why = (
            f"{names} must answer within the {fmt(INTER_REGION_RTT_MS)} ms a write to another region's primary costs: every region takes the "
            "writes of the rows homed in it (a row homed in another region is written there, at the round trip)"
        )
        far = [u.name for u in writes if pays_round_trip(spec, u)]
        if far:
            why += (
                f"; {', '.join(repr(n) for n in far)} from a caller outside the home region of the row it writes still pays the round trip "
                "(the latency table's 'from another region')"
            )
        choice = (
            f"active-active in {', '.join(regions)}: each region serves its users and takes writes, replicated asynchronously to the others; conflict rule: "
            "creates keyed by UUIDv7 never collide, updates are last-writer-wins per row by commit time, "
            f"a delete wins over a concurrent update; {home_rule(regional)}; health-checked DNS moves a lost region's users (RTO {fmt(rto)} s, "
            f"RPO {fmt(REPLICATION_LAG_S)} s: the writes homed in the lost region not yet replicated)"
        )
    else:
        automatic = single < (plan.target or 0.0)
        mode, failover = "active-passive", "automatic" if automatic else "manual"
        rto = AUTO_REGION_FAILOVER_S if automatic else MANUAL_REGION_FAILOVER_S
        # each standby region: warm instances, one per zone, and an asynchronous standby of every primary
        cost = (instances + copies + extra * (plan.zones + primaries)) / (instances + copies)
        cost_formula = "(instances + database_copies + (regions - 1) x (zones + primaries)) / (instances + database_copies)"
        composite = with_failover(single, rto) if automatic else single
        why = "no write use case needs an answer within the cross-region round trip: one region takes writes, the others stand by" + (
            "; the target is above one region's composite, so the failover is automatic" if automatic else "; failover by runbook after a disaster"
        )
        choice = (
            f"active-passive: {regions[0]} serves; {', '.join(regions[1:])} hold(s) an asynchronous standby of every database and warm instances (a second "
            f"region for disaster recovery); {regions[0]} takes every write and serves every read, so each consistency the design claims holds there; "
            f"{failover} failover to the second region (RTO {fmt(rto)} s, RPO {fmt(REPLICATION_LAG_S)} s of writes: the standbys trail by it)"
        )
    dns = named(spec, "dns-failover")
    made = decision(
        "multi-region",
        f"Disaster recovery: {mode} across {len(regions)} regions",
        "availability",
        choice,
        f"regions: {', '.join(regions)}; one region's composite {single:.3%} against the {plan.target or 0:.3%} target",
        why,
        alternatives=[
            ("one region", "the spec names several: a regional outage would be an outage"),
            (
                "active-passive" if mode == "active-active" else "active-active",
                "writes in the passive regions would pay the round trip" if mode == "active-active" else "conflicts to resolve for no latency gained",
            ),
        ],
        consequences=f"Cost: {cost:.2f}x one region ({len(regions)} regions, counted in instances and database nodes).",
        subject="system",
        inputs={"regions": float(len(regions)), "cost_ratio": cost, "rpo_s": REPLICATION_LAG_S, "rto_s": rto},
        decided_by="spec",
        spec=spec,
    )
    updated = plan.model_copy(
        update={
            "topology": mode,
            "regions": regions,
            "composite": composite,
            "parts": {**plan.parts, f"regions ({failover} failover, {fmt(rto)} s)": composite / single} if composite != single else plan.parts,
            "rationale": why,
            "redundancy": {**plan.redundancy, "regions": f"{mode}: {len(regions)} regions"},
        }
    )
    found = (
        figure("availability.region.rto_seconds", f"time to move service to another region ({mode}, {failover})", rto, "s", "failover_s", {"failover_s": rto}),
        figure(
            "availability.region.rpo_seconds",
            "writes a region's loss can lose (asynchronous replication lag)",
            REPLICATION_LAG_S,
            "s",
            "replication_lag_s",
            {"replication_lag_s": REPLICATION_LAG_S},
        ),
        figure(
            "availability.region_cost_ratio",
            f"cost of {len(regions)} regions against one",
            cost,
            "ratio",
            cost_formula,
            {"instances": instances, "database_copies": copies, "regions": float(len(regions)), "zones": float(plan.zones)}
            | ({} if writes else {"primaries": primaries}),
        ),
        figure(
            "availability.composite",
            "availability computed from the parts every request needs",
            composite,
            "ratio",
            *(
                ("1 - (1 - one_region) x min(1, failover_s / mean_outage_s)", {"one_region": single, "failover_s": rto, "mean_outage_s": MEAN_OUTAGE_S})
                if composite != single
                # a manual failover is a disaster runbook: it shortens no ordinary outage, so it is not counted (and no other
                # failover time is stated beside the region's own)
                else ("one_region (a manual failover is not counted: it is for disasters)", {"one_region": single})
            ),
        ),
    )
    # what the DNS does is what the failover is: it moves users on its own health checks only where the failover is automatic
    steers = (
        f"routes users to the serving region ({mode}); its health checks move users to a surviving region on their own"
        if failover == "automatic"
        else f"routes users to the serving region ({mode}); the operator repoints it at the second region when the failover is declared "
        "(manual: its health checks do not switch regions on their own)"
    )
    component = Component(name="dns-failover", kind="load-balancer", technology=dns, purpose=steers, decision=made.id)
    yield Applied(made, components=(component,), figures=found, availability=updated)
