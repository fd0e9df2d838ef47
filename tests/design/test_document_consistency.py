"""One fact, one value: the same load balancer, database plan, object-store total and availability wherever stated.

A table of specs of different shapes: the bundled examples, the system-design benchmark's specs, and small ones
written here (a monolith on AWS, a sharded ingest, a photo service with media processing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.design.helpers import spec_of
from tests.design.test_mechanism_paths import SOCIAL

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.render.ddl import render_ddl
from backend_architect.render.ddl_partitions import maintenance_summary
from backend_architect.spec.identifiers import partition_maintenance_name
from backend_architect.spec.load import load_spec, load_spec_bytes

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "benchmarks" / "system_design").glob("*/spec.yaml"))

MONOLITH_ON_AWS = """
system: clinic
team: {size: 4}
constraints: {cloud: aws}
entities:
  Patient: {fields: {name: string}}
  Visit: {fields: {patient: ref(Patient), at: datetime}}
use_cases:
  - {name: book visit, actor: patient, writes: [Visit], rate: 20/s}
  - {name: list visits, actor: patient, reads: [Visit], filter: [patient], rate: 200/s}
"""

SHARDED_INGEST = """
system: meters
entities:
  Meter: {fields: {site: string}, rows: 2M}
  Reading: {fields: {meter: ref(Meter), value: float, taken_at: datetime}, growth: 2B/day}
use_cases:
  - {name: record reading, actor: meter, writes: [Reading], rate: 2B/day}
  - {name: meter history, actor: operator, reads: [Reading], filter: [meter], rate: 50/s}
"""

PHOTOS = """
system: photos
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 5M}
  Photo:
    fields:
      owner: ref(User)
      image: {type: blob, avg_bytes: 3MB, media: {renditions: [thumb, medium, large]}}
    growth: 2M/day
use_cases:
  - {name: upload photo, actor: user, writes: [Photo], rate: 2M/day}
  - {name: view photo, actor: visitor, auth: none, reads: [Photo], rate: 5k/s}
"""

#: Parcels looked up for years (hot/cold tiers) and clicks nobody reads (exported to the warehouse).
PARCELS = """
system: parcels
scale: {retention_years: 5}
entities:
  Customer: {fields: {name: string}, rows: 1M}
  Parcel: {fields: {customer: ref(Customer), label: string(200), weight: float}, growth: 20M/day}
use_cases:
  - {name: ship parcel, actor: customer, writes: [Parcel], rate: 20M/day}
  - {name: track parcel, actor: customer, reads: [Parcel], rate: 2k/s}
"""
CLICKS = """
system: clicks
scale: {retention_years: 3}
entities:
  Page: {fields: {url: string(500)}, rows: 100k}
  Click: {append_only: true, fields: {page: ref(Page), referrer: string(500), agent: string(300)}, growth: 200M/day}
use_cases:
  - {name: record click, actor: visitor, auth: none, writes: [Click], rate: 200M/day}
  - {name: view page, actor: visitor, auth: none, reads: [Page], rate: 100/s}
