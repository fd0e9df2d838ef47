"""The tables the messaging and retry guarantees need beside a service's own: outbox, processed events, idempotency keys.

One definition each. The design puts them in the schema of the database that owns them (a
service publishing through the transactional outbox, consuming events at least once, or
accepting ``Idempotency-Key``), so its DDL and migrations create them; the scaffold's runtime
reads and writes these same tables, and creates the ones a design left out from these same
definitions.
"""

from __future__ import annotations

from typing import Literal

from backend_architect.ir.model import Column, Index, IndexColumn, Table

RuntimeRole = Literal["outbox", "inbox", "idempotency"]

#: The table of each role, as the design names it (a spec entity of that name moves it aside: see ``runtime_name``).
RUNTIME_TABLES: dict[RuntimeRole, str] = {"outbox": "outbox_events", "inbox": "processed_events", "idempotency": "idempotency_keys"}
#: Days a published event, a consumer's record of it and a stored answer are kept: past every redelivery and client retry.
#: One idempotency window: a retry with the same Idempotency-Key gets the first answer for as long as the key is kept, so the
#: contract's header, design.md, the DDL's deletion, the CQL TTL and the scaffold's expiry all read this one figure.
RUNTIME_RETENTION_DAYS = 7


#: The unpublished-events scan, as a polling relay runs it.
_SCAN = "unpublished events oldest first (FOR UPDATE SKIP LOCKED)"


def relay_scan_reason(relay: str | None) -> str:
    """Why the outbox's unpublished-events index exists, for the relay the design runs (``relay``: its technology, None in process).

    A change-data-capture relay (Debezium) reads the WAL and never scans the table: the index then
    serves the scaffold's in-process relay only, and says so, as the broker record rejects a poller.

    >>> relay_scan_reason(None)
    "the in-process relay's scan: unpublished events oldest first (FOR UPDATE SKIP LOCKED)"
    >>> relay_scan_reason("Debezium Server (2 instances)").split(";")[0]
    "for the scaffold's in-process relay only, which polls unpublished events oldest first (FOR UPDATE SKIP LOCKED)"
    """
    if relay is None:
        return f"the in-process relay's scan: {_SCAN}"
    named = relay.split(" (")[0]
    if "debezium" in relay.lower():
        return (
            f"for the scaffold's in-process relay only, which polls {_SCAN}; in production the event relay, {named}, reads the WAL "
            "by change data capture and never scans this index"
        )
    return f"the event relay's scan ({named}): {_SCAN}"


#: PostgreSQL keeps the first 63 bytes of a name; the IR's own names stay within it (ASCII: one byte a character).
MAX_NAME_BYTES = 63


def runtime_name(role: RuntimeRole, taken: set[str], owner: str | None = None) -> str:
    """The role's table name (after its ``owner`` where several databases have one), suffixed while another table has it.

    >>> runtime_name("outbox", {"outbox_events"}), runtime_name("inbox", set(), "trips")
    ('outbox_events_runtime', 'trips_processed_events')
    >>> runtime_name("inbox", {"x" * 48, "x" * 48 + "_runtime"}, "x" * 60) == "x" * 48 + "_runtime2"
    True
    """
    name = base = f"{owner}_{RUNTIME_TABLES[role]}"[:48] if owner else RUNTIME_TABLES[role]
    # a numbered suffix, never a repeated one, so a long owner's name stays within PostgreSQL's 63 bytes
    taken_times = 0
    while name in taken:
        taken_times += 1
        suffix = "_runtime" if taken_times == 1 else f"_runtime{taken_times}"
        name = base[: MAX_NAME_BYTES - len(suffix)] + suffix
    return name


def _now(name: str) -> Column:
    return Column(name=name, type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8)


