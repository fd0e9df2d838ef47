"""The OpenAPI contracts say what the design says: server-set fields, scopes, nesting, streams, who creates rows.

Each rule is proven over specs of different shapes (a ride's lifecycle, a forum's boards and threads, a
help desk's tickets, a feed with a live stream), not the trial's examples: the contract validates and
passes our own review, and the design critic reports rows nothing creates.
"""

from __future__ import annotations

from functools import cache

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import ApiSchema, Architecture, Operation
from backend_architect.rules.model import Severity
from backend_architect.rules.registry import API_RULES, review
from design.helpers import spec_of

RIDES = """\
system: rides
entities:
  Rider: {fields: {name: string(100)}}
  Ride:
    fields:
      rider: ref(Rider)
      status: "enum[requested,started,finished]"
      started_at: {type: datetime, nullable: true, generated: true}
      finished_at: {type: datetime, nullable: true, generated: true}
      fare: {type: money, nullable: true, generated: true}
      distance_km: decimal(8,2)?
      stops_count: int
      note: text?
    growth: 1M/day
use_cases:
  - {name: request ride, actor: rider, writes: [Ride]}
  - {name: start ride, actor: driver, writes: [Ride.status, Ride.started_at]}
  - {name: finish ride, actor: driver, writes: [Ride.status, Ride.finished_at, Ride.fare, Ride.distance_km]}
  - {name: amend ride, actor: rider, kind: update, writes: [Ride.note, Ride.stops_count, Ride.status]}
  - {name: view ride, actor: rider, reads: [Ride]}
"""

FORUM = """\
system: forum
entities:
  Member: {fields: {handle: {type: string(30), unique: true}}}
  Agent: {fields: {name: string(100)}}
  Tag: {fields: {name: {type: string(40), unique: true}}}
  Board: {fields: {title: string(100)}}
  Thread:
    fields:
      board: ref(Board)
      title: string(200)
      status: "enum[open,locked]"
      posted_at: datetime
    many_to_many: [Tag]
  Reply:
    belongs_to: Thread
    fields: {body: text}
  Note:
    fields: {author: ref(Member), body: text}
  Ticket:
    fields: {assignee: ref(Agent)?, subject: string(200), priority: "enum[low,high]"}
services:
  boards: {owns: [Member, Agent, Tag, Board, Thread, Reply, Note, Ticket]}
use_cases:
  - {name: start thread, actor: member, writes: [Thread]}
  - {name: list board threads, actor: member, reads: [Thread], filter: [board], sort: [-created_at]}
  - {name: search threads, actor: member, reads: [Thread], search: [title], filter: [board, status, posted_at]}
  - {name: list threads by tag, actor: member, reads: [Thread], filter: [tags]}
  - {name: queue threads, actor: moderator, reads: [Thread], filter: [status, board]}
  - {name: reply to thread, actor: member, writes: [Reply]}
  - {name: list thread replies, actor: member, reads: [Reply], filter: [thread]}
  - {name: write note, actor: member, writes: [Note]}
  - {name: file note for member, actor: moderator, writes: [Note]}
  - {name: list member notes, actor: member, reads: [Note], filter: [author]}
  - {name: open ticket, actor: member, writes: [Ticket]}
  - {name: list agent tickets, actor: agent, reads: [Ticket], filter: [assignee]}
  - {name: browse tickets, actor: agent, reads: [Ticket], filter: [priority]}
"""

FEED = """\
system: feed
entities:
  Author: {fields: {name: string(100)}}
  Post:
    append_only: true
    fields: {author: ref(Author), text: string(280)}
    growth: 5M/day
use_cases:
  - {name: publish post, actor: author, writes: [Post], rate: 5M/day}
  - name: stream the posts
    description: Every post as it is published, streamed to each partner.
    actor: partner
    kind: list
    reads: [Post]
    sort: [-created_at]
    deliver: {mode: realtime, subscribers: 10}
  - {name: list author posts, actor: reader, reads: [Post], filter: [author], sort: [-created_at]}
"""

MARKET = """\
system: market
entities:
  Seller: {fields: {name: string(100)}, rows: 10k}
  Shop: {fields: {seller: ref(Seller), name: string(100)}, growth: 100/day}
  Listing:
    part_of: Shop
    fields: {title: string(200), price: money}
    avg_per_parent: 20
  Offer:
    fields: {listing: ref(Listing), amount: money, state: "enum[pending,accepted,declined]"}
    avg_per_parent: 3
  Payout:
    fields: {seller: ref(Seller), amount: money}
    growth: 500/day
  Visit:
    fields: {listing: ref(Listing), country: string(2)}
    growth: 1M/day
  Category: {fields: {name: string(60)}, growth: 2/day}
use_cases:
  - {name: open shop, actor: seller, writes: [Shop, Listing]}
  - {name: accept offer, actor: seller, writes: [Offer.state]}
  - {name: decline offer, actor: seller, writes: [Offer.state]}
  - {name: pay sellers, actor: scheduler, schedule: daily, writes: [Payout]}
  - {name: list payouts, actor: seller, reads: [Payout], filter: [seller]}
  - {name: view listing, actor: buyer, kind: get, reads: [Listing], writes: [Visit]}
  - {name: list visits, actor: seller, reads: [Visit], filter: [listing]}
  - {name: browse categories, actor: buyer, reads: [Category]}
  - {name: list sellers, actor: admin, reads: [Seller]}
"""