"""

WRITTEN = {"monolith-on-aws": MONOLITH_ON_AWS, "sharded-ingest": SHARDED_INGEST, "photos": PHOTOS, "parcels": PARCELS, "clicks": CLICKS}


def _designs() -> list[tuple[str, Architecture, str]]:
    found = []
    for path in FILES:
        result = design_spec(load_spec(path))
        found.append((f"{path.parent.name}/{path.stem}", result.architecture, result.files["design.md"]))
    for name, text in WRITTEN.items():
        result = design_spec(load_spec_bytes(text.encode(), f"{name}.yaml"))
        found.append((name, result.architecture, result.files["design.md"]))
    return found


DESIGNS = _designs()
#: The use cases that search full text, by design name.
SEARCHES = {
    **{f"{p.parent.name}/{p.stem}": {u.name for u in load_spec(p).spec.use_cases if u.search} for p in FILES},
    **{n: {u.name for u in spec_of(t).use_cases if u.search} for n, t in WRITTEN.items()},
}


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_one_load_balancer_everywhere_ok(name: str, arch: Architecture, document: str) -> None:
    """The edge decision, the components and the availability plan name the same load balancer."""
    technologies = {c.technology for c in arch.components if c.name == "load-balancer"}
    assert len(technologies) == 1, technologies
    (technology,) = technologies
    edge = next(d for d in arch.decisions if d.id == "edge")
    assert technology in edge.choice
    availability = next((d for d in arch.decisions if d.id == "availability"), None)
    if availability is not None:
        assert technology in availability.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_database_consequences_name_the_sharded_tables_ok(name: str, arch: Architecture, document: str) -> None:
    """The primary database's consequences say which tables are sharded, never 'one primary' beside shards."""
    database = next((d for d in arch.decisions if d.id == "database"), None)
    if database is None:
        pytest.skip("no relational database decision")
    sharded = [t.name for s in arch.datastores for t in s.tables if t.sharding is not None]
    for table in sharded:
        assert f"{table} by " in (database.consequences or "")
    if sharded:
        assert "One primary per database" not in (database.consequences or "")


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_object_store_total_includes_its_parts_ok(name: str, arch: Architecture, document: str) -> None:
    """bytes.<N>y.object_store is the whole store: the blobs and every output processed from them."""
    figures = {f.key: f.value for f in arch.figures}
    for key, total in figures.items():
        if key.endswith(".object_store") and key.startswith("bytes."):
            parts = sum(v for k, v in figures.items() if k.startswith(key + "."))
            assert total >= parts, key


def test_photo_renditions_counted_in_object_storage_ok() -> None:
    """A media pipeline's renditions are inside the object-store total, and the daily figure agrees with the totals' slope."""
    arch = next(a for n, a, _ in DESIGNS if n == "photos")
    figures = {f.key: f.value for f in arch.figures}
    renditions = [k for k in figures if k.startswith("bytes.1y.object_store.")]
    assert renditions
    per_day = next(v for k, v in figures.items() if k.startswith("media.bytes_per_day."))
    horizon = max(float(k.split(".")[1].removesuffix("y")) for k in figures if k.endswith(".object_store"))
    slope = (figures[f"bytes.{horizon:g}y.object_store"] - figures["bytes.1y.object_store"]) / ((horizon - 1) * 365)
    assert slope == pytest.approx(per_day, rel=0.01)


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_availabilities_print_their_nines_ok(name: str, arch: Architecture, document: str) -> None:
    """A composite of 99.97% never reads as 100.0% beside the same figure at three decimals."""
    composite = next((f.value for f in arch.figures if f.key == "availability.composite"), None)
    if composite is not None and composite < 1:
        assert "| 100.0% |" not in document.split("## Capacity", 1)[1]


def test_edge_counts_deployables_not_modules_ok() -> None:
    """A modular monolith is one deployable behind the load balancer, whatever its module count."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(MONOLITH_ON_AWS))
    assert arch.deployment == "modular-monolith"
    edge = next(d for d in arch.decisions if d.id == "edge")
    assert edge.context.startswith("1 deployable(s)")
    assert "AWS Application Load Balancer" in edge.choice


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_failure_table_names_only_what_the_design_keeps_ok(name: str, arch: Architecture, document: str) -> None:
    """A store's loss mentions presence or rate limits only when the design keeps them there; searches never wait on the primary."""
    impacts = arch.availability.impacts if arch.availability else []
    has_presence = any(d.id.startswith("presence.") for d in arch.decisions)
    for impact in impacts:
        assert ("presence reads as offline" in impact.detail) <= has_presence, impact
        if "rate limits fail open" in impact.detail:
            limits = next(d for d in arch.decisions if d.id.startswith("rate-limits"))
            assert any(c.name == impact.dependency and c.technology.split()[0] in limits.choice for c in arch.components)
    if any(c.kind == "search-engine" for c in arch.components):
        primary_reads = {n for i in impacts if i.dependency == "database primary" and i.effect != "fail" for n in i.use_cases}
        assert not primary_reads & SEARCHES[name]


