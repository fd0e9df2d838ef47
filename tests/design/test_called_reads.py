"""The internal operations a read's flow calls exist with the filters and forms the flow uses, in the order the flow uses them.

Specs of different shapes, written as a stranger would: a follow-graph feed with a hybrid cut-off whose graph another service
owns (a call), a group membership list a notice board's read needs (an event-fed copy of the rosters), and a list of orders
looking up the products its page names by id in another service. Each read's answer is checked three ways: the operation it
calls can return it (a ``past_cutoff`` filter backed by a count the design keeps and its writes move; a page able to hold
the answer, or the calls a request makes counted), and the sequence reads the rows giving the ids before the rows read by them.
"""

from __future__ import annotations

import math

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.call_pages import PageCalls, lookup_calls
from backend_architect.design.step_order import keyed_position, read_entities
from backend_architect.ir.model import Architecture, Figure, Flow, FlowStep
from backend_architect.render.sequence import render_sequence

#: A photo feed over subscriptions: 50k reads/s x 250 creators a reader, the graph in its own service, busy enough for a call.
PHOTOS = """\
system: photos
services:
  accounts: {owns: [Account]}
  graph: {owns: [Subscription]}
  photos: {owns: [Photo]}
scale: {users: 30M, rates: peak}
entities:
  Account: {fields: {nick: string(30)}, rows: 30M}
  Subscription: {fields: {subscriber: ref(Account), creator: ref(Account)}, rows: 4G}
  Photo:
    append_only: true
    fields: {creator: ref(Account), caption: string(200)}
use_cases:
  - {name: upload photo, actor: user, writes: [Photo], rate: 2k/s, avg_fanout: 250}
  - {name: subscribe, actor: user, writes: [Subscription], rate: 900/s}
  - {name: unsubscribe, actor: user, kind: delete, writes: [Subscription], rate: 300/s}
  - name: browse subscriptions
    actor: user
    reads: [Photo]
    filter: [Subscription.subscriber]
    sort: [-Photo.created_at]
    rate: 50k/s
    staleness: 10s
"""

#: A board of the notices of every guild a player is on the roster of: the rosters live in another service, copied by events.
GUILDS = """\
system: guilds
services:
  people: {owns: [Player]}
  rosters: {owns: [Guild, Roster]}
  board: {owns: [Notice]}
scale: {users: 8M, rates: peak}
entities:
  Player: {fields: {tag: string(20)}, rows: 8M}
  Guild: {fields: {title: string(60)}, rows: 400k}
  Roster: {fields: {guild: ref(Guild), player: ref(Player)}, rows: 40M}
  Notice:
    append_only: true
    fields: {guild: ref(Guild), body: string(400)}
use_cases:
  - {name: found guild, actor: user, writes: [Guild], rate: 1/s}
  - {name: enlist, actor: user, writes: [Roster], rate: 100/s}
  - {name: pin notice, actor: user, writes: [Notice], rate: 500/s, avg_fanout: 100}
  - name: my guild notices
    actor: user
    owner_only: true
    reads: [Notice, Roster]
    filter: [Roster.player]
    sort: [-Notice.created_at]
    rate: 30k/s
    staleness: 5s
"""

#: A customer's orders, each naming a product another service owns, read fresh: a lookup of the page's product ids.
SHOP = """\
system: shop
team: {size: 30}
services:
  customers: {owns: [Customer]}
  catalog: {owns: [Product]}
  orders: {owns: [Order]}
scale: {users: 2M}
entities:
  Customer: {fields: {email: {type: string(120), unique: true}}}
  Product: {fields: {title: string(80), price: decimal}}
  Order: {fields: {customer: ref(Customer), product: ref(Product), quantity: int}}
use_cases:
  - {name: add product, actor: admin, writes: [Product], rate: 5/s}
  - {name: place order, actor: user, writes: [Order], rate: 200/s}
  - {name: list my orders, actor: user, kind: list, owner_only: true, reads: [Order, Product], filter: [customer], page: {limit: 25}, rate: 3k/s}
"""

_DESIGNS: dict[str, Architecture] = {}


