"""Caching, security and technology decisions follow the numbers and the constraints."""

from __future__ import annotations

from design.helpers import design_of

NEWS = """\
system: news
team: {size: 3}
constraints: {avoid: [postgresql], language: go}
entities:
  Article: {fields: {title: string(200), body: text}, rows: 100k}
  Reader: {fields: {email: {type: email, pii: true}, password_hash: {type: string(100), secret: true}}}
use_cases:
  - {name: read front page, actor: visitor, auth: none, reads: [Article], rate: 900/s, staleness: 30s, consistency: eventual}
  - {name: read article, actor: reader, reads: [Article], rate: 300/s, staleness: 10s, consistency: eventual}
  - {name: read archive, actor: reader, reads: [Article], filter: [title], rate: 2/s, staleness: 10s}
  - {name: edit article, actor: editor, writes: [Article.title], rate: 1/min}
"""


def test_hot_public_read_goes_to_cdn_ok() -> None:
    """A public read at 2,700 req/s peak that may be 30 s stale is served by a CDN for 30 s."""
    plan = next(c for c in design_of(NEWS).caches if c.use_case == "read front page")
    assert (plan.strategy, plan.ttl_seconds) == ("cdn", 30)


def test_hot_private_read_goes_to_cache_aside_ok() -> None:
    """An authenticated hot read that may be stale uses cache-aside with staleness as TTL."""
    plan = next(c for c in design_of(NEWS).caches if c.use_case == "read article")
    assert (plan.strategy, plan.ttl_seconds) == ("cache-aside", 10)


def test_cold_read_needs_no_cache_ok() -> None:
    """A read under the threshold gets 'none' and the number that says why."""
    plan = next(c for c in design_of(NEWS).caches if c.use_case == "read archive")
    assert plan.strategy == "none"
    assert "req/s at peak is under" in plan.rationale


def test_avoided_technology_never_chosen_ok() -> None:
    """constraints.avoid removes PostgreSQL; the alternative is chosen and the reason recorded."""
    database = next(d for d in design_of(NEWS).decisions if d.id == "database")
    assert "PostgreSQL" not in database.choice
    postgres = next(a for a in database.alternatives if a.name.startswith("PostgreSQL"))
    assert postgres.why_not.startswith("avoided by the spec's constraints")


def test_language_constraint_picks_runtime_ok() -> None:
    """constraints.language decides the runtime."""
    runtime = next(d for d in design_of(NEWS).decisions if d.id == "runtime")
    assert runtime.choice.startswith("Go ")


def test_security_lists_sensitive_fields_ok() -> None:
    """PII and secret columns are listed for the security reviewer; limits exist per actor."""
    security = design_of(NEWS).security
    assert security is not None
    assert security.pii_fields == ["readers.email"]
    assert security.secret_fields == ["readers.password_hash"]
    assert {(r.actor, r.operation_class) for r in security.rate_limits} >= {("visitor", "read"), ("editor", "write")}


def test_every_decision_has_alternatives_ok() -> None:
    """Every decision record names at least one alternative with why not."""
    for decision in design_of(NEWS).decisions:
        assert decision.alternatives, decision.id
        assert all(a.why_not for a in decision.alternatives)


def test_third_normal_form_by_default_ok() -> None:
    """Without a hot, latency-bound joining read, the design stays in 3NF and says which read came closest."""
    decision = next(d for d in design_of(NEWS).decisions if d.id == "normalization")
    assert decision.choice.startswith("third normal form: each fact stored once in the database")


def test_hot_joining_read_is_served_by_its_join_ok() -> None:
    """A 3,000 req/s read of two entities with a 20 ms target announces no copy nothing builds: the record says its join serves
    it, with the latency the design gives it, and names the copy of columns as the alternative it did not take."""
    # the read joins what a reference joins (an article's author): two entities nothing joins are no joining read
    text = NEWS.replace(
        "  - {name: read archive,",
        "  - {name: read feed, actor: reader, reads: [Article, Reader], rate: 1k/s, latency_ms: 20}\n  - {name: read archive,",
    ).replace("body: text}, rows: 100k}", "body: text, author: ref(Reader)}, rows: 100k}")
    decision = next(d for d in design_of(text).decisions if d.id == "normalization")
    assert decision.choice.startswith("third normal form: each fact stored once in the database")
    assert "copy the fields" not in decision.choice
    assert "'read feed' at 3,000 req/s: expected " in decision.context
    assert any(a.name.startswith("copy the joined fields") for a in decision.alternatives)


DEVICES = """\
system: fleet
team: {size: 3}
scale: {daily_active: 1k, rates: peak}
entities:
  Device: {fields: {serial: string(20)}, rows: 10k}
  Reading: {part_of: Device, append_only: true, fields: {value: int}}
use_cases:
  - {name: ingest readings, actor: device, writes: [Reading], rate: 1k/s}
  - {name: list readings, actor: operator, reads: [Reading], filter: [Reading.device], rate: 10/s}
"""


def test_rate_limits_derive_from_machine_count_ok() -> None:
    """1,000 writes/s over 10,000 devices is 6/min each; x5 headroom gives 30/min per device."""
    limits = {(r.actor, r.operation_class): r for r in design_of(DEVICES).security.rate_limits}  # type: ignore[union-attr]
    assert limits[("device", "write")].limit_per_minute == 30
    assert "10,000 device clients online at peak (Device rows (machines, all online))" in limits[("device", "write")].rationale


def test_rate_limits_for_people_use_active_users_and_a_floor_ok() -> None:
    """10 reads/s over 100 operators online is 6/min; x5 = 30, raised to the floor of 60."""
    limit = next(r for r in design_of(DEVICES).security.rate_limits if r.actor == "operator")  # type: ignore[union-attr]
    assert limit.limit_per_minute == 60
    assert "raised to the floor" in limit.rationale


STOCK = """\
system: shop
team: {size: 3}
external:
  mailer: {kind: email, rate_limit: 10/s}
entities:
  Product: {fields: {name: string, stock: int}, rows: 1k}
use_cases:
  - {name: reserve stock, writes: [Product.stock], rate: 100/s, notify: [mailer]}
  - {name: browse products, reads: [Product], rate: 20/s}
"""


def test_external_rate_limit_is_a_bottleneck_ok() -> None:
    """Notifying through a mailer limited to 10/s at 300/s peak is ranked first."""
    arch = design_of(STOCK)
    assert arch.bottlenecks[0].title == "Rate limit of mailer"
    assert "300.0 calls/s" in arch.bottlenecks[0].trigger


def test_outlook_names_first_resource_to_saturate_ok() -> None:
    """Every design says which resource runs out first at ten times its peak."""
    assert any(b.title.startswith("First to saturate at 10x load") for b in design_of(STOCK).bottlenecks)


def test_outlook_weighs_database_connections_not_client_connections_ok() -> None:
    """Client connections held by a real-time gateway (1M here) are not database connections: the outlook compares only
    each service's database pool with PostgreSQL's connection limit, so it never reports a gateway at millions of percent."""
    from pathlib import Path

    arch = design_of((Path(__file__).parents[2] / "examples" / "chat.yaml").read_text())
    assert any(f.key == "connections.realtime" for f in arch.figures)
    outlook = next(b for b in arch.bottlenecks if b.title.startswith("First to saturate at 10x load"))
    assert "realtime" not in outlook.title
    assert float(outlook.trigger.split(" reach ")[1].split("%")[0].replace(",", "")) < 10_000
