"""PAT006: how events travel, chosen from events/s and deliveries/s — an outbox relay, a queue broker, or a partitioned log."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence

from backend_architect.design.analysis import Analysis
from backend_architect.design.overrides import settled, steer
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import self_run
from backend_architect.design.patterns._common import KAFKA_PARTITION_MSGS, OUTBOX_MAX_EVENTS, avoided, decision, figure, fmt
from backend_architect.design.publishers import event_publishers
from backend_architect.design.relay import relay_figure
from backend_architect.ir.model import Architecture, Event, Figure, Flow
from backend_architect.ir.query import DIRECT_SOURCE, OUTBOX_SOURCE, event_source, events_sources
from backend_architect.ir.runtime import Component
from backend_architect.spec.model import Spec

#: Messages/s a RabbitMQ cluster handles comfortably with per-consumer queues; a partitioned log beyond.
QUEUE_MAX_EVENTS = 10_000.0
#: Days a log keeps events, so a consumer down for a weekend catches up by replay.
RETENTION_DAYS = 7
#: Headroom on partitions so a consumer group can grow and a hot key does not fill its partition.
PARTITION_HEADROOM = 2


def event_rates(analysis: Analysis, arch: Architecture) -> tuple[dict[str, float], dict[str, float]]:
    """Per event: events/s at peak, and deliveries/s at peak (each event once per consuming group).

    An event counts every write publishing it through the outbox or a CDC log (two writes may share one event name);
    a write whose path publishes to pub/sub itself (a value kept in memory) reaches the broker only for the event that is
    its own (``Event.use_case``): one its flow's consumers take from the broker, published by the write path itself.
    """
    by_use_case = {u.name: u for u in analysis.use_cases}
    events: dict[str, float] = {}
    deliveries: dict[str, float] = {}
    for event in arch.events:
        # the one list of its publishers (design.publishers): the events table and the contracts name the same writes
        names = event_publishers(arch, event)
        rate = sum(by_use_case[n].peak_qps for n in names if n in by_use_case)
        events[event.name] = events.get(event.name, 0.0) + rate
        deliveries[event.name] = deliveries.get(event.name, 0.0) + rate * max(1, len(event.consumers))
    return events, deliveries


@pattern(code="PAT006", name="event-transport", stage="write_paths", title="Carry events by their rate: outbox relay, queue broker or partitioned log")
def event_transport(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Whenever use cases publish events. Events always commit with the data that caused them
    (a transactional outbox table); what relays them depends on the numbers: up to
    ``OUTBOX_MAX_EVENTS``/s inside one deployable, the relay delivers in process; up to
    ``QUEUE_MAX_EVENTS``/s, a queue broker (RabbitMQ) with per-consumer queues and dead
    letters; beyond, a partitioned log (Kafka) fed by change data capture.

    ## What it adds
    The transport, its partitions (``ceil(peak events / per-partition rate) x 2``), retention,
    the ordering key of each event and the consumer lag to alert on.

    ## What it costs
    Deliveries/s = events/s x consuming groups; a broker is a cluster to run.

    ## Alternatives
    The other two transports, and why not at these numbers.

    ## References
    C. Richardson, "Pattern: Transactional outbox"; Kafka documentation, "Design".
    """
    per_event, per_delivery = event_rates(analysis, arch)
    events, deliveries = sum(per_event.values()), sum(per_delivery.values())
    if not arch.events:
        # a work queue another pattern runs (media jobs) is not an event broker, and this record must not reject what it runs
        queues = [c for c in arch.components if c.kind == "queue"]
        running = " ".join(c.technology.lower() for c in queues)
        brokers = [(name, "nothing to carry yet") for name in ("RabbitMQ", "Apache Kafka") if name.lower().split()[-1] not in running]
        jobs = f"; the work queues ({', '.join(sorted({c.technology for c in queues}))}) carry jobs, not events" if queues else ""
        yield Applied(
            decision(
                "messaging",
                "Messaging",
                "communication",
                "not needed: no use case publishes events",
                "no events",
                "every use case completes in one request within one service" + jobs,
                alternatives=brokers[:1],
                subject="system",
            )
        )
        return
    keys = ", ".join(f"{e.name} by {e.key}" for e in arch.events)
    context = f"{len(arch.events)} event type(s): {fmt(events)} events/s and {fmt(deliveries)} deliveries/s at peak"
    figures_out: tuple[Figure, ...] = (
        figure("events.peak", "events published per second at peak", events, "events/s", "sum of the peak rates of the use cases publishing them", per_event),
        figure(
            "events.deliveries.peak",
            "event deliveries per second at peak",
            deliveries,
            "deliveries/s",
            "sum over events of rate x consuming groups",
            per_delivery,
        ),
    )
    relayed = [s for s in events_sources(arch) if s != DIRECT_SOURCE]
    if relayed:
        # every event-fed consumer's lag counts this hop (design/relay.py): the broker's record states it once
        figures_out += (relay_figure(relayed),)
    monolith = arch.deployment == "modular-monolith"
    # a store's CDC log is read by a connector that publishes to a broker: an in-process outbox relay cannot carry those events
    logged = any(source != OUTBOX_SOURCE for source in events_sources(arch))
    if monolith and events <= OUTBOX_MAX_EVENTS and not logged:
        by_numbers = "outbox"
    elif events <= QUEUE_MAX_EVENTS and not avoided(spec, "rabbitmq"):
        by_numbers = "rabbitmq"
    else:
        by_numbers = "kafka"
    builders = {"outbox": _outbox, "rabbitmq": _rabbitmq, "kafka": _kafka}
    steered = steer(spec, "messaging", by_numbers, {k: [name] for k, name in _NAMES.items()}, ("PAT006", "event-transport"))
    built = builders[steered.build](spec, arch, events, deliveries, context, keys, figures_out)
    numbers = builders[by_numbers](spec, arch, events, deliveries, context, keys, figures_out) if steered.overruled else built
    assert built.decision is not None
    assert numbers.decision is not None
    choices = list(_NAMES.values())
    record = settled(steered, numbers.decision.model_copy(update={"choices": choices}), built.decision.model_copy(update={"choices": choices}))
    yield dataclasses.replace(built, decision=record)


