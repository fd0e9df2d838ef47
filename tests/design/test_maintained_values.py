"""A composed read and the values the server keeps are told one way: a get embedding another service's rows calls that
service in every document that speaks of it; a row a kept value moves is never said to stay as written; each kept value
(a counter of children, a score from votes, a last-activity time) is moved by a write, in its transaction where the rows
share a service, else by the owner's consumer of its event; a value nothing can keep is not promised, and a warning says so."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, spec_of

from backend_architect.design.analysis import analyse
from backend_architect.design.kept_counters import kept_counters
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture, Flow, Operation
from backend_architect.rules.model import Severity
from backend_architect.rules.registry import review

#: A help desk: a ticket's last activity is moved by its comments (another service), and the ticket page embeds them.
DESK = """
system: desk
services:
  tickets: {owns: [Agent, Ticket]}
  conversations: {owns: [TicketComment]}
entities:
  Agent: {fields: {name: string(60)}, rows: 2k}
  Ticket:
    rows: 2M
    fields:
      subject: string(200)
      assignee: ref(Agent)
      last_activity_at: {type: datetime, generated: true}
  TicketComment:
    growth: 40k/day
    fields: {ticket: ref(Ticket), author: ref(Agent), body: text}
use_cases:
  - {name: open ticket, actor: agent, writes: [Ticket], rate: 10k/day}
  - {name: add comment, actor: agent, kind: create, writes: [TicketComment], rate: 40k/day}
  - name: view ticket
    actor: agent
    kind: get
    reads: [Ticket, TicketComment]
    consistency: eventual
    staleness: 5s
    rate: 400k/day
"""

#: Recipes scored by votes kept in another module; nothing counts a recipe's views.
RECIPES = """
system: recipe-hub
services:
  recipes: {owns: [Cook, Recipe, Step]}
  votes: {owns: [RecipeVote]}
entities:
  Cook: {fields: {name: string(60)}, rows: 200k}
  Recipe:
    rows: 1M
    fields:
      cook: ref(Cook)
      title: string(120)
      score: {type: int, generated: true}
      view_count: {type: bigint, generated: true}
  Step: {part_of: Recipe, avg_per_parent: 8, fields: {text: string(500)}}
  RecipeVote:
    growth: 30k/day
    fields: {recipe: ref(Recipe), cook: ref(Cook), value: int}
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe, Step], rate: 2k/day}
  - {name: vote on recipe, actor: cook, kind: create, writes: [RecipeVote], rate: 30k/day}
  - name: open recipe
    actor: visitor
    auth: none
    kind: get
    reads: [Recipe, Step, Cook]
    rate: 1.5M/day
"""

#: A forum left to the boundaries: a topic counts its posts (no default stated) and times its last post; nothing moves
#: its view count or its last visit.
FORUM = """
system: forum
entities:
  Member: {fields: {handle: string(40)}, rows: 500k}
  Topic:
    rows: 3M
    fields:
      title: string(150)
      starter: ref(Member)
      post_count: {type: int, generated: true}
      last_post_at: {type: datetime, generated: true}
      view_count: {type: int, generated: true}
      last_visit_at: {type: datetime, generated: true}
  Post:
    growth: 200k/day
    fields: {topic: ref(Topic), author: ref(Member), body: text}
use_cases:
  - {name: start topic, actor: member, writes: [Topic], rate: 20k/day}
  - {name: reply to topic, actor: member, kind: create, writes: [Post], rate: 200k/day}
  - {name: read topic, actor: visitor, auth: none, kind: get, reads: [Topic], rate: 3M/day}
