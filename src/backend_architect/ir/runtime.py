"""What runs beside the services: infrastructure components, batch jobs, where each kind of
data lives, how the system survives failure, and the stages it grows through.

Design patterns add these to the Architecture; renderers draw and list them; the design
critic checks that every technology a decision chose is one of them, and that nothing
a decision rejected is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backend_architect.ir.base import IRModel

ComponentKind = Literal[
    "cache",
    "broker",
    "queue",
    "api-gateway",
    "load-balancer",
    "realtime-gateway",
    "cdn",
    "object-store",
    "search-engine",
    "worker",
    "scheduler",
    "warehouse",
    "wide-column",
    "key-value",
]


class Component(IRModel):
    """An infrastructure part the design needs, with what it is for and how big it is."""

    name: str = Field(description="Stable name, e.g. 'redis', 'timeline-fanout-worker'.")
    kind: ComponentKind
    technology: str = Field(description="What runs it, e.g. 'Redis 7 (cluster)', 'Kafka', 'S3-compatible object storage'.")
    purpose: str = Field(description="What it does in this design, in one line.")
    services: list[str] = Field(default_factory=list, description="Services that use it.")
    parts: list[str] = Field(
        default_factory=list,
        description="Other components that use it, by name (the real-time gateway keeping its connection registry, subscriptions and "
        "presence keys in Redis): drawn linked to it, as the services are.",
    )
    pubsub: str | None = Field(
        default=None,
        description="The component whose pub/sub carries the events it consumes to the node holding each subscriber (Redis, for the "
        "real-time gateway): an event's relay publishes there, and it delivers from there; None when events reach it directly.",
    )
    use_cases: list[str] = Field(default_factory=list, description="Use cases it serves.")
    calls: list[str] | None = Field(
        default=None,
        description="For a worker delivering events outside the system (a push sender, a webhook deliverer): the external systems it "
        "calls, whose credentials it alone holds; None for a part that calls none.",
    )
    redelivery: str | None = Field(
        default=None,
        description="For a worker consuming events whose writes land outside its service's database (Redis lists, a search index): "
        "how a redelivered event is made harmless there, by the key it writes; it then keeps no processed-events row, which no "
        "transaction could commit with those writes. None: a redelivered event is skipped by its service's processed events.",
    )
    instances: int | None = Field(default=None, description="Nodes or workers, where the design sizes them.")
    memory_bytes: float | None = Field(default=None, description="Memory it needs, where the design sizes it.")
    decision: str | None = Field(default=None, description="Id of the decision that chose it.")
    #: Operations/s at peak each mechanism sends it, by term (``presence_heartbeats``): a shared store is sized from their sum,
    #: stated as a figure (``redis.ops.peak``); kept out of the hand-off, which carries the figure.
    operations: dict[str, float] = Field(default_factory=dict, exclude=True)


class StoreLoad(IRModel):
    """Reads and writes/s at peak a mechanism itself performs on the table of one entity (a fan-out worker paging followers)."""

    entity: str
    key: str = Field(description="The name of this load among the database's inputs, e.g. 'fanout_post-tweet'.")
    quantity: str = Field(description="What it is, for people: 'follower pages/s the fan-out worker reads for post tweet'.")
    reads_per_s: float = 0.0
    writes_per_s: float = 0.0
    formula: str
    inputs: dict[str, float] = Field(default_factory=dict)
    by: str = Field(
        default="",
        description="The column its reads select rows by ('' when by the row's key or the shard key the caller carries): "
        "on a table sharded by another column they visit every shard.",
    )
    cached_by: str = Field(
        default="",
        description="A read use case whose cache also serves these reads (a get of the same rows): only its misses reach the database.",
    )
    carries: list[str] = Field(
        default_factory=list,
        description="Columns of the rows it reads that the request names besides ``by`` (a parent id in its path, the caller's own "
        "reference on an owner-only request): on a table sharded by one of them a read by another ``by`` reaches one shard.",
    )
    keys_per_read: float = Field(
        default=1.0,
        description="Values of ``by`` one request names (a feed's read-time merge of 5 authors: 5): on a table sharded by ``by`` it "
        "reads one shard per value, so one request touches several shards.",
    )
    keys_from: list[str] = Field(
        default_factory=list,
        description="Entities whose rows, read by an earlier step of the same request, give the values of ``by`` (a feed's read-time "
        "merge reads the authors the reader's Follow rows name): the request reads those rows first.",
    )


class Mechanism(IRModel):
    """How a pattern serves one use case's read or write: computed once by the pattern, read by every stage that describes the path.

    The database load, table rates, growth stages, communication table, sequence and architecture
    diagrams, broker sizing and failure table all read these records, so none of them counts a
    write a mechanism keeps in memory or draws a read it serves as an event-fed copy.
    """

    use_case: str
    pattern: str = Field(description="Code of the pattern (PATnnn).")
    decision: str | None = Field(default=None, description="Id of the decision that chose it.")
    serves: Literal["read", "write"]
    store: str = Field(description="The component serving the path (redis, search-engine), or the worker doing the mechanism's work.")
    entities: list[str] = Field(default_factory=list, description="Entities whose reads or writes it serves.")
    how: str = Field(description="What it does on the path, in one line (GEOSEARCH on the GEO set, GEOADD instead of an UPDATE).")
    database_share: float = Field(default=1.0, description="Share of the path's peak rate that still reaches its database (0: none).")
    publish: Literal["outbox", "direct", "cdc"] = Field(
        default="outbox",
        description="For a write: its change events commit to the outbox, the write path publishes to pub/sub itself, or the store "
        "holding the row publishes them from its change-data-capture log (a wide-column store: no outbox table).",
    )
    loads: list[StoreLoad] = Field(default_factory=list, description="Reads and writes the mechanism itself performs on databases.")
    lag_seconds: float | None = Field(
        default=None,
        description="For a read: seconds a committed write takes to reach the store serving it, where a worker or indexer feeds that "
        "store from change events (a search index, a feed's lists, an analytics copy): the read is eventual by that much, whatever the "
        "spec asked. None where the write keeps the store current itself.",
    )
    lag_figure: str = Field(default="", description="Key of the figure stating ``lag_seconds`` with its formula.")


def side_write(mechanism: Mechanism) -> bool:
    """A write the request also makes to Redis after its commit (a lookup key set when a row is created, a kept page pushed onto):
    drawn after the commit in its sequence and timed in its latency, since the request answers only once it is done.

    >>> side_write(Mechanism(use_case="send", pattern="PAT002", serves="write", store="redis", how="push"))
    True
    """
    return mechanism.serves == "write" and mechanism.publish == "outbox" and mechanism.store == "redis" and mechanism.database_share == 1.0


class Job(IRModel):
    """A scheduled batch job: what it reads, what it writes, and the throughput that finishes it in time."""

    use_case: str
    service: str
    schedule: str
    interval_s: float
    reads: list[str] = Field(default_factory=list, description="Tables it reads, in its own store.")
    writes: list[str] = Field(default_factory=list, description="Tables or read models it writes.")
    rows_per_run: float = 0.0
    rows_per_s: float = 0.0
    workers: int = 1
    queue: str = Field(default="", description="Where its work items wait (a queue, or the scheduler alone).")
    retries: str = ""
    idempotency: str = ""
    trigger: str = Field(default="the scheduler", description="What starts a run; never a public endpoint.")


DataClass = Literal["transactional", "blob", "event-log", "analytical", "search", "ephemeral", "read-model"]


class Placement(IRModel):
    """Where one class of data lives, and the number that decided it."""

    data: str = Field(description="The table, field or state placed, e.g. 'messages', 'videos.file', 'presence'.")
    data_class: DataClass
    store: str = Field(description="The store it lives in, e.g. 'postgresql (partitioned by day)', 'object storage', 'redis'.")
    reason: str = Field(description="The number and threshold that decided it.")
    retention: str = Field(default="", description="How long it is kept and what expires it.")
    component: str | None = Field(default=None, description="Name of the component (or 'postgresql') that holds it.")
    alternatives: list[str] = Field(default_factory=list, description="Stores considered and why not, at these numbers.")
    decision: str | None = Field(default=None, description="Id of the decision that placed it, when one did.")


class DependencyImpact(IRModel):
    """What a dependency's failure does to the use cases that need it."""

    dependency: str
    effect: Literal["degrade", "queue", "fail"]
    use_cases: list[str] = Field(default_factory=list)
    detail: str = ""


