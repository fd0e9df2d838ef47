"""Where each stated input went, one tracer per input family, read from the finished architecture.

A tracer answers with evidence found in the design (a decision that names it, a figure whose
inputs hold its value, a table whose rows come from it, a flow that budgets with it) and one
sentence of how; an empty answer means the input changed nothing, and the sentence says why.
``TRACERS`` maps each family of ``inputs.stated_inputs`` to its tracer; a family without one
is an engine error the property test catches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from backend_architect.design.analysis import Analysis
from backend_architect.design.defaults import people_like
from backend_architect.design.inputs import StatedInput
from backend_architect.ir.consumers import delivering, tells
from backend_architect.ir.model import Architecture, Decision
from backend_architect.ir.query import published_by
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

Trace = tuple[list[str], str]
Tracer = Callable[[Spec, Analysis, Architecture, StatedInput], Trace]

#: Technologies an ``avoid`` or ``prefer`` entry may name, by the decision that chooses among their kind.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("database", r"postgres|mysql|mariadb|mongo|dynamo|cassandra|scylla|cockroach|oracle|sql ?server|aurora", "the primary database"),
    ("cache", r"redis|memcache|valkey|hazelcast|dragonfly|elasticache|memorystore", "the shared cache"),
    ("messaging", r"kafka|rabbit|nats|sqs|sns|pulsar|kinesis|activemq|redpanda|pub/?sub|event ?hub|service ?bus", "the message broker"),
    ("search", r"elastic|opensearch|solr|meili|algolia|typesense|vespa", "full-text search"),
    ("object-storage", r"\bs3\b|gcs|minio|blob storage|cloud storage|ceph", "object storage"),
    ("availability", r"haproxy|nginx|envoy|traefik|\balb\b|\belb\b|load balancer|patroni", "the load balancer and failover"),
    ("runtime", r"spring|django|flask|fastapi|rails|express|nest|laravel|\.net|asp|gin|fiber|quarkus|micronaut|node|deno|bun", "the runtime"),
)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


#: The input names under which a figure or decision may hold each scale figure: a value read under another
#: name (a table's stated rows that happen to equal ``scale.users``) is a coincidence, not a use.
INPUT_NAMES: dict[str, str] = {
    "scale.users": r"users|people|readers|clients|online",
    "scale.daily_active": r"daily|active|readers|clients|online",
    "scale.growth_per_year": r"growth",
    "scale.peak_factor": r"peak_factor",
    "scale.requests": r"requests|total",
    "scale.concurrent_users": r"concurrent|online|clients|connections",
    "scale.concurrent_connections": r"connections|concurrent",
}


def numeric_uses(arch: Architecture, value: float, names: str = r".") -> list[str]:
    """Figures and decisions holding ``value`` under an input whose name matches ``names``: the number was read, not re-derived."""
    pattern = re.compile(names)
    found = [f"figure:{f.key}" for f in arch.figures if any(_close(v, value) and pattern.search(k) for k, v in f.inputs.items())]
    found += [f"decision:{d.id}" for d in arch.decisions if any(_close(v, value) and pattern.search(k) for k, v in d.inputs.items())]
    return found


def _decision(arch: Architecture, decision_id: str) -> Decision | None:
    return next((d for d in arch.decisions if d.id == decision_id), None)


def _first(items: list[str]) -> list[str]:
    """Each place once, in the order found."""
    return list(dict.fromkeys(items))


def _people(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    """scale.users / scale.daily_active: the rows of the entity the people are, or a figure that reads the number."""
    key = item.path
    tables = [f"table:{table_name(e)}" for e, facts in analysis.entities.items() if facts.rows_basis.startswith(key)]
    uses = tables + numeric_uses(arch, item.number or 0.0, INPUT_NAMES[key])
    if tables:
        return _first(uses), f"the rows of {', '.join(t.removeprefix('table:') for t in tables)} (the people it counts)"
    if uses:
        return _first(uses), "read by the figures and decisions listed"
    people = [e for e in spec.entities if people_like(spec, e)]
    stated = [e for e in people if spec.entities[e].rows is not None]
    if stated:
        return (
            [],
            f"the rows of {', '.join(stated)} are stated ({', '.join(f'{spec.entities[e].rows:,.0f}' for e in stated)}): the people count replaces nothing",
        )
    if key == "scale.daily_active" and spec.scale.users and people:
        return [], "scale.users gives the people's rows, and no decision here sizes by daily actives"
    return [], "no entity counts the people (one with a password field, or named User, Customer, Member...): give that entity's rows instead"


def _numbers(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    """A scale figure followed by value: the figures and decisions that hold it among their inputs."""
    uses = numeric_uses(arch, item.number or 0.0, INPUT_NAMES.get(item.path, ".")) if item.number is not None else []
    if uses:
        return _first(uses), "an input of the figures and decisions listed"
    reasons = {
        "scale.requests": "no decision reads the total request rate; the use cases' own rates size the design",
        "scale.concurrent_users": "no part of this design is sized by people online at once (no presence or real-time delivery needs it)",
        "scale.concurrent_connections": "no part of this design holds open client connections",
        "scale.peak_factor": "no use case states a rate, so no peak is derived from it",
        "scale.growth_per_year": "no table grows and no rate is projected",
    }
    return [], reasons.get(item.path, "no figure or decision reads it")


def _requests(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    """scale.requests: the system totals are made from it (``qps.avg.total``, ``qps.peak.total``), and whatever reads those
    totals by value (the deployment shape's trigger) reads the stated number too; "not used" only where nothing reads them."""
    figures = {f.key: f for f in arch.figures}
    average = figures.get("qps.avg.total")
    if average is None or "scale.requests" not in average.quantity:
        return _numbers(spec, analysis, arch, item)
    totals = [k for k in ("qps.avg.total", "qps.peak.total") if k in figures]
    readers = [use for k in totals for use in numeric_uses(arch, figures[k].value) if use not in {f"figure:{t}" for t in totals}]
    said = "the system's total request rate" + (", and the figures and decisions reading it" if readers else "")
    return _first([f"figure:{k}" for k in totals] + readers), said


def _retention(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    years = item.number or 0.0
    keys = [f"figure:{f.key}" for f in arch.figures if f.key.startswith(f"bytes.{years:g}y.")]
    if keys:
        return _first(keys), f"the storage horizon: sizes at {years:g} years (no row is deleted at it: only an entity's retention deletes rows)"
    return [], "no table stores data to size at the horizon"


def _availability(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    made = _decision(arch, "availability")
    if made is not None and _close(made.inputs.get("target", -1.0), item.number or 0.0):
        return ["decision:availability", "figure:availability.composite"], "the target the zones, standbys and failover are chosen to meet"
    return [], "no availability plan was made"


def _regions(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    plan = arch.availability
    if plan is None or not plan.regions:
        return [], "no availability plan was made"
    if _decision(arch, "multi-region") is not None:
        return ["decision:multi-region", "figure:availability.region_cost_ratio"], f"{plan.topology} across {', '.join(plan.regions)}"
    return ["decision:availability"], f"one region named ({plan.regions[0]}): the single-region plan deploys there"


def _rates(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    stated = "avg" if item.value == "average" else "peak"
    keys = [f"figure:{f.key}" for f in arch.figures if f.key.startswith(f"qps.{stated}.") and f.formula == "count / period_s"]
    if keys:
        return _first(keys), f"the use cases' rates are read as {item.value} rates"
    return [], "no use case states a rate"


def _team(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    made = _decision(arch, "deployment-shape")
    if made is not None and f"team of {item.value} " in made.context:
        return ["decision:deployment-shape"], f"a team of {item.value} decides the deployment shape and how many services it can own"
    return [], "the deployment shape was decided without it"


def _teams(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    made = _decision(arch, "deployment-shape")
    if made is not None and "team.teams" in made.context:
        return ["decision:deployment-shape"], f"{item.value} team(s) decide the deployment shape: one team, one deployable"
    return [], "the deployment shape was decided without it"


def _language(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    made = _decision(arch, "runtime")
    if made is not None and "(given)" in made.context:
        return ["decision:runtime"], f"the runtime and framework are {made.choice}"
    return [], "no runtime decision reads it"


def kind_of(name: str) -> tuple[str, str] | None:
    """The decision that chooses among a technology's kind, and that kind in words."""
    for decision_id, pattern, words in KINDS:
        if re.search(pattern, name, re.IGNORECASE):
            return decision_id, words
    return None


def _prefer(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    name = item.subject.lower()
    chosen = [f"decision:{d.id}" for d in arch.decisions if name in d.choice.lower()]
    if chosen:
        return _first(chosen), f"{item.subject} chosen where it fits"
    considered = [(d, a) for d in arch.decisions for a in d.alternatives if name in a.name.lower()]
    if considered:
        decision, alternative = considered[0]
        return [], f"considered in '{decision.id}' and not chosen: {alternative.why_not}"
    kind = kind_of(item.subject)
    made = _decision(arch, kind[0]) if kind else None
    if kind and made is not None:
        return [], f"'{made.id}' chose {made.choice.split(';')[0]}: {item.subject} was not a candidate there"
    return [], f"no decision here chooses {kind[1]}" if kind else f"no decision here chooses among {item.subject}'s kind"


def _avoid(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    name = item.subject.lower()
    chosen = [d.id for d in arch.decisions if name in d.choice.lower() and not d.choice.lower().startswith("not needed")]
    if chosen:
        return [], f"still chosen in {', '.join(chosen)}: no candidate there avoids it"
    rejected = [f"decision:{d.id}" for d in arch.decisions for a in d.alternatives if name in a.name.lower() and a.why_not.startswith("avoided")]
    if rejected:
        return _first(list(dict.fromkeys(rejected))), f"{item.subject} is an alternative rejected by constraint"
    kind = kind_of(item.subject)
    return [], f"no decision here chooses {kind[1]}" if kind else f"no decision here chooses among {item.subject}'s kind"


def _compliance(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    notes = arch.security.compliance if arch.security else []
    if any(item.value.lower() in n.lower() for n in notes):
        return ["security"], f"{item.value.upper()} obligations in the security model and its review items"
    return [], "the security model has no obligations for it"


def _auth(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    if arch.security is not None and arch.security.provider == item.value:
        return ["security"], f"tokens are issued by {item.value}"
    return [], "the security model names no provider"


def _cloud(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    if _decision(arch, "cloud") is not None:
        return ["decision:cloud"], "every part named as the provider's managed service"
    note = next((n.reason for n in arch.pattern_notes if n.pattern == "PAT051"), "no managed-service decision was made")
    return [], note


def _postgres(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    keys = [f"decision:{d.id}" for d in arch.decisions if d.inputs.get("postgres_version") == item.number]
    database = [f"decision:{d.id}" for d in arch.decisions if d.id == "database" and f"PostgreSQL {item.value}" in d.choice]
    if keys or database:
        return _first(keys + database), f"PostgreSQL {item.value} is the database chosen, and decides what generates UUIDv7 keys"
    return [], "no decision chose PostgreSQL"


def _external(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    flows = [f"flow:{f.use_case}" for f in arch.flows if any(s.target == item.owner for s in f.steps)]
    events = [f"event:{e.name}" for e in arch.events if item.owner in e.consumers or tells(arch, e, item.owner)]
    if flows or events:
        return _first(list(dict.fromkeys(flows + events))), "called within requests or told through events"
    return [], "no use case calls or notifies it"


def _external_figure(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    key = item.path.rsplit(".", 1)[1]
    if key == "rate_limit":
        found = [f"bottleneck:{b.title}" for b in arch.bottlenecks if b.scope == item.owner]
        return (found, "the cap its calls are compared with") if found else ([], "no use case calls it at a stated rate")
    flows = [f"flow:{f.use_case}" for f in arch.flows if any(s.kind == "external" and s.target == item.owner for s in f.steps)]
    what = "expected latency and timeout of the calls" if key == "latency_ms" else "the composite availability of the flows calling it"
    return (_first(flows), what) if flows else ([], "no use case calls it within a request")


def _notify(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    audience = item.subject if item.subject in spec.external else "notifications"
    events = [f"event:{e.name}" for e in arch.events if item.owner in published_by(e) and (audience in e.consumers or tells(arch, e, audience))]
    if events:
        by = delivering(arch, audience)
        return events, f"an event of '{item.owner}' delivered to {audience} through the outbox" + (f" by {', '.join(by)}" if by else "")
    return [], "no event carries it"


def _latency(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    flow = next((f for f in arch.flows if f.use_case == item.owner), None)
    if flow is not None and _close(flow.latency_budget_ms, item.number or 0.0):
        return [
            f"flow:{item.owner}"
        ], f"the flow's budget: expected {flow.expected_latency_ms:,.1f} ms of {flow.latency_budget_ms:,.0f} ms, hops timed within it"
    return [], "the use case has no flow to budget"


def _subscribers(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    """deliver.subscribers: the clients online of the subscribing actor, and the recipients of its channel's messages."""
    uses = numeric_uses(arch, item.number or 0.0, r"subscribers|recipients|clients")
    # a figure of this use case first: several use cases stating the same number each read their own
    scopes = {f"figure:{f.key}": f.scope for f in arch.figures}
    own = [u for u in uses if scopes.get(u) == f"use case '{item.owner}'"]
    uses = own + [u for u in uses if u not in own]
    if uses:
        return _first(uses), "the subscribers each message of the stream reaches, and the actor's clients online"
    return [], "the use case delivers nothing on a live connection"


def _consistency(spec: Spec, analysis: Analysis, arch: Architecture, item: StatedInput) -> Trace:
    flow = next((f for f in arch.flows if f.use_case == item.owner), None)
    if flow is not None and flow.consistency == item.value:
        return [f"flow:{item.owner}"], f"{item.value} reads: the flow is {flow.style} ({flow.rationale})"
    return [], "the use case has no flow"


TRACERS: dict[str, Tracer] = {
    "scale.users": _people,
    "scale.daily_active": _people,
    "scale.growth_per_year": _numbers,
    "scale.retention_years": _retention,
    "scale.availability": _availability,
    "scale.regions": _regions,
    "scale.rates": _rates,
    "scale.peak_factor": _numbers,
    "scale.requests": _requests,
    "scale.concurrent_users": _numbers,
    "scale.concurrent_connections": _numbers,
    "team.size": _team,
    "team.teams": _teams,
    "constraints.language": _language,
    "constraints.prefer": _prefer,
    "constraints.avoid": _avoid,
    "constraints.compliance": _compliance,
    "constraints.auth": _auth,
    "constraints.cloud": _cloud,
    "constraints.postgres_version": _postgres,
    "external": _external,
    "external.latency_ms": _external_figure,
    "external.availability": _external_figure,
    "external.rate_limit": _external_figure,
    "use_case.notify": _notify,
    "use_case.latency_ms": _latency,
    "use_case.consistency": _consistency,
    "use_case.deliver.subscribers": _subscribers,
}
