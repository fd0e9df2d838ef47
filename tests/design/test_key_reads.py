"""A read over several values of one column is worded by placement: "in one query" only where the values share a shard.

The feed's read-time merge of the large authors a reader follows is described in its mechanism and its record, and timed
by the latency step; where the item table is sharded by the author column the step counts one read per shard in parallel,
so the words say one query per shard (twitter_timelines, run 21: "in one query" beside "5 in parallel"). Specs of several
shapes: posts sharded by their author, posts on one primary, clips of their creators (another item, graph and author column).
"""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of

from backend_architect.design.key_reads import keys_read_said, shards_reached
from backend_architect.design.request_steps import MERGE_KEY
from backend_architect.ir.model import Architecture, Datastore, Sharding, Table

POSTS = """\
system: social
scale: {availability: 99.9%, daily_active: 20M, retention_years: 5}
entities:
  User: {fields: {handle: string(30)}, rows: 50M}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, rows: 5B}
  Post: {append_only: true, fields: {author: ref(User), text: string(280)}, growth: GROWTH}
use_cases:
  - {name: write post, actor: user, writes: [Post], rate: GROWTH, avg_fanout: 100}
  - {name: view feed, actor: user, reads: [Follow, Post], filter: [Follow.follower], sort: [-Post.created_at], page: cursor, rate: 2B/day, merged_sources: 4}
"""

CLIPS = """\
system: clips
scale: {availability: 99.9%, daily_active: 5M, retention_years: 3}
entities:
  Member: {fields: {name: string(80)}, rows: 20M}
  Watch: {fields: {watcher: ref(Member), watched: ref(Member)}, rows: 2B}
  Clip: {append_only: true, fields: {creator: ref(Member), title: string(200)}, growth: 2M/day}
use_cases:
  - {name: upload clip, actor: member, writes: [Clip], rate: 2M/day, avg_fanout: 100}
  - name: view watched clips
    actor: member
    reads: [Watch, Clip]
    filter: [Watch.watcher]
    sort: [-Clip.created_at]
    page: cursor
    rate: 500M/day
    merged_sources: 6
"""


def _merges(arch: Architecture) -> list[tuple[str, float]]:
    """Each merge mechanism's words and the shards its latency step reaches."""
    found = []
    for m in arch.mechanisms:
        for load in m.loads:
            if load.key.startswith(MERGE_KEY) and load.by:
                found.append((m.how, shards_reached(arch, load.entity, load.by, load.inputs.get("merged_sources", 0.0))))
    return found


@pytest.mark.parametrize(
    ("text", "sharded"),
    [
        pytest.param(POSTS.replace("GROWTH", "200M/day"), True, id="posts-sharded-by-author"),
        pytest.param(POSTS.replace("GROWTH", "1M/day"), False, id="posts-on-one-primary"),
        pytest.param(CLIPS, False, id="clips-of-creators"),
    ],
)
def test_merge_words_follow_the_shards_it_reaches_ok(text: str, sharded: bool) -> None:
    """The merge says "in one query" where one shard holds every author, "one query per shard" where the latency counts several."""
    arch = design_of(text)
    merges = _merges(arch)
    assert merges, "no read-time merge in the design"
    for how, shards in merges:
        assert (shards > 1) is sharded
        if shards > 1:
            assert "in one query per shard (" in how
            assert f"{shards:g} shards in parallel" in how
            assert not re.search(r"in one query,", how)
        else:
            assert "in one query," in how
            assert "per shard" not in how
    record = next(d for d in arch.decisions if d.id.startswith("feed."))
    assert ("in one query per shard" in record.rationale) is sharded
    assert "one query merging" not in record.rationale


def _arch(key: str | None) -> Architecture:
    sharding = Sharding(key=key, reason="r") if key else None
    posts = Table(name="posts", entity="Post", columns=[], primary_key=["id"], sharding=sharding)
    return Architecture(system="s", datastores=[Datastore(name="db", service="p", tables=[posts])])


@pytest.mark.parametrize(
    ("key", "values", "said"),
    [
        pytest.param("author_id", 5.0, "in one query per shard (posts is sharded by author_id: 5 shards in parallel)", id="sharded-by-the-column"),
        pytest.param("author_id", 1.0, "in one query", id="one-value-one-shard"),
        pytest.param("id", 5.0, "in one query", id="sharded-by-another-column"),
        pytest.param(None, 5.0, "in one query", id="unsharded"),
    ],
)
def test_keys_read_said_by_placement_ok(key: str | None, values: float, said: str) -> None:
    """The words name one query only where the values cannot be on different shards."""
    assert keys_read_said(_arch(key), "Post", "author_id", values) == said
