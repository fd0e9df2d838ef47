"""PAT002: a CDN that answers few of a hot path's reads does not settle it; the reads reaching the service get a shared cache when the numbers say so."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._origin_cache import CDN_SETTLES_HIT
from backend_architect.design.patterns.caching import CACHE_MIN_READ_QPS
from backend_architect.ir.model import Architecture, CachePlan
from design.helpers import design_of

ARTICLES = """\
system: news
team: {size: 3}
scale: {rates: peak}
entities:
  Article: {fields: {title: string(120), body: text}, rows: %(rows)s, growth: 1k/day}
use_cases:
  - {name: read article, actor: visitor, auth: %(auth)s, kind: get, reads: [Article], rate: %(rate)s, staleness: 30s}
  - {name: edit article, actor: editor, kind: update, writes: [Article], rate: 2/s}
"""

THREADS = """\
system: board
team: {size: 3}
scale: {rates: peak}
entities:
  Thread: {fields: {title: string(120)}, rows: 2M}
  Post: {part_of: Thread, fields: {body: text}, rows: 50M, growth: 100k/day}
use_cases:
  - {name: read thread, actor: visitor, auth: none, reads: [Post], filter: [thread], sort: [created_at], page: cursor, rate: %(rate)s, staleness: 60s}
  - {name: reply, actor: member, writes: [Post], rate: 5/s}
"""


def _plan_and_figures(arch: Architecture, use_case: str) -> tuple[CachePlan, dict[str, float]]:
    plan = next(c for c in arch.caches if c.use_case == use_case)
    return plan, {f.key: f.value for f in arch.figures}


@pytest.mark.parametrize(
    ("text", "use_case", "built"),
    [
        pytest.param(ARTICLES % {"rows": "20M", "auth": "none", "rate": "5000/s"}, "read article", True, id="get-many-keys-short-ttl"),
        pytest.param(ARTICLES % {"rows": "20M", "auth": "optional", "rate": "5000/s"}, "read article", True, id="get-token-optional"),
        pytest.param(ARTICLES % {"rows": "2k", "auth": "none", "rate": "5000/s"}, "read article", False, id="few-keys-the-cdn-settles"),
        pytest.param(ARTICLES % {"rows": "200M", "auth": "none", "rate": "300/s"}, "read article", False, id="too-few-reads-removed"),
        pytest.param(THREADS % {"rate": "4000/s"}, "read thread", True, id="list-by-parent"),
    ],
)
def test_shared_cache_behind_a_cdn_that_does_not_settle_the_path_ok(text: str, use_case: str, built: bool) -> None:
    """Behind a CDN answering under half of a path's reads, a shared cache is built when it takes enough reads off the database; both hit ratios are stated."""
    arch = design_of(text)
    plan, known = _plan_and_figures(arch, use_case)
    assert plan.strategy == "cdn"
    uid = use_case.replace(" ", "-")
    cdn = known[f"cache.hit_ratio.{uid}"]
    rationale = plan.rationale
    assert f"the CDN answers {cdn:.1%}" in rationale
    assert (plan.origin_ttl_seconds is not None) is built
    redis = next((c for c in arch.components if c.name == "redis"), None)
    if built:
        assert cdn < CDN_SETTLES_HIT
        behind, removed = known[f"cache.origin.hit_ratio.{uid}"], known[f"cache.origin.db_reads_removed.{uid}"]
        assert removed >= CACHE_MIN_READ_QPS
        assert f"answers {behind:.1%} of the" in rationale
        assert redis is not None
        assert use_case in redis.use_cases
        # what reaches the database is what both layers miss: one figure, read by the database's sizing
        reaching = next(f for f in arch.figures if f.key.startswith("db.reads.peak."))
        peak = known[f"qps.peak.{uid}"]
        assert reaching.inputs[f"peak_{uid}"] == pytest.approx(peak * (1 - cdn) * (1 - behind))
        record = next(d for d in arch.decisions if d.id == f"cache.{uid}")
        assert "behind it, cache-aside in a shared cache" in record.choice
        # the Redis the choice keeps is never listed as rejected: what is weighed is Redis without the edge
        assert [a.name for a in record.alternatives if "Redis" in a.name] == ["cache-aside in Redis alone (no CDN)"]
    else:
        assert f"cache.origin.hit_ratio.{uid}" not in known
        assert ("settles the path" in rationale) is (cdn >= CDN_SETTLES_HIT)
        assert ("not built" in rationale) is (cdn < CDN_SETTLES_HIT)
        assert redis is None or use_case not in redis.use_cases


def test_latency_counts_both_layers_ok() -> None:
    """The expected latency of a path with a shared cache behind its CDN weighs the CDN, then Redis on its misses, then the database on both."""
    arch = design_of(ARTICLES % {"rows": "20M", "auth": "none", "rate": "5000/s"})
    text = arch.model_dump_json()
    assert "Redis on a CDN miss" in text
    assert "database on both misses" in text
