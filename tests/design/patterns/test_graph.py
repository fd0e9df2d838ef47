"""PAT028: graph walks bounded by depth, in SQL while a query stays small, else in a (sharded) in-memory graph."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns.graph import plan_walk
from design.helpers import design_of, index_columns, spec_of, table

SPEC = """\
system: social
scale: {{rates: peak}}
entities:
  User: {{fields: {{handle: string(30)}}, rows: {users}}}
  Follow:
    fields: {{follower: ref(User), followee: ref(User)}}
    unique: [[follower, followee]]
use_cases:
  - {{name: {name}, kind: {kind}, reads: [User], traverse: {{via: Follow.followee, depth: {depth}, out_degree: {degree}}}, rate: {rate}}}
  - {{name: view user, kind: get, reads: [User], rate: 10/s}}
"""


def _walk(kind: str, depth: int, degree: float) -> tuple[float, float]:
    spec = spec_of(SPEC.format(users="1M", name="walk", kind=kind, depth=depth, degree=degree, rate="1/s"))
    found = plan_walk(spec, analyse(spec), analyse(spec).use_cases[0])
    return found.rows, found.lookups


@pytest.mark.parametrize(
    ("kind", "depth", "degree", "rows"),
    [
        pytest.param("list", 2, 10, 10 + 100, id="neighbourhood-2-hops"),
        pytest.param("list", 3, 10, 10 + 100 + 1000, id="neighbourhood-3-hops"),
        pytest.param("get", 3, 10, (10 + 100) + 10, id="path-bidirectional-3"),
        pytest.param("get", 4, 10, (10 + 100) * 2, id="path-bidirectional-4"),
    ],
)
def test_rows_per_query_from_out_degree_and_depth_ok(kind: str, depth: int, degree: float, rows: float) -> None:
    """A neighbourhood touches the sum of out_degree^i to the depth; a path search walks half the depth from each end."""
    assert _walk(kind, depth, degree)[0] == pytest.approx(rows)


@pytest.mark.parametrize(
    ("degree", "in_sql"),
    [pytest.param(99, True, id="9900-rows"), pytest.param(100, False, id="10100-rows")],
)
def test_sql_until_a_query_touches_10000_rows_ok(degree: int, in_sql: bool) -> None:
    """Friends of friends at out-degree 99 (9,900 rows) stays a recursive query; at 100 (10,100 rows) it moves to an in-memory graph."""
    arch = design_of(SPEC.format(users="1M", name="suggest people", kind="list", depth=2, degree=degree, rate="1/s"))
    made = next(d for d in arch.decisions if d.id == "graph.suggest-people")
    assert made.choice.startswith("adjacency lists in the database") is in_sql
    assert any(c.name == "user-graph" for c in arch.components) is not in_sql


def test_large_graphs_shard_with_cross_shard_calls_ok() -> None:
    """Billions of edges past one 64 GiB shard are sharded by node id, with the shard calls per query and a hop latency figure."""
    arch = design_of(SPEC.format(users="150M", name="degrees of separation", kind="get", depth=3, degree=200, rate="100/s"))
    made = next(d for d in arch.decisions if d.id == "graph.degrees-of-separation")
    assert "sharded by hash of the User id" in made.choice
    assert "bidirectional" in made.choice
    figures = {f.key: f.value for f in arch.figures}
    assert figures["graph.shards.degrees-of-separation"] == 8  # 150M x 32 B + 30B edges x 2 x 8 B = 484.8 GB over 64 GiB shards
    assert figures["graph.rows_per_query.degrees-of-separation"] == pytest.approx(200 + 40_000 + 200)
    assert figures["graph.latency_ms.degrees-of-separation"] > 3


def test_path_search_gets_its_own_operation_and_both_adjacency_indexes_ok() -> None:
    """A path search answers {degrees, path} at /users/{user_id}/path?to=; the follow table is indexed both ways."""
    arch = design_of(SPEC.format(users="1k", name="degrees of separation", kind="get", depth=3, degree=10, rate="1/s"))
    op = next(o for a in arch.apis for o in a.operations if "degrees of separation" in o.use_cases)
    assert (op.path, op.response_schema) == ("/users/{user_id}/path", "UserPath")
    assert next(p for p in op.parameters if p.name == "to").required
    assert next(o for a in arch.apis for o in a.operations if "view user" in o.use_cases).path == "/users/{user_id}"
    columns = index_columns(table(arch, "follows")) + [u.columns for u in table(arch, "follows").uniques]
    assert ["follower_id", "followee_id"] in columns
    assert ["followee_id", "follower_id"] in columns
