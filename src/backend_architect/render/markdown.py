"""IR + findings -> ``design.md``, the design document a team reads and reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from backend_architect.ir.consumers import consumer_labels
from backend_architect.ir.limit_covers import covers_texts
from backend_architect.ir.model import Api, Architecture, Datastore, Figure, Operation, Table
from backend_architect.ir.part_calls import http_operations, services_call_over_http
from backend_architect.ir.payloads import event_table, payload_bytes, payload_fields
from backend_architect.ir.query import (
    OUTBOX_SOURCE,
    busiest_read_primary,
    busiest_write_primary,
    delivery_routes,
    event_source,
    example_query,
    external_calls,
    if_match,
    published_by,
    served_parts,
)
from backend_architect.ir.runtime import Component
from backend_architect.render.adr import adr_filename
from backend_architect.render.ascii import render_architecture_ascii
from backend_architect.render.ddl_partitions import maintenance_summary
from backend_architect.render.handoff import endpoint_count, index_count, next_phase, operations_section
from backend_architect.render.markdown_ids import ids_section
from backend_architect.render.markdown_members import member_write_rules, membership_rules
from backend_architect.render.markdown_plans import availability_section, growth_section, requirements_section, storage_section
from backend_architect.render.markdown_redis import redis_operations_section
from backend_architect.render.markdown_retries import retries_section
from backend_architect.render.mermaid import crossing_flows, render_architecture, render_er
from backend_architect.render.numbers import human, short
from backend_architect.render.sequence import render_sequence
from backend_architect.render.volumes import volume_rows
from backend_architect.rules.model import Finding
from backend_architect.spec.model import slug
from backend_architect.spec.units import DAYS_PER_MONTH, DAYS_PER_YEAR


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _json_block(value: Any) -> list[str]:
    return ["```json", orjson.dumps(value, option=orjson.OPT_INDENT_2).decode(), "```"]


def render_markdown(arch: Architecture, findings: list[Finding]) -> str:
    """The whole design document."""
    figures = {f.key: f.value for f in arch.figures}
    horizons = sorted({k.split(".")[1] for k in figures if k.startswith("rows.")}, key=lambda y: float(y[:-1]))
    parts = [
        _summary(arch),
        _architecture(arch),
        _services(arch),
        ["## API", ""],
        *(_api(api, arch) for api in arch.apis),
        retries_section(arch),
        ids_section(arch),
        _examples(arch.apis),
        ["## Data", ""],
        *(_data(s, figures, horizons) for s in arch.datastores),
        _communication(arch),
        _paths(arch),
        _caching(arch),
        storage_section(arch),
        _security(arch),
        _capacity(arch),
        availability_section(arch),
        growth_section(arch),
        _operations(arch),
        _decisions(arch),
        _bottlenecks(arch),
        _assumptions(arch),
        requirements_section(arch),
        _review(findings),
        _next(arch, findings),
    ]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def _summary(arch: Architecture) -> list[str]:
    peak_read = next((f.value for f in arch.figures if f.key == "qps.peak.read"), 0.0)
    peak_write = next((f.value for f in arch.figures if f.key == "qps.peak.write"), 0.0)
    served = next((f for f in arch.figures if f.key == "qps.peak.served"), None)
    # the peak the instances are sized on, when it is not reads + writes: the read-backs of created rows, or a stated total
    served_text = f"; {human(served.value, 'req/s')} the services serve ({served_parts(served.inputs)})" if served else ""
    tables = sum(len(s.tables) for s in arch.datastores)
    lines = [f"# {arch.system}: backend design", ""]
    if arch.description:
        lines += [arch.description, ""]
    lines += [
        "## Summary",
        "",
        *_table(
            ["aspect", "design"],
            [
                ["deployment", arch.deployment],
                [("modules" if arch.deployment == "modular-monolith" else "services"), ", ".join(s.name for s in arch.services)],
                ["endpoints", endpoint_count(arch)],
                ["tables / indexes", f"{tables} / {index_count(arch)}"],
                ["events", ", ".join(e.name for e in arch.events) or "none"],
                ["peak load", f"{human(peak_read, 'req/s')} reads, {human(peak_write, 'req/s')} writes{served_text}"],
                *_reaching(arch),
                *volume_rows(arch),
            ],
        ),
        "Contents: [Architecture](#architecture) · [API](#api) · [Data](#data) · [Communication](#communication) · "
        "[Caching](#caching) · [Storage](#storage) · [Security](#security) · [Capacity](#capacity) · [Availability](#availability) · "
        "[Growth](#growth) · [Operations](#operations) · [Decisions](#decisions) · [Bottlenecks](#bottlenecks) · [Assumptions](#assumptions) · "
        "[Requirements](#requirements) · [Review](#review) · [Next phase](#next-phase)",
        "",
    ]
    return lines


def _architecture(arch: Architecture) -> list[str]:
    return [
        "## Architecture",
        "",
        "```mermaid",
        render_architecture(arch).rstrip(),
        "```",
        "",
        "Plain-text view:",
        "",
        "```text",
        render_architecture_ascii(arch).rstrip(),
        "```",
        "",
    ]


def _services(arch: Architecture) -> list[str]:
    lines = ["### Boundaries", ""]
    for service in arch.services:
        lines.append(
            f"- **{service.name}** ({service.kind}) owns {', '.join(service.entities)}; data in `{service.datastore}`; "
            f"cohesion {service.cohesion:.2f}, coupling {service.coupling:g}."
        )
        lines += [f"  - {reason}" for reason in service.rationale]
        if service.depends_on:
            lines.append(f"  - calls {', '.join(service.depends_on)}")
        called, queued = external_calls(arch, service.name)
        if called:
            lines.append(f"  - calls external {', '.join(called)}")
        if queued:
            lines.append(f"  - sends to external {', '.join(queued)} through its outbox (asynchronous, retried)")
    return [*lines, ""]


def _conventions(op: Operation) -> str:
    notes = []
    if op.paginated:
        notes.append("cursor pages")
    if op.idempotency_key:
        notes.append("Idempotency-Key")
    if if_match(op) is not None:
        # the same reading as the contract's If-Match parameter (required: false): a client may skip the check
        notes.append(f"ETag, If-Match {if_match(op)} (412 when stale)")
    elif op.conditional:
        notes.append("ETag")
    if op.owner_only:
        notes.append("owner only")
    if op.members_of:
        notes.append(f"members of the {op.members_of} only")
    return ", ".join(notes) or "-"


def _api(api: Api, arch: Architecture) -> list[str]:
    lines = [f"### {api.service}", "", f"Contract: `openapi/{api.service}.yaml` (OpenAPI 3.1, every operation with examples), base path `{api.base_path}`.", ""]
    rows = []
    for op in http_operations(arch, api):
        auth = "public" if op.auth == "none" else ("optional; " if op.auth == "optional" else "") + (", ".join(op.scopes) or "signed in")
        rows.append(
            [
                op.method.upper(),
                f"`{api.base_path}{op.path}`",
                op.summary,
                auth,
                _conventions(op),
                f"{op.success_status}; errors {', '.join(map(str, op.error_statuses))}",
            ]
        )
    lines += _table(["method", "path", "summary", "auth", "conventions", "responses"], rows)
    if not services_call_over_http(arch):
        # modules of one deployable call each other as functions: named as module interfaces, never as HTTP requests
        called = [f"{', '.join(op.consumers)} → {op.operation_id}{' (module interface)' if op.internal else ''}" for op in api.operations if op.consumers]
        if called:
            lines += ["Called in process by other modules of the deployable (a function call: no HTTP request, no token):", ""]
            lines += [*[f"- {c}" for c in called], ""]
        return lines
    consumers = [
        f"{', '.join(op.consumers)} → {op.method.upper()} {api.base_path}{op.path}{' (internal)' if op.internal else ''}"
        for op in api.operations
        if op.consumers
    ]
    if consumers:
        lines += ["Called by other services:", "", *[f"- {c}" for c in consumers], ""]
    return lines


def _examples(apis: list[Api]) -> list[str]:
    """One worked example per kind of operation (the first of each); every operation's examples are in its OpenAPI document."""
    seen: set[str] = set()
    lines = ["### Examples", "", "One of each kind of operation; the contracts hold an example request, response and error for every operation.", ""]
    for api in apis:
        for op in api.operations:
            if op.kind in seen or op.internal:
                continue
            seen.add(op.kind)
            lines += [f"#### {op.kind}: {op.method.upper()} {api.base_path}{op.path}", "", op.description, ""]
            query = example_query(op)
            if query:
                lines += [f"Request: `{op.method.upper()} {api.base_path}{op.path}?{query}`", ""]
            if op.example_request is not None:
                lines += ["Request:", "", *_json_block(op.example_request), ""]
            if op.example_response is not None:
                lines += [f"Response {op.success_status}:", "", *_json_block(op.example_response), ""]
            elif op.success_status == 204:
                lines += ["Response 204: no content.", ""]
            if op.example_error is not None and op.kind in {"create", "list"}:
                lines += [f"Error {op.example_error_status} (`application/problem+json`):", "", *_json_block(op.example_error), ""]
    return lines if seen else []