def _design(text: str) -> Architecture:
    if text not in _DESIGNS:
        _DESIGNS[text] = design_of(text)
    return _DESIGNS[text]


def _flow(arch: Architecture, use_case: str) -> Flow:
    return next(f for f in arch.flows if f.use_case == use_case)


def _figure(arch: Architecture, key: str) -> Figure:
    found = next((f for f in arch.figures if f.key == key), None)
    assert found is not None, f"no figure {key}"
    return found


def _line(sequence: str, text: str) -> int:
    found = [i for i, line in enumerate(sequence.splitlines()) if text in line]
    assert found, f"no line with {text!r} in\n{sequence}"
    return found[0]


#: (spec, read, graph table, the count table the read joins, the database holding it, the owner's count's database)
FEEDS = [
    pytest.param(PHOTOS, "browse subscriptions", "subscriptions", "subscriptions_per_creator", "graph-db", "graph-db", id="graph-called"),
    pytest.param(GUILDS, "my guild notices", "rosters", "known_rosters_per_guild", "board-db", "rosters-db", id="graph-copied"),
]


@pytest.mark.parametrize(("text", "read", "graph", "count", "read_db", "owner_db"), FEEDS)
def test_who_is_past_the_cut_off_is_kept_where_the_read_finds_it_ok(text: str, read: str, graph: str, count: str, read_db: str, owner_db: str) -> None:
    """A hybrid feed's read learns which followed sources are past the cut-off from a count per source the design keeps: in the
    graph owner's database (moved in each graph write's transaction, read by the fan-out worker) and, beside an event-fed copy,
    in the reader's own; each write of the graph moves it, counted in the database's writes."""
    arch = _design(text)
    tables = {(d.name, t.name): t for d in arch.datastores for t in d.tables}
    kept = tables[(read_db, count)]
    assert len(kept.primary_key) == 1
    assert kept.primary_key[0] in {c.name for c in tables[(owner_db, graph)].columns}
    owner_count = count.removeprefix("known_")
    assert (owner_db, owner_count) in tables
    writes = [load for m in arch.mechanisms if m.serves == "write" for load in m.loads if load.entity in {count, owner_count} and load.writes_per_s]
    graph_writers = {u for m in arch.mechanisms for u in [m.use_case] if any(load in m.loads for load in writes)}
    assert graph_writers
    assert all(load.key in _figure(arch, f"db.writes.peak.{owner_db}").inputs for load in writes if load.entity == owner_count)
    said = next(m for m in arch.mechanisms if m.use_case == read and m.serves == "read").how
    assert f"told by the count {count} keeps" in said
    # sized as every table: rows and bytes, in its database's total
    assert _figure(arch, f"bytes.1y.{count}").value > 0
    assert count in _figure(arch, f"bytes.1y.datastore.{read_db}").inputs


def test_the_called_list_filters_to_the_sources_past_the_cut_off_ok() -> None:
    """The list the feed calls takes ``past_cutoff``, answered by the owner's count, so the merge's few authors fit one page; the
    rebuild's every followee pages until done, its calls said."""
    arch = _design(PHOTOS)
    op = next(o for a in arch.apis if a.service == "graph" for o in a.operations if o.internal and o.kind == "list")
    assert "photos" in op.consumers
    param = next(p for p in op.parameters if p.name == "past_cutoff")
    assert param.type == "boolean"
    assert "subscriptions_per_creator" in param.description
    step = next(s for s in _flow(arch, "browse subscriptions").steps if s.target == "graph")
    assert step.operations == [op.operation_id]
    assert step.calls == 1
    assert "a rebuild takes every followee, paged until next_cursor is empty, 100 rows a page: ceil(250 / 100) = 3 calls" in step.description


