"""PAT041: large text bodies that make a table outgrow the hot store move to object storage; the row keeps their key."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.data import OBJECT_KEY_LENGTH
from backend_architect.design.overrides import forced, override_for
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, figures, fmt, size
from backend_architect.design.patterns._stores import HOT_STORE_BYTES, bytes_at, horizon, readers, storage_figures
from backend_architect.design.patterns.search import PG_SEARCH_MAX_QPS, PG_SEARCH_MAX_ROWS
from backend_architect.ir.model import Architecture, Column, Figure, Table
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import DecisionOverride, Spec

#: Below this average size a body stays in the row: PostgreSQL compresses it out of line (TOAST) and
#: object storage's per-request cost and latency outweigh the bytes saved.
LARGE_BODY_MIN_BYTES = 32_000
#: A body moves when it is at least this share of the row: moving it is what brings the table back to one primary.
BODY_SHARE = 0.5
#: The key a moved body leaves in the row.
KEY_BYTES = 64


def _moved(table: Table, column: Column) -> Table:
    key = column.model_copy(
        update={"type": "varchar", "length": OBJECT_KEY_LENGTH, "avg_bytes": KEY_BYTES, "comment": "object-store key; the body lives in object storage"}
    )
    return table.model_copy(update={"columns": [key if c.name == column.name else c for c in table.columns]})


@pattern(code="PAT041", name="large-bodies-to-object-storage", stage="storage", title="Move large text bodies out of the database")
def large_bodies(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A table whose size at the horizon passes the hot store (``HOT_STORE_BYTES``, 2 TB per
    primary) and that has a text or JSON field with a stated ``avg_bytes`` of at least 32 KB
    making up half its row or more, which no use case filters or sorts on. A searched body
    moves only when search runs on a search engine (past 10M rows or 200 searches/s), which
    keeps its own copy of the text.

    ## What it adds
    The body in object storage under a key the row keeps (``varchar(1024)``); the service writes
    the object before committing the row and reads it by key; the DDL holds the key, not a copy.

    ## What it costs
    One object-store request per body read or written (tens of milliseconds); object storage
    bytes = rows x body bytes, at a fraction of database storage's price per GB.

    ## Alternatives
    Keeping the body in the row and sharding the table when it outgrows one primary (the bytes
    that force the shards are the ones no query filters on); compressing in place (TOAST already does).

    ## References
    PostgreSQL documentation, "TOAST" (73.2); AWS, "Best practices design patterns: optimizing Amazon S3 performance".
    """
    years = horizon(spec)
    known = figures(arch)
    moves: list[tuple[str, Table, Table, Column, float, str]] = []
    forced_moves: dict[str, tuple[DecisionOverride, str]] = {}
    for store in arch.datastores:
        for table in store.tables:
            if table.entity is None or table.entity not in spec.entities:
                continue
            at_horizon = bytes_at(known, table.name, years)
            entity = spec.entities[table.entity]
            for name, field in entity.fields.items():
                if field.type.kind not in {"text", "json"} or field.avg_bytes is None or field.avg_bytes < LARGE_BODY_MIN_BYTES:
                    continue
                subject = f"{table.name}.{name}"
                column = next((c for c in table.columns if c.source_field == name), None)
                if column is None:
                    continue
                share = field.avg_bytes / max(1, sum(c.avg_bytes for c in table.columns))
                refused = _refusal(analysis, table, name, at_horizon, share)
                override = override_for(spec, f"storage.{subject}", (large_bodies.code, large_bodies.name))
                if refused and override is not None and override.force and not _needed_in_row(analysis, table, name):
                    forced_moves[subject] = (override, refused)
                elif refused:
                    yield Skipped(subject, refused)
                    continue
                moves.append((store.name, table, _moved(table, column), column, share, subject))
    if not moves:
        return
    totals = _object_store_totals(spec, arch, moves)
    for store_name, before, after, column, share, subject in moves:
        applied = _applied(spec, arch, store_name, before, after, column, share, subject, totals)
        if subject in forced_moves and applied.decision is not None:
            override, refused = forced_moves[subject]
            applied = dataclasses.replace(applied, decision=forced(applied.decision, override, "keep the body in the row", refused))
        yield applied


def _needed_in_row(analysis: Analysis, table: Table, field: str) -> bool:
    """A body some query filters, sorts or searches on (without a search engine) must stay a column, whatever the author forces."""
    return bool(_refusal(analysis, table, field, float("inf"), 1.0))