def _data(store: Datastore, figures: dict[str, float], horizons: list[str]) -> list[str]:
    lines = [
        f"### {store.name}",
        "",
        f"DDL: `schema/{store.service}.postgresql.sql`, `schema/{store.service}.sqlite.sql`"
        + (f"; CQL of the wide-column tables: `schema/{store.service}.cql`." if any(t.wide_column for t in store.tables) else "."),
        "",
        "```mermaid",
        render_er(store).rstrip(),
        "```",
        "",
    ]
    for table in store.tables:
        lines += [f"#### {table.name}", "", table.comment or "", ""]
        rows = []
        for column in table.columns:
            sql = column.type + (f"({column.length})" if column.length else f"({column.precision},{column.scale})" if column.precision else "")
            flags = [f for f, on in (("PK", column.name in table.primary_key), ("null", column.nullable), ("PII", column.pii), ("secret", column.secret)) if on]
            rows.append([column.name, sql, " ".join(flags), column.comment or ""])
        lines += _table(["column", "type", "flags", "note"], rows)
        lines += _table_facts(figures, horizons, table)
        for fk in table.foreign_keys:
            if fk.checked_by:
                columns = ", ".join(fk.columns)
                lines.append(f"- reference `{columns}` → `{fk.ref_table}` on another server: no foreign key (its column's note says how it is checked)")
            else:
                lines.append(f"- foreign key `{', '.join(fk.columns)}` → `{fk.ref_table}` on delete {fk.on_delete}")
        for unique in table.uniques:
            lines.append(f"- unique ({', '.join(unique.columns)}): {unique.reason}")
        for index in table.indexes:
            cols = ", ".join(c.name + (" DESC" if c.descending else "") for c in index.columns)
            extra = f" {index.method}" if index.method != "btree" else ""
            where = f" WHERE {index.where}" if index.where else ""
            lines.append(f"- index `{index.name}`{extra} ({cols}){where}: {'; '.join(index.reasons)}")
        lines.append("")
    return lines


