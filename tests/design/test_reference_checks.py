"""A request's reference to a row another service owns: each is checked one way, decided from the numbers, and every record agrees.

Specs of several shapes: the reference in a write's path or body, nullable or not, owned by a service whose rows some use
case writes (events could feed a copy) or none does, at rates below and above the local-copy threshold, and reads
scoped by another service's id.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import spec_of

from backend_architect.design.pipeline import design
from backend_architect.design.reference_checks import LOCAL_COPY_FROM, copy_table_name
from backend_architect.ir.model import Architecture, Operation, ReferenceCheck

#: Orders name a product the catalog owns, in the create's path (POST /products/{product_id}/orders); RATE varies.
ORDERS = """
system: orders-refs
team: {size: 30}
services:
  catalog: {owns: [Product]}
  orders: {owns: [Customer, Order]}
entities:
  Customer: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Product: {fields: {name: string(80)}, rows: 200k}
  Order: {fields: {customer: ref(Customer), product: ref(Product), qty: int}}
use_cases:
  - {name: add product, actor: admin, writes: [Product], rate: 10/min}
  - {name: place order, actor: customer, writes: [Order], rate: RATE}
  - {name: product orders, actor: admin, reads: [Order], filter: [product], rate: 5/s}
"""

#: A visit names an optional doctor (in its body) that no use case writes: no event could feed a copy.
CLINIC = """
system: clinic-refs
team: {size: 30}
services:
  staff: {owns: [Doctor]}
  visits: {owns: [Patient, Visit]}
entities:
  Doctor: {fields: {name: string(80)}, rows: 5k}
  Patient: {fields: {name: {type: string(80), pii: true}}, rows: 2M}
  Visit: {fields: {patient: ref(Patient), doctor: ref(Doctor)?, at: datetime}}
use_cases:
  - {name: book visit, actor: patient, writes: [Visit], rate: RATE}
  - {name: doctor visits, actor: doctor, reads: [Visit], filter: [doctor], rate: 20/s}
"""

#: A follow names the followee (another service's user) and the follower, the caller, both in its path.
FOLLOWS = """
system: follows-refs
team: {size: 30}
services:
  accounts: {owns: [Member]}
  graph: {owns: [Link]}
entities:
  Member: {fields: {handle: {type: string(15), unique: true}}, rows: 10M}
  Link:
    fields: {follower: ref(Member), followee: ref(Member), created_at: datetime}
    unique: [[follower, followee]]
use_cases:
  - {name: follow member, actor: member, auth: required, owner_only: true, writes: [Link], rate: RATE}
  - {name: member followers, actor: member, reads: [Link], filter: [followee], rate: 300/s}
"""

#: Answers name their question, whose page reads the answers fresh (questions calls answers): a check back would be a cycle.
QA = """
system: qa-refs
team: {size: 30}
services:
  questions: {owns: [Question]}
  answers: {owns: [Answer]}
entities:
  Question: {fields: {title: string(120)}, rows: 1M}
  Answer: {fields: {question: ref(Question), body: string(500)}}
use_cases:
  - {name: ask, actor: user, writes: [Question], rate: ASK}
  - {name: answer question, actor: user, writes: [Answer], rate: 20/s}
  - {name: question page, actor: user, reads: [Question, Answer], consistency: strong, rate: 100/s}
