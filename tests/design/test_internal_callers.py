"""An operation only other services call names every service calling it, and its rate limit is sized from its callers'
peak rates, not a person's: a service's client-credentials token is one client carrying all its users' requests."""

from __future__ import annotations

import math
from functools import cache

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.analysis import analyse
from backend_architect.design.api.callers import called_by, listed
from backend_architect.design.callee_operations import answers, call_needs
from backend_architect.design.security import HEADROOM
from backend_architect.ir.query import operation_limit, service_limit
from design.helpers import spec_of

#: A marketplace: placing an order and writing a review both read the product fresh from catalog.
TWO_CALLERS = """\
system: market
team: {size: 30}
services:
  catalog: {owns: [Product]}
  orders: {owns: [Purchase]}
  reviews: {owns: [Review]}
entities:
  Product: {fields: {title: string(80), price: money}}
  Purchase: {fields: {product: ref(Product), quantity: int}}
  Review: {fields: {product: ref(Product), stars: int, body: text}}
use_cases:
  - {name: reprice product, actor: seller, writes: [Product.price]}
  - {name: place purchase, actor: buyer, writes: [Purchase], reads: [Product], rate: 900/s}
  - {name: write review, actor: buyer, writes: [Review], reads: [Product], rate: 40/s}
"""

#: The same marketplace where buyers also view a product: the services call the buyers' own operation.
SHARED = TWO_CALLERS.replace("  - {name: place purchase,", "  - {name: view product, actor: buyer, reads: [Product], rate: 2k/s}\n  - {name: place purchase,")

#: A photo site: each gallery read merges photos over the follows another service keeps, at a rate no person sends.
GRAPH = """\
system: snaps
team: {size: 30}
scale: {users: 20M}
services:
  accounts: {owns: [Member]}
  graph: {owns: [Watch]}
  photos: {owns: [Photo]}
entities:
  Member: {fields: {nick: {type: string(20), unique: true}}}
  Watch:
    fields: {watcher: ref(Member), watched: ref(Member)}
    unique: [[watcher, watched]]
  Photo:
    append_only: true
    fields: {owner: ref(Member), caption: string(200)}
use_cases:
  - {name: upload photo, actor: member, writes: [Photo], rate: 300/s, avg_fanout: 20}
  - {name: watch member, actor: member, writes: [Watch], rate: 3k/s}
  - {name: browse gallery, actor: member, owner_only: true, reads: [Watch, Photo], filter: [Watch.watcher],
     sort: [-Photo.created_at], rate: 25k/s, consistency: eventual}
"""

#: A library: lending a book checks the borrower exists in another service, which no client reads on its own.
CHECK = """\
system: library
team: {size: 30}
services:
  cards: {owns: [Borrower]}
  loans: {owns: [Loan]}
entities:
  Borrower: {fields: {card_number: {type: string(12), unique: true}, name: string(80)}}
  Loan: {fields: {borrower: ref(Borrower), isbn: string(13), due_on: date}}
use_cases:
  - {name: issue card, actor: librarian, writes: [Borrower], rate: 2k/s}
  - {name: lend book, actor: librarian, writes: [Loan], rate: 400/s}
"""

CASES = [
    pytest.param(TWO_CALLERS, "catalog", {"orders", "reviews"}, id="two-services-read-one-row"),
    pytest.param(SHARED, "catalog", {"orders", "reviews"}, id="two-services-call-a-client-read"),
    pytest.param(GRAPH, "graph", {"photos"}, id="feed-over-another-services-graph"),
    pytest.param(CHECK, "cards", {"loans"}, id="existence-check-in-another-service"),
]


@cache
def designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


@pytest.mark.parametrize(("text", "callee", "callers"), CASES)
def test_called_operation_names_every_caller_ok(text: str, callee: str, callers: set[str]) -> None:
    """Each operation other services call names every service in its x-consumers: an internal one opens with them, a
    client one says it is also called by them; together they name all the callers."""
    result = designed(text)
    api = next(a for a in result.architecture.apis if a.service == callee)
    called = [o for o in api.operations if o.consumers]
    assert {c for o in called for c in o.consumers} == callers
    document = yaml.safe_load(result.files[f"openapi/{callee}.yaml"])
    validate(document)
    for op in called:
        rendered = document["paths"][op.path][op.method]
        text_ = rendered["description"]
        assert text_.startswith(called_by(rendered["x-consumers"])) if op.internal else f"Also called by {listed(rendered['x-consumers'])}," in text_


@pytest.mark.parametrize(("text", "callee", "callers"), CASES)
def test_called_operation_limit_carries_its_busiest_callers_peak_ok(text: str, callee: str, callers: set[str]) -> None:
    """Each calling service may call an operation at its peak a minute x the headroom: an internal operation's one limit
    is the service actor's, a client one states the services' beside its people's."""
    result = designed(text)
    arch = result.architecture
    spec = spec_of(text)
    analysis = analyse(spec)
    peaks = {u.name: u.peak_qps for u in analysis.use_cases}
    needs = call_needs(spec, analysis, arch, arch.reference_checks, arch.membership_checks)
    api = next(a for a in arch.apis if a.service == callee)
    document = yaml.safe_load(result.files[f"openapi/{callee}.yaml"])
    for op in (o for o in api.operations if o.consumers):
        limit = service_limit(arch, op)
        assert limit is not None
        assert limit.actor == "service"
        assert limit.operations == [op.operation_id]
        for caller in op.consumers:
            peak = sum({n.use_case: peaks[n.use_case] for n in needs if n.consumer == caller and answers(op, n)}.values())
            assert peak > 0, caller
            assert limit.limit_per_minute >= math.ceil(peak * 60 * HEADROOM), (caller, peak, limit)
        stated = document["paths"][op.path][op.method]["x-rate-limit"]
        if op.internal or operation_limit(arch, op) == limit:
            assert operation_limit(arch, op) == limit
            assert (stated["actor"], stated["per_minute"]) == ("service", limit.limit_per_minute)
        else:
            assert stated["actor"] != "service"
            assert stated["services"]["per_minute"] == limit.limit_per_minute


def test_graph_read_limit_is_above_any_persons_ok() -> None:
    """A feed read calling the graph once a request is allowed its peak x 60 x headroom a minute, far above the
    member's own read limit the operation took before."""
    arch = designed(GRAPH).architecture
    op = next(o for a in arch.apis if a.service == "graph" for o in a.operations if o.internal and o.kind == "list")
    limit = operation_limit(arch, op)
    peak = next(u.peak_qps for u in analyse(spec_of(GRAPH)).use_cases if u.name == "browse gallery")
    assert limit is not None
    assert limit.limit_per_minute == math.ceil(peak * 60 * HEADROOM)
    people = [r for r in arch.security.rate_limits if r.actor == "member" and r.operation_class == "read"] if arch.security else []
    assert people
    assert all(r.limit_per_minute < limit.limit_per_minute for r in people)


def test_client_operations_keep_their_actors_limit_ok() -> None:
    """A client operation never takes a service's limit, even of its own class."""
    arch = designed(TWO_CALLERS).architecture
    for op in (o for a in arch.apis for o in a.operations if not o.internal):
        limit = operation_limit(arch, op)
        assert limit is None or limit.actor != "service", op.operation_id