def outbox_table(name: str, rows_per_day: float = 0, key_default: str | None = None) -> Table:
    """Events written in the same transaction as the change they report, until the relay publishes them.

    ``key_default``: the UUIDv7 generator the store's other keys use (the writer normally sets the id itself).
    """
    return Table(
        name=name,
        role="outbox",
        comment="transactional outbox: events committed with the change they report; the relay publishes them after commit",
        columns=[
            Column(name="id", type="uuid", default=key_default, avg_bytes=16, comment="the event id consumers de-duplicate by"),
            Column(name="channel", type="text", avg_bytes=24),
            Column(name="event_type", type="text", avg_bytes=16),
            Column(name="event_key", type="text", avg_bytes=36, comment="ordering key: events of one key are published in commit order"),
            Column(name="payload", type="jsonb", avg_bytes=400),
            _now("created_at"),
            Column(name="published_at", type="timestamptz", nullable=True, avg_bytes=8),
            Column(name="attempts", type="integer", default="0", avg_bytes=4),
            Column(name="last_error", type="text", nullable=True, avg_bytes=0),
        ],
        primary_key=["id"],
        indexes=[
            Index(
                name=f"ix_{name}_unpublished"[:63],
                columns=[IndexColumn(name="created_at"), IndexColumn(name="id")],
                where="published_at IS NULL",
                reasons=[relay_scan_reason(None)],
            ),
            Index(
                name=f"ix_{name}_published_at"[:63],
                columns=[IndexColumn(name="published_at")],
                where="published_at IS NOT NULL",
                reasons=[f"retention: published events older than {RUNTIME_RETENTION_DAYS} days are deleted by published_at"],
            ),
        ],
        append_only=True,
        key_strategy="uuidv7",
        key_reason="the event id, time-ordered; the writer makes it so the payload can carry it",
        rows_per_day=rows_per_day,
        retention_days=RUNTIME_RETENTION_DAYS,
    )


def inbox_table(name: str, rows_per_day: float = 0, key_default: str | None = None) -> Table:
    """The events each consumer has handled: a redelivered event (at least once) is skipped, not applied twice."""
    return Table(
        name=name,
        role="inbox",
        comment="processed events: one row per consumer and event handled, so a redelivered event is skipped",
        columns=[
            Column(name="consumer", type="text", avg_bytes=24),
            Column(name="event_id", type="uuid", avg_bytes=16),
            _now("handled_at"),
        ],
        primary_key=["consumer", "event_id"],
        indexes=[
            Index(
                name=f"ix_{name}_handled_at"[:63],
                columns=[IndexColumn(name="handled_at")],
                reasons=[f"retention: records older than {RUNTIME_RETENTION_DAYS} days (past any redelivery) are deleted by handled_at"],
            )
        ],
        append_only=True,
        key_strategy="composite",
        key_reason="one row per consumer and event: the insert that finds it taken is the duplicate",
        rows_per_day=rows_per_day,
        retention_days=RUNTIME_RETENTION_DAYS,
    )


def idempotency_table(name: str, rows_per_day: float = 0, key_default: str | None = None) -> Table:
    """One row per (caller and operation, Idempotency-Key): the request's fingerprint and the answer it got."""
    return Table(
        name=name,
        role="idempotency",
        comment="Idempotency-Key: a retried request gets the stored answer; the same key with another body is refused",
        columns=[
            Column(name="scope", type="text", avg_bytes=48, comment="the caller and the operation"),
            Column(name="key", type="text", avg_bytes=36),
            Column(name="request_hash", type="text", avg_bytes=64),
            Column(name="status", type="integer", nullable=True, avg_bytes=4),
            Column(name="body", type="bytea", nullable=True, avg_bytes=400),
            Column(name="headers", type="jsonb", nullable=True, avg_bytes=100),
            _now("created_at"),
        ],
        primary_key=["scope", "key"],
        indexes=[
            Index(
                name=f"ix_{name}_created_at"[:63],
                columns=[IndexColumn(name="created_at")],
                reasons=[f"retention: keys older than {RUNTIME_RETENTION_DAYS} days (past any client retry) are deleted by created_at"],
            )
        ],
        key_strategy="composite",
        key_reason="the caller's scope and the key it sent",
        rows_per_day=rows_per_day,
        retention_days=RUNTIME_RETENTION_DAYS,
    )


BUILDERS = {"outbox": outbox_table, "inbox": inbox_table, "idempotency": idempotency_table}