def restated_deliveries(analysis: Analysis, arch: Architecture, events: Sequence[Event], flows: Sequence[Flow] = ()) -> Applied | None:
    """The deliveries figure and this record restated where the finished design's events and flows count otherwise than the
    transport did (``design/settled_deliveries.py``): every event's consuming groups are counted where they are stated,
    so the events table and the figure agree. None when nothing changes (or no broker record was made). An event a later
    pattern adds (the cross-shard write's applier) is not restated here: the pipeline decides the transport again with it.

    ``flows`` are the flows the same pattern rewrites (each write's outbox step): an event's publishers are read off them
    (``design.publishers``), so two writes publishing one event are both counted, not only the one that named it last.
    """
    record = next((d for d in arch.decisions if d.id == "messaging"), None)
    known = next((f for f in arch.figures if f.key == "events.deliveries.peak"), None)
    if record is None or known is None:
        return None
    merged = {e.name: e for e in arch.events} | {e.name: e for e in events}
    drawn = list(({f.use_case: f for f in arch.flows} | {f.use_case: f for f in flows}).values())
    _, per = event_rates(analysis, arch.model_copy(update={"events": list(merged.values()), "flows": drawn}))
    total = sum(per.values())
    if fmt(total) == fmt(known.value):
        return None
    context = record.context.replace(f"{fmt(known.value)} deliveries/s", f"{fmt(total)} deliveries/s")
    restated = record.model_copy(update={"context": context, "inputs": {**record.inputs, "deliveries_per_s": total}})
    return Applied(restated, figures=(known.model_copy(update={"value": total, "inputs": per}),))


#: The name of the process that carries events from where they are written to the broker: drawn and provisioned under it.
EVENT_RELAY = "event-relay"


def event_relay(arch: Architecture, technology: str) -> tuple[Component, ...]:
    """The relay a broker is fed by, as a part to provision: it reads the outbox or a store's CDC log and publishes to the broker.

    The architecture diagram draws a relay per source of events: so the process doing that is in the list of parts to run,
    named as drawn. It only publishes: what an external must be told is sent by the worker consuming the event (PAT061,
    ``design/deliverers.py``), which holds that external's credentials. Events the write path publishes itself need none.
    """
    relayed = [e for e in arch.events if event_source(arch, e) != DIRECT_SOURCE]
    if not relayed:
        return ()
    sources = " and ".join(s for s in events_sources(arch) if s != DIRECT_SOURCE)
    return (
        Component(
            name=EVENT_RELAY,
            kind="worker",
            technology=technology,
            purpose=f"reads {sources} and publishes each event to the broker",
            services=sorted({e.producer for e in relayed}),
            instances=2,
            decision="messaging",
        ),
    )


