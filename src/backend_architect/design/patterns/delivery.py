"""PAT061: an event told to an external system (a push provider, a webhook, a mailer) is delivered by a worker of its own."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.deliverers import SENDS_PER_INSTANCE, calls_of, instances_for, sender_of
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import decision, figure, fmt
from backend_architect.ir.model import Architecture, Figure
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
    only the broker. Sized ``max(2, ceil(sends/s / 5,000 per instance))``.

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
        made = decision(
            f"delivery.{sender}",
            f"Delivery to {names}",
            "communication",
            f"{sender}: a worker of its own consumes {told} and calls {names} (retried with backoff, dead-lettered after 5 failures, "
            f"idempotent by event id); it alone holds the {names} credentials",
            f"{told} must reach {names} after the commit: {fmt(sends)} {what}/s at peak",
            f"a call to {names} is slow and fails on its own schedule: made from a consumer of the committed event, it neither adds "
            f"to the write's latency nor loses a {one} when {names} is down; the relay only publishes the event",
            alternatives=[
                (f"the writing service calls {names} within the request", "its latency and failures join the write's, and a failed call loses the message"),
                ("the event relay calls them", "a CDC or outbox relay only publishes events: it runs no provider client and keeps no retries per recipient"),
            ],
            consequences=f"{instances} instance(s) = max(2, ceil({fmt(sends)} sends/s / {fmt(SENDS_PER_INSTANCE)} per instance)); "
            f"a {one} leaves after the relay's lag; {names} credentials live in {sender} only",
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
            purpose=f"consumes {told} and sends the {what} to {names}, retried until accepted",
            use_cases=list(dict.fromkeys(e.use_case for e in events)),
            calls=calls,
            instances=instances,
            decision=made.id,
        )
        yield Applied(made, components=(worker,), figures=(sized,))


def _delivered(found: Figure | None) -> dict[str, float]:
    """The terms of an external's peak calls made after a commit (its pushes, its notifications), not within requests."""
    if found is None:
        return {}
    return {k: v for k, v in found.inputs.items() if k.startswith(_DELIVERED) or k.endswith(_FANNED)}


__all__ = ["external_delivery"]