SPECS = {"rides": RIDES, "forum": FORUM, "feed": FEED, "market": MARKET}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def operation(name: str, use_case: str) -> Operation:
    found = [o for api in designed(name).architecture.apis for o in api.operations if use_case in o.use_cases]
    assert len(found) == 1, f"{use_case}: {[(o.method, o.path) for o in found]}"
    return found[0]


def schemas(name: str) -> dict[str, ApiSchema]:
    return {s.name: s for api in designed(name).architecture.apis for s in api.schemas}


def body(name: str, use_case: str) -> set[str]:
    schema = operation(name, use_case).request_schema
    return {p.name for p in schemas(name)[schema].properties} if schema else set()


def query(name: str, use_case: str) -> dict[str, bool]:
    return {p.name: p.required for p in operation(name, use_case).parameters if p.location == "query"}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_contracts_validate_and_review_clean_ok(name: str) -> None:
    """openapi-spec-validator accepts every contract and our own API review finds nothing above info."""
    documents = []
    for path, text in sorted(designed(name).files.items()):
        if path.startswith("openapi/"):
            validate(yaml.safe_load(text))
            documents.append(import_openapi_text(text, path))
    findings = review(Architecture(system="t", contracts=documents), API_RULES)
    assert [f"{f.location}: {f.code} {f.message}" for f in findings if f.severity > Severity.INFO] == []


# --- 1. a field the server sets is never in a request body -----------------------------------


@pytest.mark.parametrize(
    ("use_case", "fields"),
    [
        pytest.param("start ride", set(), id="stamp-only-action-has-no-body"),
        pytest.param("finish ride", {"distance_km"}, id="action-keeps-what-the-client-decides"),
        pytest.param("amend ride", {"note", "status"}, id="update-keeps-its-state-not-a-counter"),
        pytest.param("request ride", {"note"}, id="create-leaves-generated-and-the-drivers-fields-out"),
    ],
)
def test_server_set_fields_stay_out_of_bodies_ok(use_case: str, fields: set[str]) -> None:
    """A generated timestamp or computed fare a use case names is its effect: the body holds only what the client decides."""
    assert body("rides", use_case) == fields


@pytest.mark.parametrize(("use_case", "fields"), [("start ride", "started_at"), ("finish ride", "finished_at, fare"), ("amend ride", "stops_count")])
def test_server_set_fields_are_read_only_and_said_ok(use_case: str, fields: str) -> None:
    """The fields the server stamps are readOnly in the response, and the operation says the server sets them."""
    read = {p.name: p for p in schemas("rides")["Ride"].properties}
    assert all(read[f].read_only for f in fields.split(", "))
    # the state a use case is named for may follow ('and status to 'started''): the stamped fields lead
    assert f"The server sets {fields}" in operation("rides", use_case).description


def test_no_request_schema_takes_a_read_only_field_ok() -> None:
    """Across every shape, no request body carries a property the read shape marks readOnly (the critic's DES003 agrees)."""
    for name in SPECS:
        assert [f.message for f in designed(name).findings if f.code == "DES003"] == []


# --- 2. a filter a list is scoped by is required ---------------------------------------------


@pytest.mark.parametrize(
    ("use_case", "expected"),
    [
        pytest.param("search threads", {"board_id": True, "status": False, "posted_at_from": False, "posted_at_to": False}, id="reference-scope"),
        pytest.param("list threads by tag", {"tag": True}, id="many-to-many-scope-by-its-unique-name"),
        pytest.param("browse tickets", {"priority": False}, id="enum-facet-stays-optional"),
        pytest.param("queue threads", {"status": False, "board_id": False}, id="index-led-by-an-enum-has-facets-only"),
    ],
)
def test_scope_filter_is_required_ok(use_case: str, expected: dict[str, bool]) -> None:
    """A list's own reference filter (the index's leading equality column) is required; enums and ranges are facets."""
    found = query("forum", use_case)
    assert {k: v for k, v in found.items() if k in expected} == expected


