"""PAT046: rate-limit buckets are ephemeral state, shared only when the instances are too many to split the limit between them."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.audience import audiences
from backend_architect.design.overrides import settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figures, fmt, owner_of, size
from backend_architect.ir.model import Architecture, Decision
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec

#: Up to this many instances, each keeps its own buckets with limit / instances: a client spread over
#: them is limited within 1/N of its allowance, with nothing shared to run.
LOCAL_BUCKETS_MAX_INSTANCES = 4
#: Bytes per token bucket in Redis (key, tokens, timestamp, overhead).
BUCKET_BYTES = 64


@pattern(code="PAT046", name="rate-limit-buckets", stage="placement", title="Place rate-limit buckets")
def rate_limit_buckets(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Whenever the security model sets rate limits (a token bucket per client and class).

    ## What it adds
    A placement for the buckets: the shared cache when the design already runs one; the API
    gateway's limiter when services sit behind one; each instance's memory (limit / instances)
    up to ``LOCAL_BUCKETS_MAX_INSTANCES`` (4) instances; a Redis node past that.

    ## What it costs
    Shared buckets: one round trip to the store per request (under a millisecond) and memory =
    clients online x 2 classes x 64 bytes; local buckets: a client balanced over N instances may
    get up to its limit per instance in a burst.

    ## Alternatives
    A shared store for a few instances (a part to run for a 1/N error); local buckets for many
    instances (the error grows with N).

    ## References
    IETF draft "RateLimit header fields for HTTP"; Stripe engineering, "Scaling your API with rate limiters" (2017).
    """
    security = arch.security
    if security is None or not security.rate_limits:
        return
    known = figures(arch)
    deployables = [v for k, v in known.items() if k.startswith("instances.deployable.")] or [
        v for k, v in known.items() if k.startswith("instances.") and k.count(".") == 1
    ]
    instances = int(max(deployables, default=1))
    audience = audiences(spec, analysis)
    each = ", ".join(f"{a.actor} {fmt(a.clients)}" for a in audience.actors.values())
    clients, basis = audience.clients, f"the actors' clients online, the same people counted once: {each}"
    memory = clients * 2 * BUCKET_BYTES
    # one bucket check (a script taking a token) per request of every limited route
    limited = {name for limit in security.rate_limits for name in limit.use_cases}
    checks = sum(u.peak_qps for u in analysis.use_cases if u.name in limited)
    # the service answering a limited route takes the token: it uses the store holding the buckets
    checkers = sorted({owner for u in analysis.use_cases if u.name in limited and (owner := owner_of(arch, u.entity))})
    redis = next((c for c in arch.components if c.name == "redis"), None)
    if redis is not None:
        by_numbers = "redis"
    elif any(c.kind == "api-gateway" for c in arch.components):
        by_numbers = "gateway"
    else:
        by_numbers = "local" if instances <= LOCAL_BUCKETS_MAX_INSTANCES else "redis"
    variants = {key: names for key, names in VARIANTS.items() if key != "gateway" or any(c.kind == "api-gateway" for c in arch.components)}
    steered = steer(spec, "rate-limits.state", by_numbers, variants, (rate_limit_buckets.code, rate_limit_buckets.name))

    def build(variant: str) -> tuple[str, str, str, tuple[Component, ...]]:
        if variant == "redis" and redis is not None:
            why = f"the design already runs {redis.technology} ({redis.purpose}): the buckets share it"
            return redis.technology, why, "redis", (_bucket_store(redis.technology, memory, checks, checkers),)
        if variant == "redis":
            why = f"{instances} instances > {LOCAL_BUCKETS_MAX_INSTANCES}: local buckets would let a client through up to {instances}x its limit in a burst"
            return named(spec, "redis"), why, "redis", (_bucket_store(named(spec, "redis"), memory, checks, checkers),)
        if variant == "gateway":
            return "the API gateway's per-client limiter", "every request passes the gateway: it keeps the buckets", "api-gateway", ()
        why = f"{instances} instance(s) <= {LOCAL_BUCKETS_MAX_INSTANCES}: each keeps limit / {instances}, within 1/{instances} of the allowance, nothing shared"
        return f"each instance's memory (limit / {instances})", why, "instances", ()

    def record(variant: str) -> Decision:
        store, why, component, _ = build(variant)
        sizing = f"; {fmt(clients)} clients ({basis}) x 2 classes = {size(memory)}" if clients else ""
        return decision(
            "rate-limits.state",
            "Where rate-limit buckets live",
            "security",
            f"token buckets in {store}",
            f"{len(security.rate_limits)} limits per client and class; {instances} instance(s) at peak",
            why + sizing,
            alternatives=[
                ("a shared Redis", "not needed below the instance threshold")
                if component == "instances"
                else ("each instance's memory", "limits drift with N instances")
            ],
            subject="rate-limit buckets",
            inputs={"instances": float(instances), "clients": clients},
            spec=spec,
        ).model_copy(update={"choices": [names[0] for names in variants.values()]})

    store, why, component, components = build(steered.build)
    made = settled(steered, record(steered.by_numbers), record(steered.build))
    place = Placement(
        data="rate-limit buckets",
        data_class="ephemeral",
        store=store,
        reason=why,
        retention="one window (a minute) per bucket",
        component=component,
        decision=made.id,
    )
    yield Applied(made, components=components, placements=(place,))


#: What ``choose:`` builds, by the names an author may use (the API gateway only where services have one).
VARIANTS = {"redis": ["a shared Redis", "Redis", "shared store"], "local": ["each instance's memory", "in process", "local"], "gateway": ["the API gateway"]}


def _bucket_store(technology: str, memory: float, checks: float, checkers: list[str]) -> Component:
    return Component(
        name="redis",
        kind="cache",
        technology=technology,
        purpose="rate-limit buckets",
        services=checkers,
        memory_bytes=memory,
        decision="rate-limits.state",
        operations={"rate_limit_checks": checks},
    )