def _table_facts(figures: dict[str, float], horizons: list[str], table: Table) -> list[str]:
    """Key strategy, size now and later, partitioning and sharding of one table."""
    lines = [f"- key: {table.key_strategy} ({', '.join(table.primary_key)}): {table.key_reason}"]
    sizes = []
    for key in horizons:
        rows, size = figures.get(f"rows.{key}.{table.name}", 0.0), figures.get(f"bytes.{key}.{table.name}", 0.0)
        sizes.append(f"{human(rows, 'rows')} / {human(size, 'bytes')} after {key[:-1]} year(s)")
    lines.append(f"- size: {human(table.rows_now, 'rows')} now, {human(table.rows_per_day, 'rows')} a day; " + "; ".join(sizes))
    content, payload, disk = (figures.get(f"storage.{kind}_bytes_per_day.{table.name}") for kind in ("content", "payload", "disk"))
    if payload is not None and disk is not None:
        written = f"{human(content, 'bytes')} of content (the text and blob fields users write; blobs in object storage), " if content is not None else ""
        keys = f"`storage.content_bytes_per_day.{table.name}`, " if content is not None else ""
        # a table a wide-column store holds is sized by that store's rows: its PostgreSQL table is only the scaffold's stand-in
        wide = table.wide_column if table.wide_column and table.wide_column.row_bytes > 0 else None
        held = f" in {wide.technology} (CQL rows, one of {wide.replication_factor} copies)" if wide else ""
        lines.append(
            f"- a day: {written}{human(payload, 'bytes')} of payload (the fields' bytes), {human(disk, 'bytes')} on disk"
            f"{held or ' with row overhead and indexes'} "
            f"({keys}`storage.payload_bytes_per_day.{table.name}`, `storage.disk_bytes_per_day.{table.name}`)"
        )
    if table.wide_column:
        wide = table.wide_column
        lines.append(
            f"- held by {wide.technology} (wide-column, PAT055): partition key ({', '.join(wide.partition_key)}), a bucket of {wide.bucket_days:g} day(s) "
            f"of {wide.bucket_from}; clustering {', '.join(wide.clustering)} newest first; replication factor {wide.replication_factor}, "
            f"{wide.consistency}; CQL in the store's `.cql` file; this PostgreSQL table is the scaffold's stand-in (the scaffold has no CQL adapter)"
        )
    if table.partitioning:
        plan = table.partitioning
        lines.append(f"- partitioned by range of {plan.column}, one partition per {plan.interval}: {plan.reason}; {maintenance_summary(table)}")
    if table.sharding:
        # a use case's scatter-gather is named with its rate, as a mechanism's already is: the sharding record points here for it
        crossing = [f"{u} ({short(figures[f'qps.peak.{slug(u)}'])}/s at peak)" if f"qps.peak.{slug(u)}" in figures else u for u in table.sharding.cross_shard]
        cross = f"; cross-shard: {', '.join(crossing)}" if crossing else ""
        cross += f"; routed to one shard: {', '.join(table.sharding.routed)}" if table.sharding.routed else ""
        when = f" ({table.sharding.when})" if table.sharding.when else ""
        lines.append(f"- shard by {table.sharding.key}: {table.sharding.reason}{when}{cross}")
        for write in table.sharding.co_writes:
            how = write.mechanism or "nothing replaces the transaction (see the review)"
            lines.append(f"- written with {', '.join(write.tables)} by '{write.use_case}', their rows apart ({write.since or 'now'}): {how}")
        for unique in table.sharding.uniques:
            lines.append(f"- unique ({', '.join(unique.columns)}) across the shards: {unique.how}")
    return lines