NOTES = """
system: notes
entities:
  Note: {fields: {body: text, title: string}, growth: GROWTH}
use_cases:
  - {name: write note, actor: user, writes: [Note], rate: 10/s}
  - {name: search notes, actor: user, reads: [Note], search: [title, body], rate: 5/s}
"""


@pytest.mark.parametrize(
    ("growth", "decisions", "gin"),
    [
        pytest.param("1k/day", "", True, id="small-corpus-postgresql"),
        pytest.param("50M/day", "", False, id="large-corpus-search-engine"),
        pytest.param("50M/day", "decisions: {search: {choose: PostgreSQL full-text search, reason: one store to run}}\n", True, id="author-keeps-postgresql"),
    ],
)
def test_full_text_index_only_where_postgresql_searches_ok(growth: str, decisions: str, gin: bool) -> None:
    """The GIN index, and its bytes in the table's size, exist exactly when PostgreSQL answers the searches."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(NOTES.replace("GROWTH", growth) + decisions))
    notes = next(t for s in arch.datastores for t in s.tables if t.name == "notes")
    assert any(i.method == "gin" for i in notes.indexes) is gin
    engine = any(c.kind == "search-engine" for c in arch.components)
    assert engine is not gin
    from backend_architect.design.capacity import index_bytes_per_row

    sized = next(f for f in arch.figures if f.key.startswith("bytes.1y.notes"))
    gin_bytes = index_bytes_per_row(notes) - index_bytes_per_row(notes.model_copy(update={"indexes": [i for i in notes.indexes if i.method != "gin"]}))
    # the full-text index is sized in exactly when it exists (a partition key added later may add a few bytes)
    assert abs(sized.inputs["index_bytes_per_row"] - index_bytes_per_row(notes)) <= 16
    assert (gin_bytes > 100) is gin


TEAM = """
system: shop
team: {size: TEAM}
entities:
  Customer: {fields: {email: {type: email, unique: true}}}
  Product: {fields: {name: string, price: money}}
  Order: {fields: {customer: ref(Customer), product: ref(Product), placed_at: datetime}}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 20/s}
  - {name: list products, actor: customer, reads: [Product], rate: 200/s}
  - {name: view order, actor: customer, reads: [Order, Product], consistency: eventual, rate: 50/s}
"""


@pytest.mark.parametrize(
    ("team", "shape", "title"),
    [
        pytest.param(20, "modular monolith", "Deploy as a modular monolith", id="author-picks-monolith-for-20"),
        pytest.param(4, "microservices", "Deploy as microservices", id="author-picks-services-for-4"),
    ],
)
def test_overridden_deployment_is_titled_by_what_is_built_ok(team: int, shape: str, title: str) -> None:
    """An author's deployment shape names its record: the title and consequences are the built shape's, the numbers' an alternative."""
    from backend_architect.design.pipeline import design

    text = TEAM.replace("TEAM", str(team)) + f"decisions: {{deployment-shape: {{choose: {shape}, reason: the team's call}}}}\n"
    made = next(d for d in design(spec_of(text)).decisions if d.id == "deployment-shape")
    assert made.title == title
    assert made.decided_by == "spec"
    assert any(a.name.startswith("what the numbers chose") for a in made.alternatives)


