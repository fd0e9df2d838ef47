"""Stage: the outbox, processed-events and idempotency-key tables in the schema of the database that owns them.

The text says a service publishes "through the transactional outbox after commit", that
consumers are idempotent (they skip events they have handled), and that creates accept
``Idempotency-Key``. Each guarantee is a table in the owning service's database, written in the
same transaction as the change: the outbox where a service publishes through it, processed
events where a service consumes events, idempotency keys where its API takes the header. They
join the datastore, so the DDL, the migrations, the design document and the scaffold all
carry the same definitions (``ir/runtime_tables.py``).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.loads import publishes_directly
from backend_architect.design.patterns._stores import storage_figures
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.ir.query import OUTBOX_SOURCE, event_source
from backend_architect.ir.runtime import Placement
from backend_architect.ir.runtime_tables import BUILDERS, RUNTIME_RETENTION_DAYS, RuntimeRole, runtime_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import FALLBACK_UUIDV7, snake
from backend_architect.spec.units import SECONDS_PER_DAY


def derive_messaging_tables(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Add each service's outbox, processed events and idempotency keys, sized by the rates that write them."""
    rates = {u.name: u.avg_qps * SECONDS_PER_DAY for u in analysis.use_cases}
    services = {s.name for s in arch.services}
    published: dict[str, float] = {}
    consumed: dict[str, float] = {}
    counted: set[tuple[str, str]] = set()
    for flow in arch.flows:
        steps = [s for s in flow.steps if s.kind == "event" and s.via in {"outbox", "cdc"}]
        # one outbox row per event however many consume it (none where a store's CDC log publishes it: no transaction
        # spans that store and the outbox); one processed-event row per consuming service, whatever the source
        for source in dict.fromkeys(s.source for s in steps if s.via == "outbox"):
            published[source] = published.get(source, 0.0) + rates.get(flow.use_case, 0.0)
            counted.add((flow.use_case, source))
        for target in dict.fromkeys(s.target for s in steps if s.target in services and s.target != s.source):
            consumed[target] = consumed.get(target, 0.0) + rates.get(flow.use_case, 0.0)
    # an event only a worker consumes (a search indexer, an analytics loader) has no step in its flow, yet commits to the outbox too
    for event in arch.events:
        if event_source(arch, event) == OUTBOX_SOURCE and (event.use_case, event.producer) not in counted and not publishes_directly(arch, event.use_case):
            published[event.producer] = published.get(event.producer, 0.0) + rates.get(event.use_case, 0.0)
            counted.add((event.use_case, event.producer))
    keyed: dict[str, float] = {}
    for api in arch.apis:
        for op in api.operations:
            if op.idempotency_key:
                keyed[api.service] = keyed.get(api.service, 0.0) + sum(rates.get(u, 0.0) for u in op.use_cases)
    wanted: dict[RuntimeRole, dict[str, float]] = {"outbox": published, "inbox": consumed, "idempotency": keyed}
    stores = []
    added: list[Table] = []
    # figures are keyed by table name: a role several databases need is named after each one's service
    taken = {t.name for s in arch.datastores for t in s.tables}
    owners = {s.service for s in arch.datastores if s.engine == "postgresql" and s.service is not None}
    for store in arch.datastores:
        if store.engine != "postgresql" or store.service is None:
            stores.append(store)
            continue
        keys = [c.default for t in store.tables for c in t.columns if c.name in t.primary_key and c.type == "uuid" and c.default]
        made: list[Table] = []
        for role, by_service in wanted.items():
            if store.service in by_service:
                shared = sum(1 for service in by_service if service in owners) > 1
                name = runtime_name(role, taken, snake(store.service) if shared else None)
                taken.add(name)
                made.append(BUILDERS[role](name, by_service[store.service], keys[0] if keys else FALLBACK_UUIDV7))
        added += made
        stores.append(store.model_copy(update={"tables": [*store.tables, *made]}) if made else store)
    placements = [
        Placement(
            data=t.name,
            data_class="event-log" if t.role != "idempotency" else "transactional",
            store="postgresql",
            reason=f"{t.comment}: written in the same transaction as the change, so it lives in the service's own database",
            retention=f"{RUNTIME_RETENTION_DAYS} days",
            component="postgresql",
        )
        for t in added
    ]
    built = arch.model_copy(update={"datastores": stores, "placements": [*arch.placements, *placements]})
    sized = storage_figures(spec, built, added) if added else []
    replaced = {f.key for f in sized}
    figures = [*(f for f in arch.figures if f.key not in replaced), *sized]
    return built.model_copy(update={"figures": figures, "assumptions": [*built.assumptions, *_past_one_primary(spec, built, figures, analysis)]})


def _past_one_primary(spec: Spec, arch: Architecture, figures: list[Figure], analysis: Analysis) -> list[str]:
    """The one sharding rule applied to the generated tables: one past a primary's store or inserts in a database with no sharded
    table (where it would live on each shard beside its rows) is stated with its numbers, never left out of the rule."""
    from backend_architect.design.partitioning import shard_reasons

    known = {f.key: f.value for f in figures}
    years = spec.scale.retention_years or 5.0
    found = []
    for store in arch.datastores:
        if any(t.sharding for t in store.tables):
            continue
        for table in (t for t in store.tables if t.role):
            reasons = shard_reasons(known.get(f"bytes.{years:g}y.{table.name}", 0.0), table.rows_per_day / SECONDS_PER_DAY * analysis.peak_factor)
            if reasons:
                found.append(
                    f"{table.name}: {'; '.join(reasons)}: past one primary by the sharding rule every table follows, though no table of "
                    f"{store.name} is sharded: shard it by {table.primary_key[-1]} (a look-up by its key visits one shard) or write fewer rows; "
                    "its inserts are not in the database's write figures"
                )
    return found