def _communication(arch: Architecture) -> list[str]:
    lines = ["## Communication", ""]
    lines += _table(["use case", "style", "why"], [[f.use_case, f.style, f.rationale] for f in arch.flows])
    timed = [f for f in arch.flows if f.latency_parts]
    if timed:
        # under active-active regions: a write or a current read from a region other than its row's home pays the round trip
        far = {g.scope: g.value for g in arch.figures if g.key.startswith("latency.far_region_ms.")}
        lines += ["Expected latency per request (each part an assumed per-operation figure, under Assumptions; cached parts weighted by hit ratio):", ""]
        lines += _table(
            ["use case", "budget", "expected", *(["from another region"] if far else []), "parts"],
            [
                [
                    f.use_case,
                    f"{f.latency_budget_ms:,.0f} ms",
                    f"{f.expected_latency_ms:,.1f} ms",
                    *([f"{far[f.use_case]:,.1f} ms" if f.use_case in far else "-"] if far else []),
                    "; ".join(f"{p.part} {p.ms:,.2f} ms" for p in f.latency_parts),
                ]
                for f in timed
            ],
        )
        if far:
            lines += [
                "From another region: a write or a read that must be current is served in its row's home region (multi-region), so a caller in "
                "another region adds the round trip between regions; '-' where the caller's own region answers (a read that tolerates the "
                "replication lag, the caller's own rows, a create the caller alone owns).",
                "",
            ]
    lines += _reference_checks(arch) + membership_rules(arch) + member_write_rules(arch)
    for flow in crossing_flows(arch):
        lines += [f"### {flow.use_case}", "", "```mermaid", render_sequence(arch, flow).rstrip(), "```", ""]
        if flow.saga is not None:
            lines += [f"Saga by {flow.saga.coordination}: {flow.saga.reason}.", ""]
            lines += _table(
                ["step", "service", "commits", "kind", "compensation"],
                [[str(n), s.service, s.action, s.kind, s.compensation or "-"] for n, s in enumerate(flow.saga.steps, 1)],
            )
    if arch.events:
        lines += [f"Events ({_event_sources(arch)}; consumers are idempotent):", ""]
        # the payload every document of the event defines, and the bytes the sizing reads (ir.payloads)
        lines += _table(
            ["event", "producer", "consumers", "key", "from use cases", "payload", "payload bytes (JSON, envelope included)"],
            [
                [
                    e.name,
                    e.producer,
                    ", ".join(consumer_labels(arch, e)) or "-",
                    e.key,
                    ", ".join(published_by(e)),
                    ", ".join(payload_fields(e, table)),
                    str(payload_bytes(e, table)),
                ]
                for e in arch.events
                for table in [event_table(arch, e.entity)]
            ],
        )
    return lines