@pytest.mark.parametrize("use_case", ["search threads", "queue threads", "list board threads", "browse tickets"])
def test_scope_is_what_the_index_leads_with_ok(use_case: str) -> None:
    """A required query scope is the leading column of the list's own index; a list whose index leads with a facet requires none."""
    arch = designed("forum").architecture
    entity = operation("forum", use_case).entity
    table = next(t for s in arch.datastores for t in s.tables if t.entity == entity)
    index = next((i for i in table.indexes if any(f"use case '{use_case}'" in r for r in i.reasons) and i.method != "gin"), None)
    assert index is not None
    leading = index.columns[0].name
    required = {p.name for p in operation("forum", use_case).parameters if p.required}
    scoped = next((p for p in operation("forum", use_case).parameters if p.location == "query" and p.required), None)
    assert scoped is None or scoped.name == leading, (use_case, leading, required)
    assert scoped is not None or not leading.endswith("_id") or leading in required


def test_scope_parameter_says_why_ok() -> None:
    """The required scope says it scopes the list."""
    param = next(p for p in operation("forum", "search threads").parameters if p.name == "board_id")
    assert "scoped" in (param.description or "")


# --- 3. a create nests where its list nests -----------------------------------------------------


@pytest.mark.parametrize(
    ("list_case", "create_case", "path", "column"),
    [
        pytest.param("list board threads", "start thread", "/boards/{board_id}/threads", "board_id", id="required-reference"),
        pytest.param("list thread replies", "reply to thread", "/threads/{thread_id}/replies", "thread_id", id="belongs-to"),
        pytest.param("list member notes", "file note for member", "/members/{member_id}/notes", "author_id", id="someone-elses-reference"),
    ],
)
def test_create_nests_like_its_list_ok(list_case: str, create_case: str, path: str, column: str) -> None:
    """The create goes to the collection its list reads, the parent's id from the path and never the body."""
    assert (operation("forum", list_case).method, operation("forum", list_case).path) == ("get", path)
    create = operation("forum", create_case)
    assert (create.method, create.path, create.success_status) == ("post", path, 201)
    assert path.rsplit("{", 1)[1].split("}")[0] in {p.name for p in create.parameters if p.location == "path"}
    assert column not in body("forum", create_case)


@pytest.mark.parametrize(
    ("create_case", "path", "in_body"),
    [
        pytest.param("open ticket", "/tickets", "assignee_id", id="optional-reference-does-not-nest"),
        pytest.param("write note", "/notes", None, id="callers-own-reference-comes-from-the-token"),
    ],
)
def test_create_does_not_nest_under_optional_or_caller_ok(create_case: str, path: str, in_body: str | None) -> None:
    """A list nested under an optional reference, or under the caller's own, leaves the create on the flat collection."""
    create = operation("forum", create_case)
    assert (create.method, create.path) == ("post", path)
    if in_body:
        assert in_body in body("forum", create_case)
    assert "author_id" not in body("forum", create_case)


# --- 4. an operation answering JSON pages does not claim to stream -----------------------------


def test_subscribed_list_names_its_stream_ok() -> None:
    """A list with ``deliver: realtime`` says the gateway's channel streams and this operation pages (its response is JSON pages)."""
    op = operation("feed", "stream the posts")
    assert op.paginated
    assert "does not stream" in op.description
    assert "asyncapi/realtime-gateway.yaml" in op.description
    channel = next(c for c in designed("feed").architecture.channels if "stream the posts" in c.use_cases)
    assert f"on channel {channel.address} " in op.description
    assert "asyncapi/realtime-gateway.yaml" in designed("feed").files


def test_unsubscribed_list_says_nothing_of_streams_ok() -> None:
    """A list without ``deliver`` carries no stream note."""
    assert "stream" not in operation("feed", "list author posts").description


# --- 6. rows acted on that nothing creates ---------------------------------------------------


def _lifecycle(name: str) -> dict[str, tuple[Severity, str]]:
    return {f.where.removeprefix("entity "): (f.severity, f.message) for f in designed(name).findings if f.code == "DES010"}


def test_changed_rows_nothing_creates_are_warned_ok() -> None:
    """Offers accepted and declined but never created: a warning naming both use cases and the rows sized."""
    severity, message = _lifecycle("market")["Offer"]
    assert severity == Severity.WARNING
    assert "'accept offer', 'decline offer' change Offer rows" in message


def test_read_rows_nothing_creates_are_said_ok() -> None:
    """Rows only read (a catalogue a back office may keep) are reported as information."""
    assert _lifecycle("market")["Category"][0] == Severity.INFO


@pytest.mark.parametrize(
    "entity",
    [
        pytest.param("Shop", id="created-by-a-create"),
        pytest.param("Listing", id="created-as-a-part"),
        pytest.param("Payout", id="created-by-a-job"),
        pytest.param("Visit", id="created-by-a-read-that-logs-itself"),
        pytest.param("Seller", id="stated-population-no-growth"),
    ],
)
def test_created_rows_are_not_reported_ok(entity: str) -> None:
    """Rows a create, a create's parts, a job or a logging read inserts, or a population stated without growth, are fine."""
    assert entity not in _lifecycle("market")


def test_lifecycle_finding_err() -> None:
    """The critic is not clean while rows are changed that nothing creates."""
    assert any(f.code == "DES010" and f.severity >= Severity.WARNING for f in designed("market").findings)
