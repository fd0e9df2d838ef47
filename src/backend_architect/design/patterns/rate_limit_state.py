"""PAT046: rate-limit buckets are ephemeral state, shared only when the instances are too many to split the limit between them."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.online import online
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figures, fmt, size
from backend_architect.ir.model import Architecture
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
    peak = online(spec)
    clients, basis = peak.connections, peak.formula
    memory = clients * 2 * BUCKET_BYTES
    redis = next((c for c in arch.components if c.name == "redis"), None)
    components: tuple[Component, ...] = ()
    if redis is not None:
        store, why = redis.technology, f"the design already runs {redis.technology} ({redis.purpose}): the buckets share it"
        component = "redis"
        components = (
            Component(name="redis", kind="cache", technology=redis.technology, purpose="rate-limit buckets", memory_bytes=memory, decision="rate-limits.state"),
        )
    elif arch.deployment == "microservices":
        store, why, component = "the API gateway's per-client limiter", "every request passes the gateway: it keeps the buckets", "api-gateway"
    elif instances <= LOCAL_BUCKETS_MAX_INSTANCES:
        store = f"each instance's memory (limit / {instances})"
        why = f"{instances} instance(s) <= {LOCAL_BUCKETS_MAX_INSTANCES}: each keeps limit / {instances}, within 1/{instances} of the allowance, nothing shared"
        component = "instances"
    else:
        store = named(spec, "redis")
        why = f"{instances} instances > {LOCAL_BUCKETS_MAX_INSTANCES}: local buckets would let a client through up to {instances}x its limit in a burst"
        component = "redis"
        components = (Component(name="redis", kind="cache", technology=store, purpose="rate-limit buckets", memory_bytes=memory, decision="rate-limits.state"),)
    sizing = f"; {fmt(clients)} clients ({basis}) x 2 classes = {size(memory)}" if clients else ""
    made = decision(
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
    )
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
