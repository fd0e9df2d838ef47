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
from backend_architect.design.keys import postgres_version, uuid_default
from backend_architect.design.loads import database_share, guarantee_rows
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.patterns._stores import storage_figures
from backend_architect.design.patterns.messaging import EVENT_RELAY
from backend_architect.design.runtime_rows import rows_a_day
from backend_architect.ir.model import Architecture, Figure, Index, Table
from backend_architect.ir.payloads import event_payload_bytes
from backend_architect.ir.query import IN_THE_TRANSACTION, OUTBOX_SOURCE, event_source, guarded_how, held_keys, keyed_elsewhere
from backend_architect.ir.runtime import Placement
from backend_architect.ir.runtime_tables import BUILDERS, RUNTIME_RETENTION_DAYS, relay_scan_reason, runtime_name
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake
from backend_architect.spec.units import SECONDS_PER_DAY


def derive_messaging_tables(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Add each service's outbox, processed events and idempotency keys, sized by the rates that write them."""
    # the same rows the database load counts at peak (design/runtime_rows.py), here a day
    wanted = rows_a_day(arch, {u.name: u.avg_qps * SECONDS_PER_DAY * database_share(arch, u.name, "write") for u in analysis.use_cases})
    rates = {u.name: u.avg_qps for u in analysis.use_cases}
    stores = []
    added: list[tuple[str, Table]] = []
    relay = next((c.technology for c in arch.components if c.name == EVENT_RELAY), None)
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
                # a store holding no UUID key of its own makes the id as the key decision makes UUIDv7 for this PostgreSQL version
                table = _scanned_by(BUILDERS[role](name, by_service[store.service], keys[0] if keys else uuid_default(postgres_version(spec))), relay)
                made.append(_payload_sized(table, arch, store.service, rates) if role == "outbox" else table)
        added += [(store.service, t) for t in made]
        stores.append(store.model_copy(update={"tables": [*store.tables, *made]}) if made else store)
    placements = [
        Placement(
            data=t.name,
            data_class="event-log" if t.role != "idempotency" else "transactional",
            store="postgresql",
            reason=f"{t.comment}: {IN_THE_TRANSACTION}",
            retention=f"{RUNTIME_RETENTION_DAYS} days",
            component="postgresql",
        )
        for service, t in added
    ]
    held, counted = _held_keys(arch, analysis)
    built = arch.model_copy(update={"datastores": stores, "placements": [*arch.placements, *placements, *held]})
    sized = storage_figures(spec, built, [t for _, t in added]) if added else []
    replaced = {f.key for f in sized}
    figures = [*(f for f in arch.figures if f.key not in replaced), *sized, *counted]
    return built.model_copy(update={"figures": figures, "assumptions": [*built.assumptions, *_past_one_primary(spec, built, figures, analysis)]})


def _held_keys(arch: Architecture, analysis: Analysis) -> tuple[list[Placement], list[Figure]]:
    """Idempotency keys of writes a wide-column store holds: kept in that store by a conditional insert, placed and counted there."""
    peaks = {u.name: u.peak_qps for u in analysis.use_cases}
    placements, figures = [], []
    for service in sorted({api.service for api in arch.apis}):
        use_cases = held_keys(arch, service)
        if not use_cases:
            continue
        tech = " and ".join(keyed_elsewhere(arch, service))
        data = f"{service} idempotency keys"
        placements.append(
            Placement(data=data, data_class="transactional", store=tech, reason=guarded_how(arch, service), retention=f"{RUNTIME_RETENTION_DAYS} days")
        )
        inputs = {f"peak_{snake(u)}": peaks.get(u, 0.0) for u in use_cases}
        figures.append(
            Figure(
                key=f"idempotency.held_keys.{snake(service)}",
                quantity=f"Idempotency-Key conditional inserts/s into {tech} for {service} at peak",
                value=sum(inputs.values()),
                unit="inserts/s",
                formula=" + ".join(inputs) if len(inputs) > 1 else next(iter(inputs)),
                inputs=inputs,
                scope=service,
            )
        )
    return placements, figures


def _payload_sized(table: Table, arch: Architecture, service: str, rates: dict[str, float]) -> Table:
    """The outbox's payload column sized by the events it holds: their payloads as every document defines them
    (``ir.payloads``), weighted by how often each is published; the default size where it holds none of them."""
    events = [e for e in arch.events if e.producer == service and event_source(arch, e) == OUTBOX_SOURCE]
    if not events:
        return table
    weights = [rates.get(e.use_case, 0.0) for e in events]
    sizes = [event_payload_bytes(arch, e) for e in events]
    total = sum(weights)
    carried = sum(w * b for w, b in zip(weights, sizes, strict=True)) / total if total else max(sizes)
    columns = [c.model_copy(update={"avg_bytes": round(carried)}) if c.name == "payload" else c for c in table.columns]
    return table.model_copy(update={"columns": columns})


def _scanned_by(table: Table, relay: str | None) -> Table:
    """The outbox's unpublished-events index says which relay scans it: the one the design runs, or the scaffold's only."""
    if table.role != "outbox":
        return table
    indexes: list[Index] = [i.model_copy(update={"reasons": [relay_scan_reason(relay)]}) if i.where == "published_at IS NULL" else i for i in table.indexes]
    return table.model_copy(update={"indexes": indexes})


def _past_one_primary(spec: Spec, arch: Architecture, figures: list[Figure], analysis: Analysis) -> list[str]:
    """The one sharding rule applied to the generated tables: one past a primary's store or inserts is stated with its numbers,
    never left out of the rule. In a database with sharded tables a row committed beside a sharded row lives on that row's shard;
    the others (an event a read publishes, the guard of an unsharded table) stay on its unsharded primary and are what count."""
    from backend_architect.design.partitioning import shard_reasons

    known = {f.key: f.value for f in figures}
    years = sizing_horizon(spec)
    guarded = guarantee_rows(analysis, arch)
    found = []
    for store in arch.datastores:
        sharded = {t.entity or t.name for t in store.tables if t.sharding is not None}
        mine = {t.entity or t.name for t in store.tables}
        for table in (t for t in store.tables if t.role):
            if sharded:
                inserts = sum(
                    g.writes_per_s
                    for g in guarded
                    if g.key.startswith(f"{table.role}_") and g.entity not in sharded and (g.entity in mine or g.entity == f"{table.role}:{store.service}")
                )
                reasons = shard_reasons(0.0, inserts)
                where = f"rows committed beside no sharded row, on {store.name}'s unsharded primary"
            else:
                reasons = shard_reasons(known.get(f"bytes.{years:g}y.{table.name}", 0.0), table.rows_per_day / SECONDS_PER_DAY * analysis.peak_factor)
                where = f"no table of {store.name} is sharded"
            if reasons:
                found.append(
                    f"{table.name}: {'; '.join(reasons)} ({where}): past one primary by the sharding rule every table follows: "
                    f"shard it by {table.primary_key[-1]} (a look-up by its key visits one shard) or write fewer rows; "
                    "its inserts are counted in the database's write figures"
                )
    return found
