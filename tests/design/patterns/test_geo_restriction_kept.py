"""Who may keep a geo-restricted response is said once: the geo-restriction record's decision and its reason agree with the
cache plans of the restricted reads (no shared HTTP cache, or one keyed by country at the edge).

Specs of different shapes, written as a user would: a film catalogue read by signed-in viewers (no shared HTTP cache), a
public podcast directory read hard enough for a CDN (keyed by country at the edge), and a game store whose licensed
regions allow, not block.
"""

from __future__ import annotations

import pytest

from backend_architect.design.patterns.geo_restriction import kept_by
from backend_architect.ir.model import CachePlan, CountryRule, Decision
from design.helpers import design_of

FILMS = """
system: films
entities:
  Viewer: {fields: {name: string(80)}}
  Film: {fields: {title: string(200), blocked_countries: json}, rows: 50k}
use_cases:
  - {name: add film, actor: editor, writes: [Film], rate: 1/s}
  - {name: view film, actor: viewer, kind: get, reads: [Film], rate: 300/s}
"""

PODCASTS = """
system: podcasts
entities:
  Show: {fields: {title: string(200), blocked_countries: json}, rows: 200k}
use_cases:
  - {name: add show, actor: editor, writes: [Show], rate: 1/s}
  - {name: view show, actor: visitor, auth: none, kind: get, reads: [Show], rate: 3000/s, staleness: 120s}
"""

GAMES = """
system: games
entities:
  Player: {fields: {name: string(80)}}
  Game: {fields: {title: string(200), licensed_countries: json}, rows: 10k}
use_cases:
  - {name: add game, actor: publisher, writes: [Game], rate: 1/s}
  - {name: view game, actor: player, kind: get, reads: [Game], rate: 80/s}
"""


def _record(text: str) -> tuple[Decision, list[CachePlan]]:
    arch = design_of(text)
    record = next(d for d in arch.decisions if d.id.startswith("geo-restriction."))
    return record, [c for c in arch.caches if c.strategy in {"cdn", "http"}]


@pytest.mark.parametrize(
    ("text", "edge"),
    [
        pytest.param(FILMS, False, id="signed-in-reads-no-shared-http-cache"),
        pytest.param(PODCASTS, True, id="public-reads-cached-at-the-edge"),
        pytest.param(GAMES, False, id="allowed-regions-no-shared-http-cache"),
    ],
)
def test_decision_and_reason_say_one_policy_ok(text: str, edge: bool) -> None:
    """The record never says both 'no shared cache keeps them' and 'each item is cached once per country'."""
    record, shared = _record(text)
    said = f"{record.choice} {record.rationale}"
    assert bool(shared) == edge, shared
    if edge:
        assert "once per country" in said, said
        assert "No shared" not in said, said
        assert all("X-Client-Country" in (c.key or "") for c in shared), [c.key for c in shared]
    else:
        assert "No shared HTTP cache" in said, said
        assert "once per country" not in said, said


RULE = CountryRule(item="Film", table="films", column="blocked_countries", mode="blocked", header="X-Client-Country")


@pytest.mark.parametrize(
    ("caches", "phrase", "absent"),
    [
        pytest.param((), "splits no hit ratio", "once per country", id="none"),
        pytest.param((CachePlan(use_case="view film", strategy="cdn", key="u", rationale="r"),), "at the edge each item", "No shared", id="cdn"),
        pytest.param((CachePlan(use_case="view film", strategy="http", rationale="r"),), "browser", "at the edge", id="browser"),
    ],
)
def test_kept_by_names_the_cache_that_keeps_them_ok(caches: tuple[CachePlan, ...], phrase: str, absent: str) -> None:
    """``kept_by`` states the same keeper in the decision and in its reason."""
    decision, reason = kept_by(caches, RULE)
    assert phrase in f"{decision} {reason}"
    assert absent not in f"{decision} {reason}"
