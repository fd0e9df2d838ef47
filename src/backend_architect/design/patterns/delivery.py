"""PAT061: an event told to an external system (a push provider, a webhook, a mailer) is delivered by a worker of its own."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.audience import audiences
from backend_architect.design.deliverers import SENDS_PER_INSTANCE, calls_of, instances_for, sender_of
from backend_architect.design.offline_pushes import offline_rule
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, fmt
from backend_architect.design.patterns._routes import route
from backend_architect.design.patterns.realtime import GATEWAY, recipient_entity
from backend_architect.ir.model import Architecture, Event, Figure
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import PUSH_KINDS, Spec

#: The terms of ``qps.peak.external.<name>`` that are deliveries after a commit (not calls within a request): a push
#: provider's share of the pushes, a notified external's writes x fan-out.
_DELIVERED = ("push_",)
_FANNED = "_x_fanout"


@pattern(code="PAT061", name="external-delivery", stage="write_paths", title="Deliver events to external systems from a worker of its own")
def external_delivery(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    An event must reach a system outside ours after its write commits: a push provider
    (APNs, FCM) for the recipients not connected, or an external a use case ``notify``s
    (a partner's webhook, a mailer). One worker per kind of external delivers them (the push
    providers share one); it applies whenever such an event exists, whatever its rate.

    ## What it adds
    The worker (``push-sender``, ``webhook-sender``, ...) as a component of its own: it
    consumes the events from the broker (or the in-process relay), calls each external with
    retries and backoff, dead-letters after 5 failures and is idempotent by event id; it alone
    holds the external's credentials. The relay only publishes; the writing service reaches
    only the broker. Sized ``max(2, ceil(sends/s / 5,000 per instance))``. Where the real-time
    gateway delivers the same event, the push sender decides who is offline: it looks up each
    recipient's presence key (else its connection registry entry) in the gateway's Redis and
    pushes to those with none (``design/offline_pushes.py``), so it holds the Redis setting and
    its lookups (publishes x recipients a second) are counted on Redis.

    ## What it costs
    A deployable to run, sized from the peak sends (``qps.peak.external.<name>``'s delivered
    terms); each send waits at most the relay's lag and the queue ahead of it.

    ## Alternatives
    Calling the external from the writing service within the request (its latency and
    availability join the write's, and a failure loses the notification); the CDC relay
    calling it (a connector publishes to the broker, it runs no provider client and keeps no
    retries per recipient).

    ## References
    C. Richardson, "Pattern: Transactional outbox"; Apple, "Sending notification requests to APNs"; Svix, "Webhook delivery".
    """
    known = {f.key: f for f in arch.figures}
    takers = sorted({c for e in arch.events for c in e.consumers if c in {sender_of(spec, n) for n in spec.external}})
    for sender in takers:
        calls = calls_of(spec, sender)
        events = [e for e in arch.events if sender in e.consumers]
        inputs = {f"{name}.{term}": value for name in calls for term, value in _delivered(known.get(f"qps.peak.external.{name}")).items()}
        sends = sum(inputs.values())
        instances = instances_for(sends, SENDS_PER_INSTANCE)
        push = any((spec.external[n].kind or "").lower() in PUSH_KINDS for n in calls)
        what, one = ("push notifications", "push notification") if push else ("deliveries", "delivery")
        names, told = ", ".join(calls), ", ".join(e.name for e in events)
        # events the gateway also delivers: the sender pushes only to recipients it finds offline in Redis (offline_pushes.py)
        live = [e for e in events if GATEWAY in e.consumers] if push else []
        lookups, looked = _lookups(analysis, known, live)
        rules = list(dict.fromkeys(offline_rule(spec, entity, sender, calls) for entity in _recipient_entities(spec, analysis, live)))
        reads = f"; for {', '.join(e.name for e in live)}, {'; '.join(rules)}" if rules else ""
        made = decision(
            f"delivery.{sender}",
            f"Delivery to {names}",
            "communication",
            f"{sender}: a worker of its own consumes {told} and calls {names} (retried with backoff, dead-lettered after 5 failures, "
            f"idempotent by event id); it alone holds the {names} credentials{reads}",
            f"{told} must reach {names} after the commit: {fmt(sends)} {what}/s at peak",
            f"a call to {names} is slow and fails on its own schedule: made from a consumer of the committed event, it neither adds "
            f"to the write's latency nor loses a {one} when {names} is down; the relay only publishes the event",
            alternatives=[
                (f"the writing service calls {names} within the request", "its latency and failures join the write's, and a failed call loses the message"),
                ("the event relay calls them", "a CDC or outbox relay only publishes events: it runs no provider client and keeps no retries per recipient"),
            ],
            consequences=f"{instances} instance(s) = max(2, ceil({fmt(sends)} sends/s / {fmt(SENDS_PER_INSTANCE)} per instance)); "
            f"a {one} leaves after the relay's lag; {names} credentials live in {sender} only"
            + (f"; {fmt(lookups)} Redis key lookups/s at peak (one per recipient of each message) to find who is offline" if live else ""),
            subject=sender,
            inputs={"sends_per_s": sends, "instances": float(instances)},
            spec=spec,
        )
        sized: Figure = figure(
            f"delivery.instances.{sender}",
            f"instances of {sender} at peak ({what} to {names})",
            float(instances),
            "instances",
            "max(2, ceil(sends / sends_per_instance))",
            {"sends": sends, "sends_per_instance": SENDS_PER_INSTANCE},
            sender,
        )
        worker = Component(
            name=sender,
            kind="worker",
            technology=f"an event consumer calling {names} ({instances} instances)",
            purpose=f"consumes {told} and sends the {what} to {names}, retried until accepted"
            + (" (to the recipients it finds offline in Redis, for what the gateway also delivers)" if live else ""),
            use_cases=list(dict.fromkeys(e.use_case for e in events)),
            calls=calls,
            instances=instances,
            decision=made.id,
        )
        if not live:
            yield Applied(made, components=(worker,), figures=(sized,))
            continue
        # the sender reads the gateway's Redis: it holds its setting, is drawn linked to it, and its lookups load it
        reader = Component(
            name="redis",
            kind="cache",
            technology=named(spec, "redis"),
            purpose=f"presence keys and the connection registry {sender} reads to find the recipients offline",
            parts=[sender],
            use_cases=list(dict.fromkeys(e.use_case for e in live if e.use_case)),
            decision=made.id,
            operations={f"offline_lookups_{sender}": lookups},
        )
        counted = figure(
            f"delivery.offline_lookups.{sender}",
            f"Redis keys {sender} looks up/s at peak to find the recipients offline",
            lookups,
            "lookups/s",
            "sum over the deliveries the gateway also makes of publishes x recipients",
            looked,
            sender,
        )
        yield Applied(made, components=(worker, reader), figures=(sized, counted))