def _reference_checks(arch: Architecture) -> list[str]:
    """How each reference a request makes to another service's row is checked (``design/reference_checks.py``), one row each."""
    if not arch.reference_checks:
        return []
    lines = [
        "References to rows another service owns (no foreign key across services; decision `reference-checks`; "
        "the scaffold does not generate these checks: the implementer adds them as decided here):",
        "",
    ]
    return lines + _table(
        ["use case", "column", "references", "carried in", "checked by", "checks/s at peak", "why"],
        [[c.use_case, f"{c.table}.{c.column}", f"{c.entity} ({c.owner})", c.where, c.check, f"{c.peak:,.0f}", c.reason] for c in arch.reference_checks],
    )


def _event_sources(arch: Architecture) -> str:
    """How the events are published, each source named with its events when more than the outbox publishes (``ir.query.event_source``)."""
    logs = sorted({event_source(arch, e) for e in arch.events} - {OUTBOX_SOURCE})
    if not logs:
        return "published through a transactional outbox"
    outboxed = [e.name for e in arch.events if event_source(arch, e) == OUTBOX_SOURCE]
    said = [f"{', '.join(outboxed)} published through a transactional outbox"] if outboxed else []
    said += [f"{', '.join(e.name for e in arch.events if event_source(arch, e) == log)} published from {log} (no outbox row)" for log in logs]
    return "; ".join(said)


def _paths(arch: Architecture) -> list[str]:
    """The decisions the numbers drove (one line each, the full record under Decisions) and the components they add."""
    # storage, availability and growth have sections of their own
    chosen = [d for d in arch.decisions if d.pattern and d.area not in {"storage", "availability", "growth", "operations", "security"}]
    if not chosen and not arch.components and not arch.pattern_notes and not arch.channels:
        return []
    lines = ["## Read and write paths", ""]
    if chosen:
        lines += _table(["decision", "for", "choice"], [[f"[{d.title}](#{_anchor(d.title)})", d.subject or "system", d.choice] for d in chosen])
    if arch.components:
        lines += ["Components beside the services:", ""]
        rows = [[c.name, c.kind, c.technology, c.purpose + _reached(arch, c.name) + _redelivered(c), _component_size(c)] for c in arch.components]
        lines += _table(["component", "kind", "technology", "purpose", "size"], rows)
    if arch.jobs:
        lines += ["Batch jobs (started by the scheduler, never a public endpoint):", ""]
        lines += _table(
            ["job", "every", "reads", "writes", "rows a run", "rows/s", "workers", "retries and idempotency"],
            [
                [
                    j.use_case,
                    f"{j.interval_s:g}s",
                    ", ".join(j.reads),
                    ", ".join(j.writes),
                    f"{j.rows_per_run:,.0f}",
                    f"{j.rows_per_s:,.0f}",
                    j.workers,
                    f"{j.retries}; {j.idempotency}",
                ]
                for j in arch.jobs
            ],
        )
    if arch.channels:
        lines += ["Real-time channels (`asyncapi/realtime-gateway.yaml`):", ""]
        rows = [
            [f"`{c.address}`", c.transport, ", ".join(c.events), ", ".join(c.publishers), c.recipients, human(c.deliveries_per_s, ""), c.offline]
            for c in arch.channels
        ]
        lines += _table(["channel", "transport", "events", "pushed by", "recipients", "deliveries/s", "offline"], rows)
    if arch.pattern_notes:
        lines += ["Not needed at these numbers:", ""]
        lines += [f"- {n.subject}: {n.reason} ({n.pattern})" for n in arch.pattern_notes]
        lines.append("")
    return lines


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


