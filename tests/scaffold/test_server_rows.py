"""The generated service writes the rows the design says the server writes (issue 22, class s3): with a create, the creator's
membership of the scope it makes and the parts every field of which the server sets; after a write, a reaction's row per event.

Three specs of different shapes: a club created by its owner (a role and a join time on the membership), an order whose receipt
the server makes (a first state and an issue time), and a workspace whose seat is its creator's (a join day) made with a log
entry naming the caller.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_own_tests_pass import _own_tests

CLUB = """\
system: club
services:
  clubs: {owns: [Person, Club, Membership, Gathering]}
entities:
  Person: {fields: {email: {type: email, unique: true}}, rows: 100k}
  Club: {fields: {name: string(80)}, rows: 10k}
  Membership: {part_of: Club, fields: {person: ref(Person), role: "enum[owner,member]", joined_at: datetime}, unique: [[club, person]]}
  Gathering: {part_of: Club, fields: {title: string(100)}, growth: 1k/day}
use_cases:
  - {name: create club, actor: user, writes: [Club, Membership], rate: 1/s}
  - {name: view club, actor: user, kind: get, reads: [Club], rate: 20/s}
  - {name: plan gathering, actor: user, writes: [Gathering], rate: 2/s}
"""
ORDER = """\
system: shop
services:
  shop: {owns: [Buyer, Order, Receipt]}
entities:
  Buyer: {fields: {email: {type: email, unique: true}}, rows: 100k}
  Order: {fields: {buyer: ref(Buyer), note: string(200)?}, growth: 5k/day}
  Receipt: {part_of: Order, fields: {status: "enum[issued,void]", issued_at: {type: datetime, generated: true}}}
use_cases:
  - {name: place order, actor: user, writes: [Order, Receipt], rate: 2/s}
  - {name: view order, actor: user, kind: get, reads: [Order], rate: 20/s}
"""
WORKSPACE = """\
system: desks
services:
  desks: {owns: [Account, Workspace, Seat, LogEntry]}
entities:
  Account: {fields: {handle: {type: string(40), unique: true}}, rows: 50k}
  Workspace: {fields: {title: string(120)}, rows: 20k}
  Seat: {part_of: Workspace, fields: {holder: ref(Account), since: date}, unique: [[workspace, holder]]}
  LogEntry: {part_of: Workspace, fields: {actor: {type: ref(Account), generated: true}, logged_at: {type: datetime, generated: true}}, growth: 2k/day}
use_cases:
  - {name: open workspace, actor: user, writes: [Workspace, Seat, LogEntry], rate: 1/s}
  - {name: view workspace, actor: user, kind: get, reads: [Workspace], rate: 10/s}
"""

#: spec, module, create, {table: (why, caller column, constants, stamped columns)}
CASES = [
    pytest.param(CLUB, "clubs", "createClub", {"memberships": ("creator", "person_id", {"role": "owner"}, ["joined_at"])}, id="club-by-its-owner"),
    pytest.param(ORDER, "shop", "placeOrder", {"receipts": ("part", None, {}, ["issued_at"])}, id="order-with-server-made-receipt"),
    pytest.param(
        WORKSPACE,
        "desks",
        "openWorkspace",
        {"seats": ("creator", "holder_id", {}, ["since"]), "log_entries": ("part", "actor_id", {}, ["logged_at"])},
        id="workspace-seat-and-log",
    ),
]


def _designed(spec: str) -> tuple[Architecture, dict[str, str]]:
    result = design_spec(load_spec_bytes(textwrap.dedent(spec).encode(), "spec.yaml").spec)
    return result.architecture, result.files


@pytest.mark.parametrize(("spec", "module", "create", "expected"), CASES)
def test_design_names_every_column_of_the_rows_the_server_writes_ok(spec: str, module: str, create: str, expected: dict[str, tuple[object, ...]]) -> None:
    """The create's ``made_rows`` say, column by column, what the server writes in each row its body does not list."""
    arch, _ = _designed(spec)
    op = next(o for api in arch.apis for o in api.operations if o.operation_id == create)
    made = {m.table: (m.why, m.caller, m.values, m.stamped) for m in op.made_rows}
    assert made == expected
    assert all(not m.unfilled for m in op.made_rows)