def test_data_nobody_writes_is_queried_not_copied_ok() -> None:
    """A stale-tolerant read of another service's data that no use case writes is a query: no event exists to feed a copy."""
    from backend_architect.design.pipeline import design

    declared = "services:\n  catalog: {owns: [Product]}\n  orders: {owns: [Customer, Order], calls: [catalog]}\n"
    arch = design(spec_of(TEAM.replace("TEAM", "30") + declared))
    flow = next(f for f in arch.flows if f.use_case == "view order")
    product_owner = next(s.name for s in arch.services if "Product" in s.entities)
    order_owner = next(s.name for s in arch.services if "Order" in s.entities)
    assert product_owner != order_owner
    assert flow.style == "sync"
    assert any(s.kind == "query" and s.target == product_owner for s in flow.steps)
    assert not any(s.kind == "event" and s.source == product_owner for s in flow.steps)


@pytest.mark.parametrize(("limit", "multipart"), [("50MB", False), ("5GB", True)])
def test_multipart_only_where_the_upload_limit_allows_ok(limit: str, multipart: bool) -> None:
    """The media decision speaks of multipart uploads only when the field's own limit lets an upload pass 100 MB."""
    from backend_architect.design.pipeline import design

    text = PHOTOS.replace("avg_bytes: 3MB,", f"avg_bytes: 3MB, max_bytes: {limit},")
    made = next(d for d in design(spec_of(text)).decisions if d.id.startswith("media"))
    assert ("multipart above" in made.choice) is multipart


TICKETS = """
system: desk
entities:
  Ticket: {fields: {title: string, status: "enum[open,assigned,closed,reopened]"}}
use_cases:
  - {name: open ticket, actor: user, writes: [Ticket], rate: 5/s}
  - {name: assign ticket, actor: agent, kind: action, writes: [Ticket.status], rate: 5/s}
  - {name: close ticket, actor: agent, kind: action, writes: [Ticket.status], rate: 5/s}
  - {name: reopen ticket, actor: user, kind: action, writes: [Ticket.status], rate: 1/s}
"""


@pytest.mark.parametrize(("use_case", "state"), [("assign ticket", "assigned"), ("close ticket", "closed"), ("reopen ticket", "reopened")])
def test_action_example_shows_the_state_it_leads_to_ok(use_case: str, state: str) -> None:
    """An action's response example carries the enum value its name says, not the first value (the state before it)."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(TICKETS))
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    assert op.example_response["status"] == state


#: The social feed of the mechanism tests, with its publish rate a parameter and a page bound of its own.
FEED = SOCIAL.replace("rate: 2k/s, avg_fanout", "rate: RATE, avg_fanout").replace("    staleness: 5s", "    page: {limit: 50, max: 200}\n    staleness: 5s")


@pytest.mark.parametrize("rate", ["2k/s", "20k/s"])
def test_log_partitions_admit_every_fan_out_worker_ok(rate: str) -> None:
    """A consumer group runs one consumer per partition at most: a busy topic has at least as many partitions as the fan-out workers."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(FEED.replace("RATE", rate)))
    workers = max(c.instances or 0 for c in arch.components if c.kind == "worker" and "consumer" in c.technology)
    partitions = next((f.value for f in arch.figures if f.key == "events.partitions"), None)
    if partitions is not None:
        assert partitions >= workers
    else:
        assert not any(c.technology.startswith("Apache Kafka") for c in arch.components)


def test_limit_problem_states_the_operations_own_bound_ok() -> None:
    """The 400 example of a paged list names the limit its parameter declares (here 200), not a stock 100."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(FEED.replace("RATE", "2k/s")))
    op = next(o for a in arch.apis for o in a.operations if "read timeline" in o.use_cases)
    assert op.example_error_status == 400
    assert "between 1 and 200" in op.example_error["detail"]
    limit = next(p for p in op.parameters if p.name == "limit")
    assert limit.maximum == 200


@pytest.mark.parametrize(("retention", "days"), [("", None), ("    retention: 30d\n", 30.0)])
def test_retention_is_stated_only_when_rows_expire_ok(retention: str, days: float | None) -> None:
    """A table with no stated retention keeps its rows: no retention_days (the horizon sizes it), none in its figures' inputs."""
    from backend_architect.design.pipeline import design

    text = f"""
system: audit
entities:
  Entry:
    fields: {{action: string}}
    growth: 1M/day
{retention}use_cases:
  - {{name: record entry, actor: service, writes: [Entry], rate: 1M/day}}
"""
    arch = design(spec_of(text))
    entries = next(t for s in arch.datastores for t in s.tables if t.name == "entries")
    assert entries.retention_days == days
    rows = next(f for f in arch.figures if f.key.startswith("rows.") and f.key.endswith(".entries"))
    assert ("retention_days" in rows.inputs) is (days is not None)