def _reached(arch: Architecture, name: str) -> str:
    """How the events a part consumes reach it, where a pub/sub carries them (``ir.query.delivery_routes``): the path the diagrams draw, per route."""
    return "".join(f"; {events}: {note}" for events, note in delivery_routes(arch, name))


def _redelivered(component: Component) -> str:
    """How a worker writing outside its service's database makes a redelivered event harmless (it keeps no processed events)."""
    return f"; redelivery: {component.redelivery}" if component.redelivery else ""


def _component_size(component: Component) -> str:
    parts = []
    if component.instances:
        parts.append(f"{component.instances} instance(s)")
    if component.memory_bytes:
        parts.append(human(component.memory_bytes, "bytes"))
    return ", ".join(parts) or "-"


def _caching(arch: Architecture) -> list[str]:
    rows = [
        [
            c.use_case,
            c.strategy + (" + cache-aside behind it" if c.origin_ttl_seconds else ""),
            (f"{c.ttl_seconds:g}s" if c.ttl_seconds else "-") + (f" (shared cache {c.origin_ttl_seconds:g}s)" if c.origin_ttl_seconds else ""),
            c.invalidation or "-",
            c.protection or "-",
            c.rationale,
        ]
        for c in arch.caches
    ]
    return ["## Caching", "", *_table(["read path", "strategy", "TTL", "invalidation", "stampede / hot keys", "why"], rows), *redis_operations_section(arch)]


def _security(arch: Architecture) -> list[str]:
    sec = arch.security
    if sec is None:
        return []
    kind = "OAuth scopes" if sec.scheme == "oauth2" else "permissions"
    lines = ["## Security", "", f"- Authentication: {sec.authentication}; {sec.token}.", f"- Authorization: {kind} per operation:"]
    lines += [f"  - `{scope}`: {text}" for scope, text in sec.scopes.items()]
    if sec.tenant_isolation:
        lines.append(f"- Tenant isolation: {sec.tenant_isolation}.")
    if sec.pii_fields:
        lines.append(f"- PII (excluded from logs, encrypted backups): {', '.join(sec.pii_fields)}.")
    if sec.secret_fields:
        lines.append(f"- Secrets (write-only, hashed or encrypted): {', '.join(sec.secret_fields)}.")
    lines += [f"- Callbacks from outside: {line}." for line in sec.callbacks]
    lines += [f"- Personal data of others: {line}." for line in sec.withheld]
    lines += ["", "Rate limits (token bucket per client):", ""]
    covered = zip(sec.rate_limits, covers_texts(arch), strict=True)
    rows = [[r.actor, r.operation_class, r.limit_per_minute, r.burst, r.rationale + covers] for r, covers in covered]
    lines += _table(["actor", "class", "limit/min", "burst", "why"], rows)
    if sec.compliance:
        lines += ["Compliance:", "", *[f"- {c}" for c in sec.compliance], ""]
    lines += ["Audit log: " + ", ".join(sec.audit) + ".", "", "For the security reviewer:", "", *[f"- [ ] {item}" for item in sec.review_items], ""]
    return lines


def _formula(figure: Figure) -> str:
    inputs = ", ".join(f"{k}={short(v)}" for k, v in figure.inputs.items())
    return f"{figure.formula}" + (f" with {inputs}" if inputs and len(inputs) < 300 else "")


#: The capacity section's tables by figure key prefix, in reading order; the last (no prefix) takes every figure no
#: other table named, so a figure in handoff.json is never missing from design.md.
CAPACITY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Traffic", ("qps.", "fanout.")),
    ("Network", ("bandwidth.",)),
    ("Storage", ("rows.", "bytes.", "blob.", "storage.")),
    ("Compute and database", ("instances.", "connections.", "db.")),
    ("Cache", ("cache.",)),
    ("Read models", ("feed.", "search.")),
    ("Messaging", ("events.", "deliveries.")),
    ("In-memory state", ("presence.", "latest.")),
    ("Failure and recovery", ("availability.",)),
    ("Batch jobs", ("job.",)),
    ("Access patterns", ("geo.", "realtime.", "media.", "keys.", "top.", "series.", "graph.")),
    ("Other figures", ()),
)