@pytest.mark.parametrize(("spec", "module", "create", "expected"), CASES)
def test_generated_create_writes_the_rows_ok(spec: str, module: str, create: str, expected: dict[str, tuple[object, ...]], tmp_path: Path) -> None:
    """The generated create's operation carries one ``Made`` per row, and no operation of the create answers 501."""
    arch, files = _designed(spec)
    result = scaffold(from_files(arch, files, "spec"), tmp_path)
    assert not [g for g in result.project.gaps if g[1] == create], result.project.gaps
    resources = "\n".join(p.read_text() for p in tmp_path.rglob("resources.py") if "modules" in p.parts)
    assert resources.count("Made(") == len(expected), resources


def test_a_part_the_server_cannot_fill_is_a_gap_err(tmp_path: Path) -> None:
    """A server-made part with a required amount only domain code computes makes the create answer 501, naming the column."""
    spec = ORDER.replace(
        "issued_at: {type: datetime, generated: true}}", "issued_at: {type: datetime, generated: true}, fee: {type: decimal, generated: true}}"
    )
    arch, files = _designed(spec)
    op = next(o for api in arch.apis for o in api.operations if o.operation_id == "placeOrder")
    assert [m.unfilled for m in op.made_rows] == [["fee"]]
    result = scaffold(from_files(arch, files, "spec"), tmp_path)
    assert [(g[1], g[2]) for g in result.project.gaps] == [("placeOrder", "the server makes its Receipt row, whose fee only domain code can compute")]


@pytest.mark.postgres
@pytest.mark.parametrize(("spec", "module", "create", "expected"), CASES)
def test_generated_create_passes_its_own_test_ok(
    spec: str, module: str, create: str, expected: dict[str, tuple[object, ...]], postgres: object, tmp_path: Path
) -> None:
    """The create's own generated test passes on PostgreSQL: each row the server makes exists once with the caller, constants and
    times the design names, and a members-only read back by the creator, who joined by nothing else, succeeds."""
    arch, files = _designed(spec)
    scaffolded = scaffold(from_files(arch, files, "spec"), tmp_path)
    test = "test_" + "".join("_" + c.lower() if c.isupper() else c for c in create) + "_ok"
    runs = _own_tests(scaffolded, tmp_path, postgres, "-k", test)
    for deployable, run in runs.items():
        assert run.returncode == 0, f"{deployable}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    stdout = "\n".join(run.stdout for run in runs.values())
    assert f"PASSED tests/test_{module}_use_cases.py::{test}" in stdout, stdout[-3000:]


#: Reactions of three shapes: a forum notice after each reply (the reply, its topic and author copied from the event), a shop's
#: invoice after each purchase (a first state, a day stamped), a clinic's audit entry after a visit (a plain id column copied).
FORUM = """\
system: forum
services:
  forum: {owns: [Member, Topic, Reply, Notice]}
entities:
  Member: {fields: {handle: {type: string(40), unique: true}}, rows: 100k}
  Topic: {fields: {title: string(120), author: ref(Member)}, rows: 1M}
  Reply: {fields: {topic: ref(Topic), author: ref(Member), body: string(2000)}, growth: 50k/day}
  Notice: {fields: {reply: ref(Reply), topic: ref(Topic), author: ref(Member), state: "enum[unread,read]", sent_at: datetime}, growth: 50k/day}
use_cases:
  - {name: start topic, actor: user, writes: [Topic], rate: 1/s}
  - {name: post reply, actor: user, writes: [Reply], rate: 5/s}
  - {name: notify reply posted, actor: system, writes: [Notice], after: [post reply]}
  - {name: list notices, actor: user, reads: [Notice], filter: [topic], rate: 10/s}
"""
SHOP = """\
system: store
services:
  store: {owns: [Customer, Purchase, Invoice]}
entities:
  Customer: {fields: {email: {type: email, unique: true}}, rows: 10k}
  Purchase: {fields: {customer: ref(Customer), item: string(80)}, growth: 2k/day}
  Invoice: {fields: {purchase: ref(Purchase), customer: ref(Customer), status: "enum[draft,sent]", issued_on: date}, growth: 2k/day}
use_cases:
  - {name: buy item, actor: user, writes: [Purchase], rate: 2/s}
  - {name: issue invoice, actor: system, writes: [Invoice], after: buy item}
  - {name: view purchase, actor: user, kind: get, reads: [Purchase], rate: 5/s}
"""
CLINIC = """\
system: clinic
services:
  clinic: {owns: [Doctor, Visit, AuditEntry]}
entities:
  Doctor: {fields: {name: string(80)}, rows: 1k}
  Visit: {fields: {doctor: ref(Doctor), notes: string(500)}, growth: 1k/day}
  AuditEntry: {fields: {visit: ref(Visit), doctor_id: uuid, logged_at: datetime}, growth: 1k/day}
use_cases:
  - {name: record visit, actor: user, writes: [Visit], rate: 1/s}
  - {name: audit visit, actor: system, writes: [AuditEntry], after: [record visit]}
"""