"""


def _flow(arch: Architecture, use_case: str) -> Flow:
    return next(f for f in arch.flows if f.use_case == use_case)


def _op(arch: Architecture, use_case: str) -> Operation:
    return next(o for a in arch.apis for o in a.operations if use_case in o.use_cases and not o.internal)


@pytest.mark.parametrize(
    ("text", "kept", "unkept"),
    [
        pytest.param(DESK, {"add comment": ["Ticket.last_activity_at"]}, [], id="last-activity-from-comments"),
        pytest.param(RECIPES, {"vote on recipe": ["Recipe.score"]}, ["Recipe.view_count"], id="score-from-votes"),
        pytest.param(
            FORUM, {"reply to topic": ["Topic.post_count", "Topic.last_post_at"]}, ["Topic.view_count", "Topic.last_visit_at"], id="count-of-children"
        ),
    ],
)
def test_each_kept_value_is_written_by_the_create_that_moves_it_ok(text: str, kept: dict[str, list[str]], unkept: list[str]) -> None:
    """A counter with no default, a score and a latest time join the writes of the creates that move them; the rest warn."""
    spec = spec_of(text)
    made, notes = kept_counters(spec, analyse(spec))
    before = {u.name: u.writes for u in spec.use_cases}
    added = {u.name: [w for w in u.writes if w not in before[u.name]] for u in made.use_cases}
    assert {n: w for n, w in added.items() if w} == kept
    assert len(notes) == sum(len(w) for w in kept.values())
    warnings = analyse(made).warnings
    for value in unkept:
        assert any(w.startswith(f"{value} is generated") and "not promised as kept" in w for w in warnings), warnings
    for values in kept.values():
        assert not any(w.startswith(tuple(values)) for w in warnings)


@pytest.mark.parametrize(
    ("text", "entity", "read"),
    [
        pytest.param(DESK, "Ticket", "view ticket", id="comments-move-the-ticket"),
        pytest.param(RECIPES, "Recipe", "open recipe", id="votes-move-the-recipe"),
        pytest.param(FORUM, "Topic", "read topic", id="posts-move-the-topic"),
    ],
)
def test_a_row_a_kept_value_moves_is_never_said_to_stay_as_written_ok(text: str, entity: str, read: str) -> None:
    """The row's mutability reads every writer, the kept values' creates among them: its cache counts them and never says
    its rows never change."""
    arch, analysis = design_with_analysis(spec_of(text))
    assert analysis.entities[entity].mutability == "updated"
    said = " ".join([*(d.context for d in arch.decisions), *(c.rationale for c in arch.caches)])
    assert "never change once written" not in said
    record = next((d for d in arch.decisions if d.title.lower() == f"cache for {read}"), None)
    if record is not None:
        assert f"writes/s to {entity}; its rows are updated" in record.context


@pytest.mark.parametrize(
    ("text", "writer", "owner", "value"),
    [
        pytest.param(DESK, "add comment", "tickets", "Ticket.last_activity_at", id="timestamp-by-consumer"),
        pytest.param(RECIPES, "vote on recipe", "recipes", "Recipe.score", id="score-by-consumer"),
    ],
)
def test_a_kept_value_in_another_service_is_applied_by_its_owners_consumer_ok(text: str, writer: str, owner: str, value: str) -> None:
    """The write makes no saga call to the owner: its event reaches the owner, which applies the value; the contract and
    the normalization record say so, and the write's own transaction does not claim it."""
    arch = design_of(text)
    steps = _flow(arch, writer).steps
    assert not [s for s in steps if s.target == owner and s.kind == "call"]
    assert any(s.target == owner and s.kind == "event" and f"applies {value}" in s.description for s in steps)
    event = next(e for e in arch.events if e.use_case == writer)
    assert owner in event.consumers
    op = _op(arch, writer)
    assert value not in op.updates
    assert f"{value} is kept by {owner}, which applies this write's event" in op.description
    record = " ".join(f"{d.choice} {d.rationale}" for d in arch.decisions)
    assert f"applied by {owner} from the events of '{writer}'" in record


def test_a_kept_value_beside_its_writer_moves_in_the_writes_transaction_ok() -> None:
    """Where the rows share a service, the create updates the kept values in its own transaction: no event consumer needed."""
    arch = design_of(FORUM)
    op = _op(arch, "reply to topic")
    assert set(op.updates) == {"Topic.post_count", "Topic.last_post_at"}
    assert "Also updates Topic.post_count, Topic.last_post_at." in op.description
    assert "kept by" not in op.description


@pytest.mark.parametrize(
    ("text", "read", "callee", "entity"),
    [
        pytest.param(DESK, "view ticket", "conversations", "TicketComment", id="eventual-children-in-another-service"),
        pytest.param(
            """
            system: shop
            services:
              catalog: {owns: [Product]}
              reviews: {owns: [Review]}
            entities:
              Product: {fields: {name: string(80), price: money}, rows: 100k}
              Review: {fields: {product: ref(Product), stars: int, body: text}, growth: 5k/day}
            use_cases:
              - {name: add product, actor: admin, writes: [Product], rate: 100/day}
              - {name: review product, actor: shopper, kind: create, writes: [Review], rate: 5k/day}
              - {name: view product, actor: shopper, kind: get, reads: [Product, Review], consistency: eventual, staleness: 60s, rate: 2M/day}
            """,
            "view product",
            "reviews",
            "Review",
            id="stale-reviews-of-a-product",
        ),
        pytest.param(
            """
            system: fleet
            services:
              drivers: {owns: [Driver]}
              trips: {owns: [Trip]}
            entities:
              Driver: {fields: {name: string(60)}, rows: 50k}
              Trip: {fields: {driver: ref(Driver), fare: money}, growth: 100k/day}
            use_cases:
              - {name: sign up driver, actor: driver, writes: [Driver], rate: 100/day}
              - {name: book trip, actor: rider, kind: create, writes: [Trip], rate: 100k/day}
              - {name: view trip, actor: rider, kind: get, reads: [Trip, Driver], consistency: eventual, staleness: 10s, rate: 1M/day}
            """,
            "view trip",
            "drivers",
            "Driver",
            id="stale-referenced-row",
        ),
    ],
)
def test_a_composed_read_calls_the_owner_of_what_it_embeds_everywhere_ok(text: str, read: str, callee: str, entity: str) -> None:
    """The contract's one call per list or row is the flow's step (naming the callee's operation), the latency's and the
    bottleneck's call: no step claims a local read model, and the finished design has no call cycle."""
    arch = design_of(text)
    op = _op(arch, read)
    assert f"one call to {callee}" in op.description
    steps = _flow(arch, read).steps
    assert not [s for s in steps if "local read model" in s.description]
    called = [s for s in steps if s.target == callee and s.kind in {"query", "call"}]
    assert called, steps
    assert called[0].operations, steps
    assert f"read {entity}" in called[0].description
    # the latency budget times the call it draws, as a hop or an in-process call
    timed = " ".join(p.part for p in _flow(arch, read).latency_parts)
    assert callee in timed, timed
    assert [f.message for f in review(arch) if f.severity > Severity.INFO] == []
