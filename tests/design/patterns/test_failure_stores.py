"""The failure table loses a read model with the store the storage placement puts it in, never with another one."""

from __future__ import annotations

import pytest

from design.helpers import design_of

TRENDING = """
system: videos
entities:
  Video: {fields: {title: string(200)}, rows: 10M}
  SearchQuery: {fields: {text: string(200)}, append_only: true, growth: 50M/day, retention: 30d}
use_cases:
  - {name: search videos, actor: visitor, auth: none, reads: [Video], search: [title], rate: 50M/day}
  - {name: log search, actor: visitor, auth: none, writes: [SearchQuery], rate: 50M/day}
  - {name: list trending searches, actor: visitor, auth: none, reads: [SearchQuery], top: {by: count, field: text}, rate: 600M/day}
  - {name: view video, actor: user, kind: get, reads: [Video], rate: 2B/day, staleness: 60s}
"""

FEED = """
system: snaps
scale: {users: 20M, rates: peak}
entities:
  User: {fields: {handle: string(30)}, rows: 20M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 2B}
  Photo: {append_only: true, fields: {owner: ref(User), caption: string(300)}}
use_cases:
  - {name: share photo, actor: user, kind: create, writes: [Photo], rate: 2k/s, avg_fanout: 100}
  - {name: view photo feed, actor: user, reads: [Follow, Photo], filter: [Follow.follower], sort: [-Photo.created_at], page: cursor, rate: 25k/s}
"""

SCORES = """
system: games
entities:
  Player: {fields: {name: string(40)}, rows: 5M}
  Score: {fields: {player: ref(Player), points: int}, append_only: true, growth: 20M/day}
use_cases:
  - {name: post score, actor: player, writes: [Score], rate: 20M/day}
  - {name: top players, actor: player, reads: [Score], top: {by: count, field: player}, rate: 300M/day}
  - {name: view player, actor: player, kind: get, reads: [Player], rate: 2B/day, staleness: 30s}
"""


@pytest.mark.parametrize("text", [TRENDING, FEED, SCORES], ids=["trending-snapshot", "feed-lists", "leaderboard"])
def test_a_read_model_is_lost_only_with_its_own_store_ok(text: str) -> None:
    """Every read model's use case sits in a failure row of the component its placement names, and in no other component's
    (the fifteenth trial's netflix listed trending searches, a snapshot table in PostgreSQL, as lost with Redis)."""
    arch = design_of(text)
    assert arch.availability is not None
    components = {c.name for c in arch.components}
    models = {p.data.removeprefix("read model: "): p.component for p in arch.placements if p.data_class == "read-model"}
    assert models
    assert any(c.kind == "cache" for c in arch.components), "a shared cache the read model could be wrongly lost with"
    for impact in arch.availability.impacts:
        if impact.dependency not in components:
            continue
        for use_case in impact.use_cases:
            if use_case in models:
                assert models[use_case] == impact.dependency, (use_case, models[use_case], impact.dependency)