def _lookups(analysis: Analysis, known: dict[str, Figure], live: list[Event]) -> tuple[float, dict[str, float]]:
    """Keys the sender looks up a second: every recipient of each message of a live delivery that pushes (its push figure's
    publishes x recipients, the terms the offline share then divides), connected or not."""
    inputs: dict[str, float] = {}
    for use_case in analysis.use_cases:
        if use_case.name not in {e.use_case for e in live}:
            continue
        pushed = known.get(f"realtime.push.{use_case.id}")
        if pushed is None or "online_share" not in pushed.inputs:
            continue
        inputs[f"publishes_{use_case.id}"] = pushed.inputs["publishes"]
        inputs[f"recipients_{use_case.id}"] = pushed.inputs["recipients"]
    total = sum(v * inputs[f"recipients_{k.removeprefix('publishes_')}"] for k, v in inputs.items() if k.startswith("publishes_"))
    return total, inputs


def _recipient_entities(spec: Spec, analysis: Analysis, live: list[Event]) -> list[str | None]:
    """The entities the live deliveries' recipients are rows of, each once (the key the sender reads depends on it)."""
    audience = audiences(spec, analysis)
    names = {e.use_case for e in live}
    return list(dict.fromkeys(recipient_entity(spec, audience, route(spec, analysis, u, audience)) for u in analysis.use_cases if u.name in names))


def _delivered(found: Figure | None) -> dict[str, float]:
    """The terms of an external's peak calls made after a commit (its pushes, its notifications), not within requests."""
    if found is None:
        return {}
    return {k: v for k, v in found.inputs.items() if k.startswith(_DELIVERED) or k.endswith(_FANNED)}


__all__ = ["external_delivery"]