def _sources(arch: Architecture) -> str:
    """What the broker's relay reads: the transactional outbox, each CDC log of a store other than PostgreSQL; and the write
    paths that publish themselves (a value kept in memory), named apart since no relay reads them."""
    found = events_sources(arch)
    relayed = " and ".join(s for s in found if s != DIRECT_SOURCE) or "nothing"
    direct = [e.name for e in arch.events if event_source(arch, e) == DIRECT_SOURCE]
    return relayed + (f" (and {', '.join(direct)} published to it by the write path itself: no outbox row)" if direct else "")


def _fed_by_cdc(arch: Architecture) -> str:
    sources = _sources(arch)
    if sources == OUTBOX_SOURCE:
        return "fed from the transactional outbox by change data capture (Debezium)"
    return f"fed by change data capture (Debezium) from {sources}"


_NAMES = {"outbox": "transactional outbox relayed in process", "rabbitmq": "RabbitMQ", "kafka": "Apache Kafka"}


def beside_work_queues(arch: Architecture, alternatives: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The broker's alternatives, each one a work queue of the design already runs saying why both choices hold.

    A technology one record chooses (RabbitMQ for media jobs) is never an option another record rejects
    unexplained: the work queue carries jobs (one consumer each, acknowledged, retried, dead-lettered,
    with no order or replay to keep), the broker carries events to every consuming group; the
    rejection is of that technology in the broker's role only.
    """
    queues = [c for c in arch.components if c.kind == "queue"]
    out = []
    for name, why in alternatives:
        running = sorted(c.name for c in queues if name.lower().split()[-1] in c.technology.lower())
        if running:
            why = (
                f"already runs {', '.join(running)} for jobs (each taken by one worker, acknowledged, retried and dead-lettered, with no order "
                f"or replay to keep), where it stays; as the event broker: {why}"
            )
        out.append((name, why))
    return out


def _outbox(spec: Spec, arch: Architecture, events: float, deliveries: float, context: str, keys: str, figures_out: tuple[Figure, ...]) -> Applied:
    services = {s.name for s in arch.services}
    # workers beside the deployable (a search indexer, the real-time gateway) consume too: they read the outbox or the relay's pub/sub
    # externals a module calls (an email provider) are not readers: the module that handles the event calls them
    outside = services | {x.name for x in arch.externals}
    beside = sorted({c for e in arch.events for c in e.consumers if c not in outside} | {c.name for c in arch.components if c.kind == "realtime-gateway"})
    where = (
        f"the modules consume in the same deployable and {', '.join(beside)} {'reads' if len(beside) == 1 else 'read'} the outbox or the relay's pub/sub"
        if beside
        else "every consumer runs in the same deployable"
    )
    made = decision(
        "messaging",
        "Messaging",
        "communication",
        "Transactional outbox table, relayed in process by a poller (no broker)",
        context,
        f"{fmt(events)} events/s at peak is within what one outbox relay publishes ({fmt(OUTBOX_MAX_EVENTS)}/s), and {where}: "
        "events commit with their data and need no broker",
        alternatives=beside_work_queues(
            arch,
            [
                ("RabbitMQ", "a broker to operate for events that never leave the process; adopt it when a module is extracted"),
                ("Apache Kafka", f"built for sustained high throughput and replay; {fmt(events)} events/s needs neither"),
            ],
        ),
        consequences="Handlers are idempotent (keyed by event id) so the relay may deliver twice. Ordering keys: " + keys + ".",
        subject="system",
        inputs={"events_per_s": events, "deliveries_per_s": deliveries},
        spec=spec,
    )
    return Applied(made, figures=figures_out)


def _managed(spec: Spec) -> str:
    """The broker's note: managed on a cloud offering it as a service, none where the team runs it (its own data centres)."""
    return "" if self_run(spec) else " (managed)"


def _rabbitmq(spec: Spec, arch: Architecture, events: float, deliveries: float, context: str, keys: str, figures_out: tuple[Figure, ...]) -> Applied:
    made = decision(
        "messaging",
        "Message broker",
        "communication",
        f"RabbitMQ{_managed(spec)}, fed by a relay reading {_sources(arch)}: one queue per consumer, retries and a dead-letter queue",
        context,
        f"{fmt(events)} events/s at peak is well within one cluster ({fmt(QUEUE_MAX_EVENTS)}/s), and consumers need queues of their own",
        alternatives=beside_work_queues(
            arch,
            [
                ("Apache Kafka", f"a partitioned log for high throughput and replay; {fmt(events)} events/s needs neither and it costs more to run"),
                ("Outbox relayed in process", "only while every consumer runs in the producer's deployable"),
                ("NATS JetStream", "light and fast, but fewer managed offerings and less tooling for dead letters"),
            ],
        ),
        consequences="Handlers are idempotent (keyed by event id); a message that fails 5 times moves to the dead-letter queue and alerts. "
        "Ordering keys: " + keys + ".",
        subject="system",
        inputs={"events_per_s": events, "deliveries_per_s": deliveries},
        spec=spec,
    )
    broker = Component(
        name="broker",
        kind="broker",
        technology=f"RabbitMQ 3 ({'' if self_run(spec) else 'managed, '}3 nodes)",
        purpose="carries events between services",
        services=sorted({e.producer for e in arch.events}),
        instances=3,
        decision="messaging",
    )
    logged = any(source not in {OUTBOX_SOURCE, DIRECT_SOURCE} for source in events_sources(arch))
    relay = event_relay(arch, "Debezium Server (2 instances)" if logged else "an outbox relay (2 instances, FOR UPDATE SKIP LOCKED)")
    return Applied(made, components=(broker, *relay), figures=figures_out)


def _kafka(spec: Spec, arch: Architecture, events: float, deliveries: float, context: str, keys: str, figures_out: tuple[Figure, ...]) -> Applied:
    # a consumer group runs at most one consumer per partition: the largest group of event-consuming workers sets a floor
    consumers = max((c.instances or 0 for c in arch.components if c.kind == "worker" and "consumer" in c.technology), default=0)
    partitions = max(3, math.ceil(events / KAFKA_PARTITION_MSGS) * PARTITION_HEADROOM, consumers)
    made = decision(
        "messaging",
        "Message broker",
        "communication",
        f"Apache Kafka{_managed(spec)}, {partitions} partitions per busy topic, {_fed_by_cdc(arch)}; {RETENTION_DAYS}-day retention",
        context,
        f"{fmt(events)} events/s at peak passes what a queue broker carries ({fmt(QUEUE_MAX_EVENTS)}/s): a partitioned log scales by "
        f"partitions (max(3, ceil({fmt(events)} / {fmt(KAFKA_PARTITION_MSGS)} per partition) x {PARTITION_HEADROOM} headroom"
        + (f", {consumers} consumers of the largest group, one a partition" if consumers else "")
        + f") = {partitions}), keeps "
        "per-key order and lets a consumer replay",
        alternatives=beside_work_queues(
            arch,
            [
                ("RabbitMQ", f"struggles past ~{fmt(QUEUE_MAX_EVENTS)} msgs/s per queue and keeps no history to replay"),
                ("Outbox polled by a relay", f"one poller publishes about {fmt(OUTBOX_MAX_EVENTS)} events/s; {fmt(events)}/s needs CDC into a log"),
                ("NATS JetStream", "fewer managed offerings and less tooling at this volume"),
            ],
        ),
        consequences=f"Consumer lag is alerted past 10 s; each event is keyed for order ({keys}); consumers are idempotent by event id; "
        f"{RETENTION_DAYS} days of retention let a failed consumer catch up by replay.",
        subject="system",
        inputs={"events_per_s": events, "deliveries_per_s": deliveries, "partitions": partitions},
        spec=spec,
    )
    log = Component(
        name="broker",
        kind="broker",
        technology=f"Apache Kafka ({'' if self_run(spec) else 'managed, '}{partitions} partitions per busy topic)",
        purpose="carries events between services",
        services=sorted({e.producer for e in arch.events}),
        instances=3,
        decision="messaging",
    )
    partitions_figure = figure(
        "events.partitions",
        "partitions per busy topic",
        partitions,
        "partitions",
        "max(3, ceil(events / partition_rate) x headroom, consumer_workers)",
        {"events": events, "partition_rate": KAFKA_PARTITION_MSGS, "headroom": PARTITION_HEADROOM, "consumer_workers": float(consumers)},
    )
    relay = event_relay(arch, "Debezium on Kafka Connect (2 workers)")
    return Applied(made, components=(log, *relay), figures=(*figures_out, partitions_figure))