def _capacity(arch: Architecture) -> list[str]:
    factor = next((f.inputs["peak_factor"] for f in arch.figures if "peak_factor" in f.inputs), None)
    lines = [
        "## Capacity",
        "",
        "Every figure with its working; exact values are in `handoff.json`. Units: a day is 86,400 s, a month "
        f"{DAYS_PER_MONTH:.2f} days (365/12), a year {DAYS_PER_YEAR} days" + (f"; peak traffic is {factor:g}x the average." if factor else "."),
        "",
    ]
    placed: set[int] = set()
    for title, prefixes in CAPACITY_GROUPS:
        chosen = [i for i, f in enumerate(arch.figures) if i not in placed and (not prefixes or f.key.startswith(prefixes))]
        placed.update(chosen)
        figures = [arch.figures[i] for i in chosen]
        if figures:
            lines += [f"### {title}", ""]
            lines += _table(["quantity", "value", "formula"], [[f.quantity, human(f.value, f.unit), _formula(f)] for f in figures])
    return lines


def _operations(arch: Architecture) -> list[str]:
    """What it takes to run: per deployable, port, health checks, instances, scaling signals and secrets."""
    section = operations_section(arch)
    lines = ["## Operations", "", f"Runtime: {section['runtime']}. Observability: {section['observability']}.", ""]
    rows = [
        [
            s["name"],
            s["port"],
            "; ".join(f"{k}: {v}" for k, v in s["health"].items()),
            (f"{s['instances']:,.0f}" if s["instances"] else "-")
            + (
                f" ({s['instances_zone_loss']:,.0f} run across the zones, to carry the peak with one zone lost)"
                if s.get("instances_zone_loss") and s["instances_zone_loss"] != s["instances"]
                else ""
            ),
            "; ".join(s["scaling_signals"]),
            ", ".join(s["secrets"]),
        ]
        for s in section["services"]
    ]
    return [*lines, *_table(["deployable", "port", "health", "instances at peak", "scale out on", "secrets"], rows)]


def _decisions(arch: Architecture) -> list[str]:
    lines = ["## Decisions", ""]
    for number, decision in enumerate(arch.decisions, start=1):
        lines += [
            f"### ADR {number:04d}: {decision.title} (`{adr_filename(number, decision)}`)",
            "",
            f"- **Decision:** {decision.choice}",
            f"- **Context:** {decision.context}",
            f"- **Why:** {decision.rationale}",
        ]
        if decision.alternatives:
            lines.append("- **Alternatives considered:**")
            lines += [f"  - {a.name}: {a.why_not}" for a in decision.alternatives]
        if decision.consequences:
            lines.append(f"- **Consequences:** {decision.consequences}")
        lines.append("")
    return lines


def _bottlenecks(arch: Architecture) -> list[str]:
    rows = [[b.rank, b.title, b.trigger, b.scaling_step] for b in arch.bottlenecks]
    return ["## Bottlenecks", "", "Ranked by how close each is to its threshold.", "", *_table(["#", "risk", "trigger", "scaling step"], rows)]


def _assumptions(arch: Architecture) -> list[str]:
    return ["## Assumptions", "", *([f"- {a}" for a in arch.assumptions] or ["- none: the spec gave every input"]), ""]


def _review(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["## Review", "", "The reviewer found nothing in this design.", ""]
    return ["## Review", "", *_table(["severity", "code", "where", "finding"], [[str(f.severity), f.code, f.where, f.message] for f in findings])]


def _next(arch: Architecture, findings: list[Finding]) -> list[str]:
    return ["## Next phase", "", *[f"- **{step['role']}**: {step['task']}" for step in next_phase(arch, findings)], ""]


def _reaching(arch: Architecture) -> list[list[str]]:
    """What of the peak load reaches the busiest primary (after caches, read models and values kept in memory; one shard where sharded)."""
    figures = {f.key: f for f in arch.figures}
    write, read = figures.get("db.write_utilisation"), figures.get("db.read_utilisation")
    if write is None or read is None:
        return []
    return [
        [
            "reaching the busiest primary (one shard where sharded)",
            # each figure on the primary its own computation found: the busiest reader and the busiest writer may be different tables
            f"{human(read.inputs['peak_reads'], 'req/s')} reads (on {busiest_read_primary(read.quantity)}), "
            f"{human(write.inputs['peak_write'], 'req/s')} writes (on {busiest_write_primary(write.quantity)})",
        ]
    ]