class AvailabilityPlan(IRModel):
    """How the system meets its availability target: zones, replicas, failover, and the arithmetic."""

    target: float | None = Field(default=None, description="The spec's target, e.g. 0.999.")
    topology: Literal["single-zone", "multi-zone", "active-passive", "active-active"]
    zones: int
    regions: list[str] = Field(default_factory=list)
    database: str = Field(description="Replicas, standbys and how failover happens.")
    failover: Literal["automatic", "manual"]
    rto_seconds: float = Field(description="Expected time to recover service after the primary fails.")
    rpo_seconds: float = Field(description="Writes that may be lost, in seconds, from the replication mode.")
    composite: float = Field(description="Availability computed from the parts a request needs.")
    parts: dict[str, float] = Field(default_factory=dict, description="Each part's availability in the composite.")
    impacts: list[DependencyImpact] = Field(default_factory=list)
    load_balancer: str = Field(default="", description="What spreads requests over the instances and how unhealthy ones leave rotation.")
    redundancy: dict[str, str] = Field(default_factory=dict, description="Each stateful part and its copies, e.g. 'redis': '1 replica per shard'.")
    rationale: str = ""


class GrowthStage(IRModel):
    """One step of growth: what to build, and the number at which it becomes necessary."""

    order: int
    name: str
    now: bool = Field(description="Needed at today's load (True), or later (False).")
    trigger: str = Field(description="The figure and the threshold that call for it.")
    adds: list[str] = Field(default_factory=list, description="What this stage builds.")
    figure: str | None = Field(default=None, description="Key of the figure the trigger watches.")
    later: list[str] = Field(
        default_factory=list, description="Parts of a stage built now that wait for their own trigger (a table sharded later than another)."
    )


