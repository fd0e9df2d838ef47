"""A read filtered through another service's graph whose call would close a cycle of synchronous calls reads an event-fed copy.

The graph's owner may already call the serving service: an existence check of the accounts a follow names, a write reading the
article it subscribes from, a check-in reading the person. A call back for the graph would close a cycle (TOP002, an error), so the
graph read takes the copy the owner's events feed, whatever it costs, and says why; the internal list the call would have used is
not offered, and nothing else changes where no cycle is closed (``design.graph_reads``).
"""

from __future__ import annotations

import pytest

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.graph_reads import graph_copy_name
from backend_architect.rules.model import Severity
from backend_architect.spec.load import load_spec_bytes

#: The follow checks the accounts it names in media (no use case creates an account: no copy of their ids can be fed).
CHECKED_ACCOUNTS = """
system: photo-feed
team: {size: 25}
services:
  media: {owns: [Account, Photo]}
  social: {owns: [Follow]}
entities:
  Account: {fields: {handle: string(30), bio: string(200)?}, rows: 1M}
  Photo: {fields: {owner: ref(Account), caption: string(300)?}}
  Follow: {fields: {follower: ref(Account), followee: ref(Account)}, unique: [[follower, followee]]}
use_cases:
  - {name: post photo, actor: user, writes: [Photo], rate: 5/s}
  - {name: follow account, actor: user, writes: [Follow], rate: 2/s}
  - {name: view following feed, actor: user, reads: [Photo], filter: [Follow.follower], sort: [-created_at], rate: 20/s}
"""

#: Subscribing reads the article it starts from, fresh, within the write.
READ_WITHIN_THE_WRITE = """
system: reading-list
team: {size: 25}
services:
  articles: {owns: [Writer, Article]}
  subscriptions: {owns: [Subscription]}
entities:
  Writer: {fields: {name: string(80)}, rows: 50k}
  Article: {fields: {writer: ref(Writer), title: string(200), body: text}}
  Subscription: {fields: {reader: ref(Writer), writer: ref(Writer)}, unique: [[reader, writer]]}
use_cases:
  - {name: publish article, actor: user, writes: [Article], rate: 3/s}
  - {name: add writer, actor: admin, writes: [Writer], rate: 1/s}
  - {name: subscribe to writer, actor: user, writes: [Subscription], reads: [Article], rate: 4/s}
  - {name: read my subscriptions, actor: user, reads: [Article], filter: [Subscription.reader], sort: [-created_at], rate: 30/s}
"""

#: An update of the graph's rows reads the person it concerns; the graph is only ever updated, never created by a request.
UPDATE_READS_THE_PERSON = """
system: team-updates
team: {size: 25}
services:
  people: {owns: [Person, Update]}
  org: {owns: [ReportsTo]}
entities:
  Person: {fields: {name: string(80)}, rows: 20k}
  Update: {fields: {author: ref(Person), text: string(500)}}
  ReportsTo: {fields: {manager: ref(Person), report: ref(Person)}, rows: 20k, unique: [[manager, report]]}
use_cases:
  - {name: post update, actor: user, writes: [Update], rate: 2/s}
  - {name: view my reports updates, actor: user, reads: [Update], filter: [ReportsTo.manager], sort: [-created_at], rate: 10/s}
  - {name: read reporting line, actor: user, reads: [ReportsTo], filter: [ReportsTo.report], rate: 1/s}
  - {name: record check in, actor: user, kind: update, writes: [ReportsTo], reads: [Person], rate: 1/s}
"""

#: The accounts live with the graph: media calls social for its checks and its feed, and social calls nobody.
ONE_WAY = """
system: photo-feed
team: {size: 25}
services:
  media: {owns: [Photo]}
  social: {owns: [Account, Follow]}
entities:
  Account: {fields: {handle: string(30), bio: string(200)?}, rows: 1M}
  Photo: {fields: {owner: ref(Account), caption: string(300)?}}
  Follow: {fields: {follower: ref(Account), followee: ref(Account)}, unique: [[follower, followee]]}
use_cases:
  - {name: post photo, actor: user, writes: [Photo], rate: 5/s}
  - {name: follow account, actor: user, writes: [Follow], rate: 2/s}
  - {name: view following feed, actor: user, reads: [Photo], filter: [Follow.follower], sort: [-created_at], rate: 20/s}
"""


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(text.encode(), "cycle.yaml"))