@pytest.mark.parametrize("precision", ["decimal(2,1)", "decimal(3,2)", "decimal(6,2)", "decimal(4,1)"])
def test_decimal_examples_fit_their_column_ok(precision: str) -> None:
    """A decimal field's example fits the pattern its numeric(precision, scale) column gives it (no 19.99 in numeric(3,2))."""
    import re

    from backend_architect.design.pipeline import design

    text = f"""
system: reviews
entities:
  Review: {{fields: {{body: string, rating: "{precision}"}}}}
use_cases:
  - {{name: write review, actor: user, writes: [Review], rate: 5/s}}
"""
    arch = design(spec_of(text))
    op = next(o for a in arch.apis for o in a.operations if "write review" in o.use_cases)
    schema = next(s for a in arch.apis for s in a.schemas if s.name == op.request_schema)
    rating = next(p for p in schema.properties if p.name == "rating")
    assert rating.pattern
    assert re.fullmatch(rating.pattern.strip("^$"), op.example_request["rating"])


RIDES = """
system: rides
entities:
  Rider: {fields: {name: string}}
  Driver: {fields: {name: string}}
  Ride:
    fields:
      rider: ref(Rider)
      driver: {type: "ref(Driver)?", generated: true}
      pickup: string
      status: "enum[requested,accepted,finished]"
      accepted_at: {type: "datetime?", generated: true}
use_cases:
  - {name: request ride, actor: rider, writes: [Ride.rider, Ride.pickup], kind: create, rate: 10/s}
  - {name: accept ride, actor: driver, kind: action, writes: [Ride.driver, Ride.status, Ride.accepted_at], rate: 10/s}
"""


def test_created_example_leaves_later_fields_unset_ok() -> None:
    """A just-created row's example shows the server-set fields later actions fill (its driver, accepted_at) as null."""
    from backend_architect.design.pipeline import design

    arch = design(spec_of(RIDES))
    op = next(o for a in arch.apis for o in a.operations if "request ride" in o.use_cases)
    assert op.kind == "create"
    schema = next(s for a in arch.apis for s in a.schemas if s.name == op.response_schema)
    later = [p.name for p in schema.properties if p.read_only and p.nullable and p.name not in (op.example_request or {})]
    assert later
    assert all(op.example_response[name] is None for name in later)


