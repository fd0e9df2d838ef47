"""Events: written to the outbox in the writing transaction, published after commit by the relay.

A change and the event announcing it commit together or not at all, so no event is lost
and none reports a change that rolled back. The relay publishes in commit order per
outbox (one relay at a time holds the outbox's advisory lock), at least once: consumers
skip event ids they have processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import structlog
from sqlalchemy import Table, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .ids import new_uuid
from .values import to_json

log = structlog.get_logger(__name__)

#: Events published per relay transaction.
BATCH = 100


@dataclass(frozen=True)
class EventSpec:
    """A designed event: its name, the channel (AsyncAPI address) it goes to, its key and fields (some read through joins)."""

    name: str
    channel: str
    key: str
    fields: tuple[str, ...]
    joins: Mapping[str, Any] = field(default_factory=dict)


def payload(event: EventSpec, row: dict[str, Any], event_id: str, occurred_at: datetime.datetime) -> dict[str, Any]:
    """The message body the AsyncAPI contract describes: event id, time, key, then the designed fields.

    A key that is a column of the row (a message keyed by its conversation) carries that column, and the row's id
    travels as ``id``; otherwise the key names the row's own id.
    """
    keyed_by_id = event.key not in row
    body: dict[str, Any] = {"event_id": event_id, "occurred_at": occurred_at.isoformat(), event.key: to_json(row["id"] if keyed_by_id else row[event.key])}
    for name in event.fields:
        if name != event.key and not (name == "id" and keyed_by_id):
            body[name] = to_json(row.get(name))
    return body


async def _joined(conn: AsyncConnection, event: EventSpec, row: dict[str, Any]) -> dict[str, Any]:
    """The event's fields the row does not hold (a message's guild, through its channel), read in the same transaction."""
    values = {}
    for name, ref in event.joins.items():
        first = ref.via[0]
        query = select(ref.column).select_from(first.right.table)
        for hop in ref.via[1:]:
            query = query.join_from(hop.left.table, hop.right.table, hop.left == hop.right)
        values[name] = (await conn.execute(query.where(first.right == row[first.left.name]).limit(1))).scalar()
    return values


async def enqueue(conn: AsyncConnection, outbox: Table, events: Sequence[EventSpec], row: dict[str, Any]) -> None:
    """Write the events announcing ``row``'s change, in the caller's transaction."""
    now = datetime.datetime.now(datetime.UTC)
    for event in events:
        if event.joins:
            row = {**row, **await _joined(conn, event, row)}
        event_id = new_uuid()
        await conn.execute(
            insert(outbox).values(
                id=event_id,
                channel=event.channel,
                event_type=event.name,
                event_key=str(row["id"]),
                payload=payload(event, row, str(event_id), now),
                created_at=now,
                attempts=0,
            )
        )


class Publisher(Protocol):
    async def publish(self, channel: str, event_type: str, key: str, body: bytes) -> None: ...

    async def close(self) -> None: ...


class LogPublisher:
    """Writes a line per event (ids only, never the payload): the default where no broker is configured."""

    async def publish(self, channel: str, event_type: str, key: str, body: bytes) -> None:
        log.info("event published", channel=channel, event_type=event_type, key=key)

    async def close(self) -> None:
        return None


class PostgresNotifyPublisher:
    """NOTIFY on the channel named by the event's address: listeners get the payload (up to 8000 bytes)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def publish(self, channel: str, event_type: str, key: str, body: bytes) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text("SELECT pg_notify(:channel, :body)"), {"channel": channel, "body": body.decode()})

    async def close(self) -> None:
        return None


