"""PAT050: the redundancy record states the copies rule its parts applied, never a clause none of them follows.

The record's "why" is read from the clauses (``_copies.COPIES_RULES``) that chose each part's copies, so a cache whose
loss would overload its database but which keeps two copies is explained by the clause that gives it two (whatsapp, run
21: "three where losing it would overload the database" beside such a cache in two copies). Specs of several shapes: a
cache-aside product page past its database across zones, the same in one zone, a feed read model past its database, a
four-nines feed, and a cheap cache.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.design.patterns._copies import COPIES_RULES, READ_MODEL_RULE, SEARCH_QUORUM_RULE, ZONES_RULE
from backend_architect.ir.model import Architecture, Decision

PRODUCTS = """\
system: catalog
team: {size: 3}
scale: {rates: peak, availability: TARGET}
entities:
  Product: {fields: {name: string(80)}, rows: 1k}
use_cases:
  - {name: view product, actor: customer, kind: get, reads: [Product], rate: RATE, staleness: 300s}
  - {name: reprice product, actor: admin, kind: update, writes: [Product], rate: 1/s}
"""

FEED = """\
system: social
team: {size: 3}
scale: {availability: TARGET, users: 1M, rates: peak}
entities:
  User: {fields: {handle: string(30)}}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 100M}
  Post: {append_only: true, fields: {author: ref(User), text: string(280)}, growth: 1M/day}
use_cases:
  - {name: write post, actor: user, writes: [Post], rate: 100/s}
  - {name: view feed, actor: user, reads: [Follow, Post], filter: [Follow.follower], sort: [-Post.created_at], page: cursor, rate: RATE}
"""


def _spec(text: str, target: str, rate: str) -> str:
    return text.replace("TARGET", target).replace("RATE", rate)


def _record(arch: Architecture) -> Decision:
    return next(d for d in arch.decisions if d.id == "availability.stateful")


def _copies(arch: Architecture) -> dict[str, int]:
    plan = arch.availability
    assert plan is not None
    return {
        part: int(said.split(" x ")[-1].split()[0]) if " x " in said else int(said.split()[-1]) for part, said in plan.redundancy.items() if part != "database"
    }


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        pytest.param(_spec(PRODUCTS, "99.9%", "30000/s"), ZONES_RULE, id="cache-aside-past-the-database-across-zones"),
        pytest.param(_spec(PRODUCTS, "99%", "30000/s"), None, id="cache-aside-past-the-database-one-zone"),
        pytest.param(_spec(FEED, "99.9%", "30k/s"), READ_MODEL_RULE, id="feed-read-model-past-the-database"),
        pytest.param(_spec(FEED, "99.99%", "1k/s"), None, id="feed-at-four-nines"),
        pytest.param(_spec(FEED, "99.9%", "1k/s"), ZONES_RULE, id="cheap-feed-across-zones"),
    ],
)
def test_record_states_only_the_clauses_its_parts_apply_ok(text: str, clause: object) -> None:
    """Each clause the record states sets some part's copies, and each part's copies are set by a clause it states."""
    arch = design_of(text)
    record = _record(arch)
    stated = [r for r in COPIES_RULES if r.clause in record.rationale]
    assert stated, record.rationale
    copies = _copies(arch)
    for rule in stated:
        if rule is not SEARCH_QUORUM_RULE:
            assert rule.copies in copies.values(), (rule.clause, copies)
    for part, count in copies.items():
        assert any(r.copies == count or r is SEARCH_QUORUM_RULE for r in stated), (part, count, record.rationale)
    if clause is not None:
        assert clause in stated
    assert "three where losing it would overload the database" not in record.rationale


def test_cache_past_its_database_in_two_copies_says_why_two_err() -> None:
    """A cache whose whole loss overloads its database, kept in two copies, states the clause giving two and its storm, not a rule for three."""
    arch = design_of(_spec(PRODUCTS, "99.9%", "30000/s"))
    record = _record(arch)
    assert _copies(arch).get("redis") == 2
    assert "past the 20,000/s its nodes serve" in record.choice
    assert ZONES_RULE.clause in record.rationale
    assert READ_MODEL_RULE.clause not in record.rationale