#: spec, the reaction, {column: event field}
REACTION_CASES = [
    pytest.param(FORUM, "notify reply posted", {"reply_id": "reply_id", "topic_id": "topic_id", "author_id": "author_id"}, id="forum-notice-after-reply"),
    pytest.param(SHOP, "issue invoice", {"purchase_id": "purchase_id", "customer_id": "customer_id"}, id="invoice-after-purchase"),
    pytest.param(CLINIC, "audit visit", {"visit_id": "visit_id", "doctor_id": "doctor_id"}, id="audit-after-visit"),
]


@pytest.mark.parametrize(("spec", "use_case", "from_event"), REACTION_CASES)
def test_design_says_what_fills_a_reactions_row_ok(spec: str, use_case: str, from_event: dict[str, str], tmp_path: Path) -> None:
    """The reaction's row names the event field filling each column, and the scaffold generates its consumer (no gap)."""
    arch, files = _designed(spec)
    (row,) = [r for r in arch.reaction_rows if r.use_case == use_case]
    assert (row.from_event, row.unfilled) == (from_event, [])
    result = scaffold(from_files(arch, files, "spec"), tmp_path)
    assert not result.project.gaps, result.project.gaps
    assert all("reactions" in d.workers for d in result.project.deployables)


def test_a_reaction_no_event_fills_is_a_gap_err(tmp_path: Path) -> None:
    """A reaction whose row needs a column no event field fills (the topic's author, read through the topic) is listed as not
    generated, naming the column, rather than guessed."""
    spec = FORUM.replace("author: ref(Member), state:", "recipient: ref(Member), state:")
    arch, files = _designed(spec)
    result = scaffold(from_files(arch, files, "spec"), tmp_path)
    assert [(g[1], g[2]) for g in result.project.gaps] == [
        ("notify reply posted", "no consumer makes its rows: no event field fills Notice's recipient_id: domain code decides it")
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(("spec", "use_case", "from_event"), REACTION_CASES)
def test_generated_reaction_makes_its_row_once_ok(spec: str, use_case: str, from_event: dict[str, str], postgres: object, tmp_path: Path) -> None:
    """The generated project's own test passes on PostgreSQL: the row exists after the event is consumed, once even when the event
    is delivered twice."""
    arch, files = _designed(spec)
    scaffolded = scaffold(from_files(arch, files, "spec"), tmp_path)
    runs = _own_tests(scaffolded, tmp_path, postgres, "-k", "test_reaction_makes_its_row_once_per_event_ok")
    for deployable, run in runs.items():
        assert run.returncode == 0, f"{deployable}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    stdout = "\n".join(run.stdout for run in runs.values())
    assert f"PASSED tests/test_runtime.py::test_reaction_makes_its_row_once_per_event_ok[{use_case}]" in stdout, stdout[-3000:]