@pytest.mark.parametrize(
    ("text", "read", "keys", "merge"),
    [
        pytest.param(PHOTOS, "browse subscriptions", "p_photos->>p_graph: read Subscription", "Photo index range reads", id="call-before-merge"),
        pytest.param(GUILDS, "my guild notices", "reads/s of known_rosters by player_id", "Notice index range reads", id="copy-before-merge"),
        pytest.param(SHOP, "list my orders", "SELECT a page of orders", "p_orders->>p_catalog: read Product", id="rows-before-lookup"),
    ],
)
def test_the_rows_giving_the_ids_are_read_first_ok(text: str, read: str, keys: str, merge: str) -> None:
    """The sequence reads the rows that name the ids before the read by those ids: the graph (called or copied) before the
    merge of the sources past the cut-off, a page of orders before its products."""
    arch = _design(text)
    sequence = render_sequence(arch, _flow(arch, read))
    assert _line(sequence, keys) < _line(sequence, merge)


def test_a_page_naming_another_services_rows_counts_a_get_for_each_ok() -> None:
    """A page of 25 orders naming their products, read by the catalog's get by id, makes 25 calls a request: the catalog's
    requests, its database's reads and its limit for the orders service count each, and the sequence says so."""
    arch = _design(SHOP)
    flow = _flow(arch, "list my orders")
    step = next(s for s in flow.steps if s.target == "catalog")
    assert step.calls == 25
    assert step.keys_from == ["Order"]
    op = next(o for a in arch.apis if a.service == "catalog" for o in a.operations if o.operation_id in step.operations)
    assert op.kind == "get"
    peak = _figure(arch, "qps.peak.list-my-orders").value
    assert _figure(arch, "qps.peak.service.catalog").inputs["call_listMyOrders"] == pytest.approx(peak * 25)
    assert _figure(arch, "db.reads.peak.catalog-db").inputs["call_listMyOrders_catalog"] == pytest.approx(peak * 25)
    limit = next(r for r in arch.security.rate_limits if r.actor == "service" and op.operation_id in r.operations)
    assert limit.limit_per_minute >= math.ceil(peak * 25 * 60)
    assert "x 25 calls a request" in limit.rationale
    assert "(25 calls a request)" in render_sequence(arch, flow)


def test_a_get_needs_one_call_and_an_unnamed_row_is_no_lookup_err() -> None:
    """A read by one row's reference is one call; a row the read's own rows do not name is read by nothing they hold."""
    arch = _design(SHOP)
    assert all(s.calls == 1 for f in arch.flows if f.use_case != "list my orders" for s in f.steps)
    assert all(not s.keys_from for f in arch.flows if f.use_case != "list my orders" for s in f.steps)


@pytest.mark.parametrize(
    ("rows", "calls"),
    [pytest.param(0.0, 1, id="empty-is-a-call"), pytest.param(100.0, 1, id="one-full-page"), pytest.param(101.0, 2, id="one-past-a-page")],
)
def test_pages_until_done_are_counted_ok(rows: float, calls: int) -> None:
    """A list paged until done makes one call a page of 100 rows, at least one."""
    assert PageCalls(rows).calls == calls


def test_a_step_waits_for_the_rows_its_keys_come_from_ok() -> None:
    """A store's query keyed by the graph's rows stands after the step reading them; with no such step it follows the request."""
    request = FlowStep(source="u", target="board", kind="request", description="read")
    check = FlowStep(source="board", target="rosters", kind="query", description="check the caller is a member of the Guild")
    graph = FlowStep(source="board", target="rosters", kind="query", description="read Roster: the guilds")
    assert read_entities(graph, "board") == {"Roster"}
    assert read_entities(check, "board") == set()
    assert keyed_position([request, graph, check], "board", {"Roster"}) == 2
    assert keyed_position([request, check], "board", {"Roster"}) == 1


def test_lookup_calls_follow_the_page_ok() -> None:
    """A list naming another service's rows makes a page's worth of gets, after its own rows; a write makes one."""
    spec = spec_of(SHOP)
    by_name = {u.name: u for u in analyse(spec).use_cases}
    assert lookup_calls(spec, by_name["list my orders"], ["Product"]) == (25, ["Order"])
    assert lookup_calls(spec, by_name["list my orders"], ["Customer"]) == (25, ["Order"])
    # a write names the rows in its body: one call, before its commit
    assert lookup_calls(spec, by_name["place order"], ["Product"]) == (1, [])