@pytest.mark.parametrize(
    ("text", "read", "graph", "home", "owner"),
    [
        pytest.param(CHECKED_ACCOUNTS, "view following feed", "Follow", "media", "social", id="owner-checks-references"),
        pytest.param(READ_WITHIN_THE_WRITE, "read my subscriptions", "Subscription", "articles", "subscriptions", id="owner-reads-within-a-write"),
        pytest.param(UPDATE_READS_THE_PERSON, "view my reports updates", "ReportsTo", "people", "org", id="owner-updates-reading"),
    ],
)
def test_a_graph_read_closing_a_cycle_reads_a_copy_ok(text: str, read: str, graph: str, home: str, owner: str) -> None:
    """The graph's owner already calls the serving service: the read takes the event-fed copy (at rates where a call would
    otherwise be kept), says the cycle is why, provisions its table and feed, offers no internal list, and the critic is clean."""
    result = _design(text)
    arch = result.architecture
    flow = next(f for f in arch.flows if f.use_case == read)
    assert f"{owner} already calls {home} synchronously" in flow.rationale
    assert "would close a cycle" in flow.rationale
    assert not any(s.kind == "query" and s.target == owner for s in flow.steps)
    depends = {s.name: set(s.depends_on) for s in arch.services}
    assert home in depends[owner]
    assert owner not in depends[home]
    assert any(t.name == graph_copy_name(graph) for s in arch.datastores if s.service == home for t in s.tables)
    assert any(e.entity == graph and home in e.consumers for e in arch.events)
    assert not any(op.operation_id.endswith("ForServices") and op.entity == graph for a in arch.apis if a.service == owner for op in a.operations)
    assert [f"{f.code} {f.message}" for f in result.findings if f.severity > Severity.INFO] == []


def test_a_graph_read_without_a_cycle_keeps_its_call_err() -> None:
    """Where the owner calls nobody back, 20 reads/s of a graph changing 6 times/s stay a synchronous call: the cycle alone moved
    the reads above to a copy."""
    result = _design(ONE_WAY)
    flow = next(f for f in result.architecture.flows if f.use_case == "view following feed")
    assert any(s.kind == "query" and s.target == "social" for s in flow.steps)
    assert "would close a cycle" not in flow.rationale
    assert not any(f.code == "TOP002" for f in result.findings)


#: Nothing writes the reporting lines (loaded by an import): the graph read can only call org, and org checks the person a
#: review names in people.
UNWRITTEN_GRAPH = """
system: team-reviews
team: {size: 25}
services:
  people: {owns: [Person, Update]}
  org: {owns: [ReportsTo, Review]}
entities:
  Person: {fields: {name: string(80)}, rows: 20k}
  Update: {fields: {author: ref(Person), text: string(500)}}
  ReportsTo: {fields: {manager: ref(Person), report: ref(Person)}, rows: 20k, unique: [[manager, report]]}
  Review: {fields: {reviewer: ref(Person), subject: ref(Person), score: int}}
use_cases:
  - {name: post update, actor: user, writes: [Update], rate: 2/s}
  - {name: view my reports updates, actor: user, reads: [Update], filter: [ReportsTo.manager], sort: [-created_at], rate: 10/s}
  - {name: write review, actor: user, writes: [Review], rate: 1/s}
"""


def test_a_graph_no_use_case_writes_keeps_its_call_and_the_check_yields_ok() -> None:
    """A graph nothing writes has no events to feed a copy: its read calls the owner, which is known before the checks are
    decided, so the owner's existence check that would call back yields (unchecked, as no copy of Person ids can be fed)."""
    result = _design(UNWRITTEN_GRAPH)
    arch = result.architecture
    flow = next(f for f in arch.flows if f.use_case == "view my reports updates")
    assert any(s.kind == "query" and s.target == "org" for s in flow.steps)
    check = next(c for c in arch.reference_checks if c.column == "subject_id")
    assert check.check == "none"
    assert "a call back would close a cycle" in check.reason
    assert [f"{f.code} {f.message}" for f in result.findings if f.severity > Severity.INFO] == []