class AmqpPublisher:
    """Publishes to a topic exchange on RabbitMQ (aio-pika, the [amqp] extra), routing key = channel, persistent messages."""

    def __init__(self, url: str, exchange: str) -> None:
        self.url = url
        self.exchange_name = exchange
        self.connection: Any = None
        self.exchange: Any = None

    async def publish(self, channel: str, event_type: str, key: str, body: bytes) -> None:
        import aio_pika  # optional: only deployments that use RabbitMQ install it

        if self.exchange is None:
            self.connection = await aio_pika.connect_robust(self.url)
            chan = await self.connection.channel(publisher_confirms=True)
            self.exchange = await chan.declare_exchange(self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        message = aio_pika.Message(body, content_type="application/json", type=event_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await self.exchange.publish(message, routing_key=channel)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


class KafkaPublisher:
    """Publishes to Kafka (aiokafka, the [kafka] extra): topic = channel (slashes as dots), key = the event's key, acks from all replicas."""

    def __init__(self, url: str) -> None:
        self.servers = url.split("://", 1)[1].split("/", 1)[0]
        self.producer: Any = None

    async def publish(self, channel: str, event_type: str, key: str, body: bytes) -> None:
        from aiokafka import AIOKafkaProducer  # optional: only deployments that use Kafka install it

        if self.producer is None:
            self.producer = AIOKafkaProducer(bootstrap_servers=self.servers, acks="all", enable_idempotence=True)
            await self.producer.start()
        topic = channel.strip("/").replace("/", ".").replace("{", "").replace("}", "") or "events"
        await self.producer.send_and_wait(topic, body, key=key.encode(), headers=[("type", event_type.encode())])

    async def close(self) -> None:
        if self.producer is not None:
            await self.producer.stop()


def make_publisher(url: str, engine: AsyncEngine, exchange: str) -> Publisher:
    """The publisher ``BROKER_URL`` names: log://, postgresql://... (NOTIFY on this database's server), amqp://... or kafka://..."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "log":
        return LogPublisher()
    if scheme in {"postgresql", "postgres"}:
        return PostgresNotifyPublisher(engine)
    if scheme in {"amqp", "amqps"}:
        return AmqpPublisher(url, exchange)
    if scheme == "kafka":
        return KafkaPublisher(url)
    raise ValueError(f"BROKER_URL: unknown scheme {scheme!r} (use log://, postgresql://, amqp:// or kafka://)")


class Relay:
    """Publishes committed outbox rows, oldest first, and marks them published."""

    def __init__(self, engine: AsyncEngine, outboxes: Sequence[Table], publisher: Publisher, poll_s: float = 1.0) -> None:
        self.engine = engine
        self.outboxes = list(outboxes)
        self.publisher = publisher
        self.poll_s = poll_s

    async def drain(self, outbox: Table) -> int:
        """Publish one batch of ``outbox``; the number published (0 when empty or another relay holds it)."""
        lock = zlib.crc32(f"{outbox.schema}.{outbox.name}".encode())
        async with self.engine.begin() as conn:
            if not (await conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock})).scalar():
                return 0
            rows = (
                (
                    await conn.execute(
                        select(outbox)
                        .where(outbox.c.published_at.is_(None))
                        .order_by(outbox.c.created_at, outbox.c.id)
                        .limit(BATCH)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            published = 0
            for row in rows:
                try:
                    await self.publisher.publish(row["channel"], row["event_type"], row["event_key"], orjson.dumps(row["payload"]))
                except Exception as exc:  # a broker outage: keep the order, retry the rest next poll
                    await conn.execute(update(outbox).where(outbox.c.id == row["id"]).values(attempts=outbox.c.attempts + 1, last_error=str(exc)[:500]))
                    log.warning("publishing failed; will retry", channel=row["channel"], error=str(exc)[:200])
                    break
                await conn.execute(update(outbox).where(outbox.c.id == row["id"]).values(published_at=datetime.datetime.now(datetime.UTC)))
                published += 1
            return published

    async def run_once(self) -> int:
        return sum([await self.drain(outbox) for outbox in self.outboxes])

    async def run(self, stop: asyncio.Event) -> None:
        """Drain every outbox until ``stop`` is set; sleep between polls when nothing was waiting."""
        while not stop.is_set():
            try:
                moved = await self.run_once()
            except Exception:
                log.exception("relay poll failed")
                moved = 0
            if not moved:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