"""


def _checks(arch: Architecture, use_case: str) -> dict[str, ReferenceCheck]:
    return {c.column: c for c in arch.reference_checks if c.use_case == use_case}


def _operation(arch: Architecture, use_case: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases)


def _service_peak(arch: Architecture, service: str) -> dict[str, float]:
    return next(f.inputs for f in arch.figures if f.key == f"qps.peak.service.{service}")


@pytest.mark.parametrize(
    ("text", "rate", "use_case", "column", "where", "check"),
    [
        pytest.param(ORDERS, "5/s", "place order", "product_id", "path", "query", id="path-write-below-threshold-queries-the-owner"),
        pytest.param(ORDERS, "2000/s", "place order", "product_id", "path", "local copy", id="path-write-above-threshold-keeps-a-copy"),
        pytest.param(CLINIC, "30/s", "book visit", "doctor_id", "body", "query", id="nullable-body-ref-nobody-writes-queries"),
        pytest.param(CLINIC, "3000/s", "book visit", "doctor_id", "body", "query", id="unfed-owner-queried-even-above-threshold"),
        pytest.param(FOLLOWS, "20/s", "follow member", "followee_id", "path", "query", id="followee-queried"),
        pytest.param(FOLLOWS, "20/s", "follow member", "follower_id", "path", "token", id="caller-vouched-for-by-token"),
        pytest.param(ORDERS, "5/s", "product orders", "product_id", "path", "none", id="read-by-path-id-unchecked"),
        pytest.param(QA.replace("ASK", "5/s"), "", "answer question", "question_id", "path", "local copy", id="cycle-avoided-by-a-cheap-copy"),
        pytest.param(QA.replace("ASK", "50/s"), "", "answer question", "question_id", "path", "none", id="cycle-and-a-copy-dearer-than-checks"),
        pytest.param(ORDERS.replace("10/min", "2000/s"), "3000/s", "place order", "product_id", "path", "query", id="copy-writes-past-a-fifth-of-a-primary"),
        pytest.param(FOLLOWS, "20/s", "member followers", "followee_id", "path", "none", id="read-of-caller-entity-unchecked"),
    ],
)
def test_each_reference_is_checked_as_the_numbers_decide_ok(text: str, rate: str, use_case: str, column: str, where: str, check: str) -> None:
    """Each reference to another service's row a request carries gets one check, by the rule: token, none for reads, query or local copy."""
    arch = design(spec_of(text.replace("RATE", rate)))
    found = _checks(arch, use_case)[column]
    assert (found.where, found.check) == (where, check)
    assert found.reason