def _refusal(analysis: Analysis, table: Table, field: str, at_horizon: float, share: float) -> str:
    """Why the body stays in the row, or '' when it moves."""
    if at_horizon <= HOT_STORE_BYTES:
        return f"{table.name} is {size(at_horizon)} at the horizon, within the hot store ({size(HOT_STORE_BYTES)}): the body stays in the row"
    if share < BODY_SHARE:
        return f"the body is {share:.0%} of the row (< {BODY_SHARE:.0%}): moving it does not bring the table back to one primary"
    entity = table.entity or ""
    for use_case in analysis.touching(entity):
        compared = [r for r in (*use_case.filters, *use_case.sorts) if r.entity == entity and r.field == field]
        if compared:
            return f"'{use_case.name}' filters or sorts on it: it stays a column"
    searches = [u for u in readers(analysis, entity).lookups if any(r.field == field and r.entity == entity for r in u.searches)]
    qps = sum(u.peak_qps for u in searches)
    if searches and table.rows_now <= PG_SEARCH_MAX_ROWS and qps <= PG_SEARCH_MAX_QPS:
        return f"searched in PostgreSQL ({fmt(table.rows_now)} rows, {fmt(qps)} searches/s): the full-text index needs the text in the row"
    return ""


def _object_store_totals(spec: Spec, arch: Architecture, moves: list[tuple[str, Table, Table, Column, float, str]]) -> tuple[Figure, ...]:
    """Object storage after 1 year and at the horizon: the blobs already counted plus every moved body."""
    known = {f.key: f for f in arch.figures}
    rows = {f.key: f.value for f in storage_figures(spec, arch, [after for _, _, after, _, _, _ in moves])}
    result = []
    for label in sorted({"1y", f"{horizon(spec):g}y"}):
        previous = known.get(f"bytes.{label}.object_store")
        inputs = dict(previous.inputs) if previous else {}
        total = previous.value if previous else 0.0
        for _, before, after, column, _, _ in moves:
            body = float(spec.entities[before.entity or ""].fields[column.source_field or column.name].avg_bytes or 0)
            count = rows.get(f"rows.{label}.{after.name}", 0.0)
            inputs[f"{after.name}.{column.name}_rows"] = count
            inputs[f"{after.name}.{column.name}_bytes_per_row"] = body
            total += count * body
        result.append(
            figure(
                f"bytes.{label}.object_store",
                f"object storage after {label.removesuffix('y')} year(s)",
                total,
                "bytes",
                "sum over tables of rows x blob and body bytes per row",
                inputs,
                "object storage",
            )
        )
    return tuple(result)


def _applied(
    spec: Spec, arch: Architecture, store: str, before: Table, after: Table, column: Column, share: float, subject: str, totals: tuple[Figure, ...]
) -> Applied:
    years = horizon(spec)
    body = spec.entities[before.entity or ""].fields[column.source_field or column.name].avg_bytes or 0
    was = bytes_at(figures(arch), before.name, years)
    now = next(f.value for f in storage_figures(spec, arch, [after]) if f.key == f"bytes.{years:g}y.{after.name}")
    target = named(spec, "object-store")
    choice = f"{subject}: bodies ({size(body)} on average) in {target} under a key the row keeps; the database holds the key, not a copy"
    rationale = (
        f"{before.name} would be {size(was)} after {years:g} years, past the hot store ({size(HOT_STORE_BYTES)}); the body is {share:.0%} of each row "
        f"and nothing filters or sorts on it: without it the table is {size(now)}"
    )
    made = decision(
        f"storage.{subject}",
        f"Large bodies of {subject} in object storage",
        "storage",
        choice,
        f"{before.name}: {fmt(before.rows_per_day)} rows a day, {size(body)} of {column.name} each",
        rationale,
        alternatives=[("keep the body in the row", f"{size(was)}: sharded primaries holding bytes no query filters on")],
        consequences="Reads that return the body fetch it by key (or hand the client a pre-signed URL); writes store the object first, then commit the row.",
        subject=subject,
        inputs={"bytes_at_horizon": was, "bytes_without_bodies": now, "body_bytes": float(body)},
        spec=spec,
    )
    place = Placement(
        data=subject,
        data_class="blob",
        store=target,
        reason=rationale,
        retention="with its row",
        component="object-storage",
        decision=made.id,
        alternatives=["in the row: " + size(was)],
    )
    component = Component(name="object-storage", kind="object-store", technology=target, purpose=f"bodies of {subject}", decision=made.id)
    return Applied(made, components=(component,), tables=((store, after),), placements=(place,), figures=(*storage_figures(spec, arch, [after]), *totals))
