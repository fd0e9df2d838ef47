"""The decision records of the data stage: keys, enum storage, normalization."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.keys import BUILTIN_UUIDV7_VERSION, uuid_generation
from backend_architect.design.maintained_fields import kept_kind
from backend_architect.design.shard_ids import keys_with_shard_ids
from backend_architect.ir.model import NUMBERS_CHOSE, Alternative, Architecture, Datastore, Decision, Flow
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import BUILTIN_UUIDV7, FALLBACK_UUIDV7

if TYPE_CHECKING:
    from backend_architect.design.held_copies import HeldCopy

#: A read joining entities at this rate, with a tight latency target, may earn a denormalized copy.
DENORMALIZE_MIN_QPS = 1_000.0
DENORMALIZE_MAX_LATENCY_MS = 50.0


def key_decision(stores: list[Datastore], postgres_version: int) -> Decision:
    """UUIDv7, identity or composite keys per table, and what generates UUIDv7 keys on the target PostgreSQL."""
    tables = [t for s in stores for t in s.tables]
    uuid = [t.name for t in tables if t.key_strategy == "uuidv7"]
    identity = [t.name for t in tables if t.key_strategy == "identity"]
    composite = [t.name for t in tables if t.key_strategy == "composite"]
    parts = [
        f"UUIDv7 for {', '.join(uuid)} {uuid_generation(postgres_version)}" if uuid else "",
        f"bigint identity for {', '.join(identity)}" if identity else "",
        f"composite keys for join tables {', '.join(composite)}" if composite else "",
    ]
    later = (
        f"When the database moves to PostgreSQL {BUILTIN_UUIDV7_VERSION} (constraints.postgres_version: {BUILTIN_UUIDV7_VERSION}), "
        f"the next migration sets the defaults to the built-in {BUILTIN_UUIDV7} and {FALLBACK_UUIDV7} can be dropped. "
        if uuid and postgres_version < BUILTIN_UUIDV7_VERSION
        else ""
    )
    return Decision(
        id="keys",
        area="data",
        title="Primary keys",
        choice="; ".join(p for p in parts if p),
        context=f"ids that appear in URLs or cross services must not leak counts or collide; internal ids should be small; "
        f"the database is PostgreSQL {postgres_version}",
        rationale="UUIDv7 where ids leave the database (the rows requests read or write, every row those reference, and the rows "
        "a filter or a create's links select by id: their ids travel in URLs, bodies and query strings too): "
        "unguessable, generated anywhere (idempotent client-side creates, other services), "
        "and time-ordered so B-tree inserts stay local; bigint identity elsewhere: 8 bytes, the densest index",
        alternatives=[
            *([Alternative(name="UUIDv7 everywhere", why_not="16-byte keys and indexes for ids that never leave the database")] if identity else []),
            *(
                [Alternative(name="bigint identity everywhere", why_not="exposed sequential ids reveal business volume and invite enumeration (OWASP API1)")]
                if uuid
                else []
            ),
            Alternative(name="UUIDv4 everywhere", why_not="random order scatters index inserts across pages (write amplification, cache misses)"),
            Alternative(name="natural keys", why_not="they change (emails, ISBN corrections) and cascade; kept as unique constraints instead"),
        ],
        choices=["UUIDv7 everywhere", "bigint identity everywhere", "UUIDv7 where ids leave the database, bigint identity elsewhere"],
        consequences=(
            f"{later}SQLite has no UUID function: the SQLite schema leaves ids to the application (a UUIDv7 library), with no column default." if uuid else ""
        ),
        inputs={"postgres_version": float(postgres_version)},
    )


def enum_decision(spec: Spec) -> Decision | None:
    enums = [f"{e}.{f}" for e, entity in spec.entities.items() for f, field in entity.fields.items() if field.type.kind == "enum"]
    if not enums:
        return None
    return Decision(
        id="enums",
        area="data",
        title="Enumerated values",
        choice="text columns with a CHECK listing the values",
        context=f"enum fields: {', '.join(enums)}",
        rationale="a CHECK is changed in one transactional ALTER (add NOT VALID, validate) on every engine, and keeps values readable in queries",
        alternatives=[
            Alternative(
                name="PostgreSQL ENUM types", why_not="values cannot be removed or reordered; ALTER TYPE ... ADD VALUE cannot be used in the same transaction"
            ),
            Alternative(
                name="lookup tables", why_not="worth it when values change at runtime or carry attributes (labels, ordering); these are fixed by the code"
            ),
        ],
    )


def _joined(use_case: UseCase) -> set[str]:
    """The entities a read touches: those it returns and those its filters and sorts join through (a feed filtered by who
    the caller follows reads the follows too)."""
    return {*use_case.reads, *(r.entity for r in (*use_case.filters, *use_case.sorts) if r.join)}


def derived_counters(spec: Spec, use_cases: tuple[UseCase, ...]) -> list[str]:
    """The counters stored beside rows they are derived from (``Question.score`` a vote keeps, ``Question.last_activity_at`` an
    answer moves): generated values that read as kept (``maintained_fields.kept_kind``) which a write of another entity
    changes. A record saying each fact is stored once must name them among its exceptions, since the count is a fact the
    counted rows already hold."""
    found = []
    for use_case in use_cases:
        for written in use_case.spec.writes:
            entity, _, name = written.partition(".")
            declared = spec.entities[entity].fields.get(name) if name and entity in spec.entities else None
            if declared is None or entity in {use_case.entity, *use_case.children}:
                continue
            if kept_kind(name, declared) is not None:
                found.append(written)
    return list(dict.fromkeys(found))


def _exceptions(copies: Sequence[HeldCopy], counters: list[str]) -> str:
    """The copies and counters a record saying each fact is stored once names as its exceptions (none: nothing)."""
    said = [c.said() for c in copies]
    held = {c.name for c in copies}
    said += [
        f"the derived counter {c}, stored beside the row and changed by the write creating what it counts, in that write's transaction"
        for c in counters
        if c not in held
    ]
    if not said:
        return ""
    return f"; the exceptions are {'; '.join(said)}" if len(said) > 1 else f"; the one exception is {said[0]}"


def _served(use_case: UseCase, flows: Mapping[str, Flow]) -> str:
    """How a hot joining read is served with its join, in the latency the latency stage gave it (none before that stage ran)."""
    flow = flows.get(use_case.name)
    target = use_case.spec.latency_ms or 0.0
    head = f"'{use_case.name}' at {use_case.peak_qps:,.0f} req/s"
    if flow is None or not flow.expected_latency_ms:
        return f"{head}, {target:g} ms target"
    meets = "within" if flow.expected_latency_ms <= target else "over"
    return f"{head}: expected {flow.expected_latency_ms:.1f} ms with its join as designed, {meets} its {target:g} ms target (the latency section)"


def normalization_decision(
    use_cases: tuple[UseCase, ...],
    spec: Spec | None = None,
    copies: Sequence[HeldCopy] = (),
    flows: Mapping[str, Flow] | None = None,
) -> Decision:
    """Third normal form, naming as its exceptions exactly the copies the design holds (``design.held_copies``) and the derived
    counters the server keeps, each with the rate that justifies it.

    A hot, latency-bound read joining entities is the one candidate for a copy of columns no mechanism builds: it is said to be
    served by its join, with the latency the design gives it, because announcing a copy the DDL does not hold and the read's
    plan does not read contradicts both (a copy of a parent's fields in every child row would also cost an update of each
    child row on every parent change)."""
    flows = flows or {}
    counters = derived_counters(spec, use_cases) if spec is not None else []
    exceptions = _exceptions(copies, counters)
    joins = [u for u in use_cases if not u.is_write and len(_joined(u)) > 1]
    hot = [u for u in joins if u.peak_qps >= DENORMALIZE_MIN_QPS and (u.spec.latency_ms or 1e9) <= DENORMALIZE_MAX_LATENCY_MS]
    top = max(joins, key=lambda u: u.peak_qps, default=None)
    if hot:
        context = "; ".join(_served(u, flows) for u in hot)
    else:
        context = f"hottest joining read: '{top.name}' at {top.peak_qps:,.0f} req/s" if top else "no use case reads more than one entity"
    kept = (
        "a copy is kept only where a mechanism's numbers call for it: an event-fed local copy of another service's rows past "
        f"{DENORMALIZE_MIN_QPS:,.0f} reads or checks/s at peak (or where the call would miss the availability target or close a cycle), "
        "a by-owner lookup where a read selects a sharded table by its owner, a read model a pattern precomputes for its read, "
        "a uniqueness table a sharded table's unique key needs, "
        "a counter the spec declares, "
        "a table a mechanism derives from other rows for its own reads (a count a feed's fan-out cut-off reads)"
    )
    # a read the latency stage times over its target with the join: said so, since the copy that would take the join off it is not built
    over = [u.name for u in hot if (f := flows.get(u.name)) is not None and f.expected_latency_ms > (u.spec.latency_ms or 0.0)]
    if hot:
        joined = "; ".join(f"'{u.name}' joins {', '.join(sorted(_joined(u)))} in the database" for u in hot)
        reads = f"{joined}: no copy of the joined fields is made, the join stays indexed"
        if over:
            named = ", ".join(f"'{n}'" for n in over)
            reads += f"; {named} stays over its latency target with the join: a copy of the joined fields would take the join off it, not built here"
    else:
        reads = (
            f"no read joins entities at over {DENORMALIZE_MIN_QPS:,.0f} req/s with a latency target under {DENORMALIZE_MAX_LATENCY_MS:g} ms, "
            "so joins stay indexed"
        )
    held = "" if copies or counters else "; none is kept, so every fact is stored once"
    alternatives = [
        *(
            [Alternative(name="no copy at all", why_not="each copy named replaces, at its rate, a call to another service, a read of every shard or a count")]
            if copies or counters
            else [Alternative(name="denormalized read copies", why_not="every copy must be kept in sync on each write for no measured gain")]
        ),
        *(
            [
                Alternative(
                    name="copy the joined fields into the rows the hot joining reads list",
                    why_not="each change of a copied row would update every row holding its copy"
                    + ("" if over else ", for a read its join serves within its target"),
                )
            ]
            if hot
            else []
        ),
        Alternative(name="document store aggregates", why_not="the data is relational and written across aggregates"),
    ]
    lag = (
        "A local copy trails its owner by the event relay's lag: a row just created there may be unknown here, one just removed still known, for that long."
        if any(c.written.startswith("fed by ") for c in copies)
        else ""
    )
    return Decision(
        id="normalization",
        area="data",
        title="Normalization",
        choice="third normal form: each fact stored once in the database (read models and caches outside it are listed with their writers)" + exceptions,
        context=context,
        rationale=f"{kept}{held}; {reads}",
        alternatives=alternatives,
        consequences=lag,
    )


def key_scope(record: Decision, stores: list[Datastore]) -> Decision:
    """The key record naming every table's key: the tables later stages add (renditions, short keys, outbox, idempotency keys)
    are listed by their own key, so the record never reads as covering tables it does not describe."""
    named = set(re.findall(r"[A-Za-z0-9_]+", record.choice))
    later = [t for s in stores for t in s.tables if t.name not in named]
    if not later:
        return record
    groups = {
        "uuidv7": [t.name for t in later if t.key_strategy == "uuidv7"],
        "identity": [t.name for t in later if t.key_strategy == "identity"],
        "composite": [f"{t.name} ({', '.join(t.primary_key)})" for t in later if t.key_strategy == "composite" and len(t.primary_key) > 1],
        # a one-column key nothing generates: the value the row carries (a short code, another service's id)
        "carried": [f"{t.name} ({', '.join(t.primary_key)})" for t in later if t.key_strategy == "composite" and len(t.primary_key) <= 1],
    }
    said = {
        "uuidv7": "UUIDv7 for",
        "identity": "bigint identity for",
        "composite": "composite keys for",
        "carried": "the value each row carries (not generated) for",
    }
    parts = [f"{said[kind]} {', '.join(names)}" for kind, names in groups.items() if names]
    scope = f"; the tables later stages add keep their own keys: {'; '.join(parts)}"
    # an overruled record's "what the numbers chose" is the same record's other choice: it covers the same tables
    alternatives = [a.model_copy(update={"name": a.name + scope}) if a.name.startswith(f"{NUMBERS_CHOSE}: ") else a for a in record.alternatives]
    return record.model_copy(update={"choice": record.choice + scope, "alternatives": alternatives})


def derive_key_scope(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """The key record read against every table the design ends with (``key_scope``), naming the tables whose ids carry their
    shard apart (``shard_ids.keys_with_shard_ids``)."""
    keys = [keys_with_shard_ids(key_scope(d, arch.datastores), arch.datastores) if d.id == "keys" else d for d in arch.decisions]
    return arch.model_copy(update={"decisions": keys})