@pytest.mark.parametrize(
    ("field", "first"), [("clip: {type: blob, avg_bytes: 50MB}", "video/mp4"), ("scan: {type: blob, content_types: [application/pdf]}", "application/pdf")]
)
def test_stored_content_type_is_one_of_the_uploads_allowed_types_ok(field: str, first: str) -> None:
    """The row's content type column admits the upload's allowed types (a CHECK), and the contract's example is one of them."""
    from backend_architect.design.pipeline import design

    text = f"""
system: files
entities:
  Item: {{fields: {{title: string, {field}}}}}
use_cases:
  - {{name: add item, actor: user, writes: [Item], rate: 5/s}}
  - {{name: view item, actor: user, reads: [Item], rate: 5/s}}
"""
    arch = design(spec_of(text))
    name = field.split(":")[0]
    items = next(t for s in arch.datastores for t in s.tables if t.name == "items")
    column = next(c for c in items.columns if c.name == f"{name}_content_type")
    assert column.enum_values[0] == first
    op = next(o for a in arch.apis for o in a.operations if "view item" in o.use_cases)
    assert op.example_response[f"{name}_content_type"] in column.enum_values


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_requests_are_drawn_through_the_edge_ok(name: str, arch: Architecture, document: str) -> None:
    """The architecture diagram sends clients through the load balancer (and the API gateway), never straight to a service."""
    from backend_architect.render.mermaid import render_architecture

    diagram = render_architecture(arch)
    assert "clients --> svc_" not in diagram
    if any(c.kind == "load-balancer" and c.decision == "edge" for c in arch.components):
        assert "clients --> cmp_load_balancer" in diagram
    if any(c.kind == "api-gateway" for c in arch.components):
        assert "cmp_load_balancer --> cmp_api_gateway" in diagram


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_partition_maintenance_in_the_text_is_the_ddls_ok(name: str, arch: Architecture, document: str) -> None:
    """A partitioned table's text names its maintenance function with the periods ahead, hot window and expiry the DDL's function runs."""
    for store in arch.datastores:
        ddl = render_ddl(store, "postgresql")
        for table in (t for t in store.tables if t.partitioning is not None):
            plan = table.partitioning
            assert plan is not None
            assert maintenance_summary(table) in document
            function = partition_maintenance_name(table.name)
            body = ddl[ddl.index(f"{function}() RETURNS void") : ddl.index("$fn$;", ddl.index(f"{function}() RETURNS void"))]
            assert f"FOR ahead IN 0..{plan.ahead} LOOP" in body
            assert f"SELECT {store.schema_name + '.' if store.schema_name else ''}{function}();" in ddl
            hot = re.search(r"the last ([\d,]+) days hot", plan.reason)
            tiered = [d for d in arch.decisions if d.id == f"storage.{table.name}" and "tablespace" in d.choice]
            assert (plan.cold_after_days is not None) == bool(hot) == bool(tiered)
            if plan.cold_after_days is not None and hot:
                assert hot.group(1) == f"{plan.cold_after_days:,.0f}"
                assert f"part.ends <= now() - interval '{plan.cold_after_days:.0f} days' AND part.reltablespace" in body
            if plan.expire_after_days is not None:
                assert f"part.ends <= now() - interval '{plan.expire_after_days:.0f} days' THEN" in body
                assert ("DETACH PARTITION" in body) == bool(plan.archive_to)
            else:
                assert "DROP TABLE" not in body
                assert "DETACH" not in body


@pytest.mark.parametrize(("name", "arch", "document"), DESIGNS, ids=[d[0] for d in DESIGNS])
def test_outbox_consumers_and_idempotency_have_their_tables_ok(name: str, arch: Architecture, document: str) -> None:
    """A service publishing through the outbox, consuming events or taking Idempotency-Key has that table in its own database's DDL."""
    roles = {s.service: {t.role: t.name for t in s.tables if t.role} for s in arch.datastores if s.engine == "postgresql"}
    services = {s.name for s in arch.services}
    expected: set[tuple[str, str]] = set()
    for flow in arch.flows:
        for step in (s for s in flow.steps if s.kind == "event" and s.via == "outbox"):
            expected.add((step.source, "outbox"))
            if step.target in services and step.target != step.source:
                expected.add((step.target, "inbox"))
    expected |= {(a.service, "idempotency") for a in arch.apis for op in a.operations if op.idempotency_key}
    if "through the transactional outbox" in document:
        assert any(role == "outbox" for _, role in expected)
    for service, role in expected:
        table = roles.get(service, {}).get(role)
        assert table is not None, (service, role)
        store = next(s for s in arch.datastores if s.service == service)
        assert f"CREATE TABLE {store.schema_name + '.' if store.schema_name else ''}{table} (" in render_ddl(store, "postgresql")
        assert f"#### {table}" in document
    assert {(s, r) for s, found in roles.items() for r in found} == expected