@pytest.mark.parametrize(
    ("text", "rate", "use_case", "owner"),
    [
        pytest.param(ORDERS, "5/s", "place order", "catalog", id="orders"),
        pytest.param(CLINIC, "30/s", "book visit", "staff", id="clinic"),
        pytest.param(FOLLOWS, "20/s", "follow member", "accounts", id="follows"),
    ],
)
def test_a_queried_check_is_counted_by_its_owner_and_in_the_writers_path_ok(text: str, rate: str, use_case: str, owner: str) -> None:
    """A synchronous check reaches the owner: its request rate and database reads count it, the writer depends on it (503), the flow queries it."""
    arch = design(spec_of(text.replace("RATE", rate)))
    check = next(c for c in arch.reference_checks if c.use_case == use_case and c.check == "query")
    key = f"check_{check.operation}_{check.column}"
    assert _service_peak(arch, owner)[f"check_{check.operation}"] == pytest.approx(check.peak)
    assert check.peak > 0
    reads = next(f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.") and key in f.inputs)
    assert reads[key] == pytest.approx(check.peak)
    op = _operation(arch, use_case)
    assert owner in op.upstreams
    assert 503 in op.error_statuses
    flow = next(f for f in arch.flows if f.use_case == use_case)
    assert any(s.kind == "query" and s.target == owner for s in flow.steps)
    assert flow.expected_latency_ms > 0
    served = [o for api in arch.apis if api.service == owner for o in api.operations if o.method == "get" and o.entity == check.entity]
    writer = next(d.service for d in arch.datastores if check.table in {t.name for t in d.tables})
    assert any(writer in o.consumers for o in served)


def test_a_local_copy_is_a_table_fed_by_the_owners_events_ok() -> None:
    """Above the threshold, the writer keeps the owner's ids in a table of its own, fed by the owner's events; the owner takes no check."""
    arch = design(spec_of(ORDERS.replace("RATE", "2000/s")))
    check = _checks(arch, "place order")["product_id"]
    assert check.peak > LOCAL_COPY_FROM
    orders_db = next(d for d in arch.datastores if d.service == "orders")
    copy = next(t for t in orders_db.tables if t.name == copy_table_name("Product"))
    assert copy.rows_now == 200_000
    assert "1 s behind" in (copy.comment or "")
    assert not any(k.startswith("check_") for k in _service_peak(arch, "catalog"))
    assert "catalog" not in _operation(arch, "place order").upstreams
    assert any(e.entity == "Product" and "orders" in e.consumers for e in arch.events)


@pytest.mark.parametrize(
    ("text", "use_case", "has_404"),
    [
        pytest.param(ORDERS, "product orders", False, id="list-by-another-services-id"),
        pytest.param(CLINIC, "doctor visits", False, id="list-by-an-optional-reference"),
        pytest.param(ORDERS, "place order", True, id="write-checked-in-its-path"),
    ],
)
def test_404_only_where_a_check_or_the_paths_own_row_answers_it_ok(text: str, use_case: str, has_404: bool) -> None:
    """An unchecked id of another service's row in a read's path answers an empty page, so the contract declares no 404 for it."""
    op = _operation(design(spec_of(text.replace("RATE", "5/s"))), use_case)
    assert (404 in op.error_statuses) is has_404
    if not has_404:
        assert "empty page" in op.description


def test_the_column_comment_says_who_checks_it_ok() -> None:
    """The column of a reference across services says which use case checks it, and how, beside 'no foreign key across services'."""
    arch = design(spec_of(CLINIC.replace("RATE", "30/s")))
    column = next(c for d in arch.datastores for t in d.tables if t.name == "visits" for c in t.columns if c.name == "doctor_id")
    assert "no foreign key across services" in (column.comment or "")
    assert "book visit checks it by a synchronous existence check on staff" in (column.comment or "")


def test_the_decision_records_every_check_ok() -> None:
    """One decision record lists each reference with its check and carries the threshold and availabilities it compared."""
    arch = design(spec_of(FOLLOWS.replace("RATE", "20/s")))
    made = next(d for d in arch.decisions if d.id == "reference-checks")
    assert made.inputs["local_copy_from"] == LOCAL_COPY_FROM
    for check in arch.reference_checks:
        assert f"{check.table}.{check.column}" in made.choice


def test_one_hop_checks_every_reference_an_owner_holds_ok() -> None:
    """A follow naming two members of another service (neither the caller's by the token) checks both in one hop to it, one call
    per id: the owner serves both calls, as its database reads both rows."""
    # a curator (no Member) links two members: a member's own follow takes the follower from the token (design/api/caller_rows.py)
    arch = design(spec_of(FOLLOWS.replace("RATE", "20/s").replace("actor: member, auth: required, owner_only: true, ", "actor: curator, auth: required, ")))
    checks = _checks(arch, "follow member")
    assert {c.check for c in checks.values()} == {"query"}
    assert set(checks) == {"follower_id", "followee_id"}
    flow = next(f for f in arch.flows if f.use_case == "follow member")
    assert [s.target for s in flow.steps if s.kind == "query"] == ["accounts"]
    operation = next(iter(checks.values())).operation
    assert _service_peak(arch, "accounts")[f"check_{operation}"] == pytest.approx(checks["followee_id"].peak + checks["follower_id"].peak)
    reads = next(f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.") and f"check_{operation}_followee_id" in f.inputs)
    assert reads[f"check_{operation}_follower_id"] == pytest.approx(checks["follower_id"].peak)


def test_the_copy_bound_is_a_fifth_of_a_primary_ok() -> None:
    """The writes a copy may add are a fifth of the primary's write ceiling the capacity stage uses."""
    from backend_architect.design.capacity import PRIMARY_WRITE_CEILING
    from backend_architect.design.reference_checks import COPY_WRITES_MAX

    assert COPY_WRITES_MAX == PRIMARY_WRITE_CEILING / 5


@pytest.mark.parametrize(
    ("rate", "share", "carried"),
    [
        pytest.param("30/s", "", 1.0, id="no-share-counts-every-request"),
        pytest.param("30/s", "share: 10%, ", 0.1, id="a-tenth-carry-one"),
        pytest.param("3000/s", "share: 0.05, ", 0.05, id="stated-share-of-a-busy-write"),
    ],
)
def test_an_optional_reference_is_checked_in_the_share_that_carries_it_ok(rate: str, share: str, carried: float) -> None:
    """An optional reference's checks are the requests that carry one (its field's ``share``), in its owner's load and in the reason."""
    text = CLINIC.replace("doctor: ref(Doctor)?", f"doctor: {{type: ref(Doctor)?, {share}}}")
    arch = design(spec_of(text.replace("RATE", rate)))
    found = _checks(arch, "book visit")["doctor_id"]
    requests = next(f.value for f in arch.figures if f.key == "qps.peak.book-visit")
    assert found.peak == pytest.approx(requests * carried)
    assert _service_peak(arch, "staff")["check_" + found.operation] == pytest.approx(found.peak)
    assert ("its stated share" in found.reason) is bool(share)


def test_a_share_on_a_field_every_row_sets_is_refused_ok() -> None:
    """``share`` counts the rows that set an optional field: on a required one it is an error naming the field."""
    with pytest.raises(Exception, match=r"share.*every row sets Visit\.patient"):
        spec_of(CLINIC.replace("RATE", "5/s").replace("patient: ref(Patient),", "patient: {type: ref(Patient), share: 50%},"))