class RealtimeChannel(IRModel):
    """A stream of changes pushed to connected clients: what travels on it, to whom, and how many deliveries."""

    name: str = Field(description="Stable name, e.g. 'conversation-messages'.")
    address: str = Field(description="The channel's address on the gateway, with its parameters, e.g. 'conversations/{conversation_id}/messages'.")
    parameters: list[str] = Field(default_factory=list, description="The parameters of the address: the id that scopes the channel.")
    transport: Literal["websocket", "sse"]
    entity: str = Field(description="The entity whose rows travel on the channel.")
    events: list[str] = Field(default_factory=list, description="The events published when a row changes; the gateway forwards them.")
    fields: list[str] = Field(default_factory=list, description="Columns carried by each message.")
    withheld: list[str] = Field(
        default_factory=list,
        description="Personal (pii) columns its messages leave out: the recipients are not the people the row names, so they see it as a "
        "read shows other users' rows.",
    )
    use_cases: list[str] = Field(default_factory=list, description="Use cases that asked for the delivery.")
    publishers: list[str] = Field(default_factory=list, description="Use cases whose writes are pushed on it.")
    recipients: str = Field(description="Who is subscribed, in words, with the number per message.")
    recipients_per_message: float = 1.0
    publishes_per_s: float = Field(default=0.0, description="Messages published on it per second at peak.")
    deliveries_per_s: float = Field(default=0.0, description="Messages pushed to clients per second at peak.")
    offline: str = Field(default="", description="What a recipient without an open connection gets (push notification, or a fetch on reconnect).")
    catch_up: list[str] = Field(
        default_factory=list,
        description="The list reads that page through what it streams, for a first load and for what a subscriber missed since its last "
        "cursor (the catch-up reads): their rate limit lets a client read pages faster than the stream produces.",
    )
    access: Literal["public", "private"] = Field(
        default="private",
        description="public: anyone may subscribe without a token (the reads it mirrors need no login: visitors watching an item); "
        "private: a subscriber authenticates with its access token (its own messages, a room's members, a signed-in read).",
    )
    decision: str | None = Field(default=None, description="Id of the decision that chose it.")


class PatternNote(IRModel):
    """A pattern considered and not applied, with the number that said no."""

    pattern: str
    subject: str
    reason: str
