"""The design critic (DES rules): each catches its contradiction, and passes the design that holds together."""

from __future__ import annotations

import pytest

from backend_architect.ir.model import (
    Alternative,
    Api,
    ApiProperty,
    ApiSchema,
    Architecture,
    Column,
    CoWrite,
    Datastore,
    Decision,
    Figure,
    ForeignKey,
    Index,
    IndexColumn,
    Operation,
    Sharding,
    Table,
    UniqueConstraint,
)
from backend_architect.ir.runtime import AvailabilityPlan, Component
from backend_architect.rules.design.bounds_hold import availability_short_of_target, primary_past_its_ceiling
from backend_architect.rules.design.contracts_agree import server_owned_field_in_request
from backend_architect.rules.design.data_agrees import (
    aggregate_split_across_shards,
    co_write_across_shards_unhandled,
    link_blocks_delete,
    link_without_unique_pair,
)
from backend_architect.rules.design.topology_agrees import chosen_technology_not_deployed, rejected_technology_deployed
from rules.test_sql_rules import assert_clean, assert_findings


def _decision(id: str, choice: str, alternatives: list[Alternative] | None = None) -> Decision:
    return Decision(id=id, title=id.title(), area="x", choice=choice, context="c", rationale="r", alternatives=alternatives or [])


REDIS = Component(name="redis", kind="cache", technology="Redis 7 (cluster)", purpose="feeds")


def test_chosen_technology_not_deployed_err() -> None:
    """A search decision naming OpenSearch with no OpenSearch component is an error; with it, clean; 'not needed' never counts."""
    chosen = Architecture(system="t", decisions=[_decision("search", "OpenSearch cluster fed by an indexer")])
    assert "'Search' chooses OpenSearch, but no component runs OpenSearch" in assert_findings(chosen, chosen_technology_not_deployed)
    deployed = chosen.model_copy(update={"components": [Component(name="opensearch", kind="search-engine", technology="OpenSearch 2", purpose="p")]})
    assert_clean(deployed, chosen_technology_not_deployed)
    assert_clean(Architecture(system="t", decisions=[_decision("cache", "not needed: Redis would hold nothing")]), chosen_technology_not_deployed)


def test_rejected_technology_deployed_err() -> None:
    """A Redis component beside 'cache: not needed', or beside Redis rejected by constraint, is an error."""
    considered = [Alternative(name="Redis 7", why_not="nothing to hold yet")]
    not_needed = Architecture(system="t", decisions=[_decision("cache", "not needed", considered)], components=[REDIS])
    assert "redis runs Redis, which 'Cache' rejected (not needed)" in assert_findings(not_needed, rejected_technology_deployed)
    avoided = [Alternative(name="Redis 7", why_not="avoided by the spec's constraints; fast")]
    constrained = Architecture(system="t", decisions=[_decision("cache", "Memcached", avoided)], components=[REDIS])
    assert "avoided by the spec's constraints" in assert_findings(constrained, rejected_technology_deployed)
    assert_clean(Architecture(system="t", decisions=[_decision("cache", "Redis 7 (managed)")], components=[REDIS]), rejected_technology_deployed)


def _api(props: list[ApiProperty]) -> Architecture:
    op = Operation(operation_id="register", method="post", path="/customers", summary="s", kind="create", tag="customers", request_schema="CustomerCreate")
    return Architecture(system="t", apis=[Api(service="customers", title="t", schemas=[ApiSchema(name="CustomerCreate", properties=props)], operations=[op])])


def test_server_owned_field_in_request_err() -> None:
    """A request body taking a read-only field or a stored hash is an error; a write-only password is fine."""
    email = ApiProperty(name="email", type="string")
    stored = _api([email, ApiProperty(name="password_hash", type="string")])
    assert "takes 'password_hash', a stored hash" in assert_findings(stored, server_owned_field_in_request)
    assert "takes 'total', read-only" in assert_findings(_api([ApiProperty(name="total", type="string", read_only=True)]), server_owned_field_in_request)
    assert_clean(_api([email, ApiProperty(name="password", type="string", write_only=True)]), server_owned_field_in_request)


def _id(name: str) -> Column:
    return Column(name=name, type="uuid")


def _store(*tables: Table) -> Architecture:
    return Architecture(system="t", datastores=[Datastore(name="db", tables=list(tables))])


ORDERS = Table(name="orders", entity="Order", columns=[_id("id"), _id("customer_id")], primary_key=["id"], sharding=Sharding(key="customer_id", reason="r"))


def _lines(sharding: Sharding | None, columns: list[str] | None = None) -> Table:
    fk = ForeignKey(name="fk", columns=["order_id"], ref_table="orders", ref_columns=["id"], on_delete="cascade", relation="order")
    cols = [_id(c) for c in (columns or ["id", "order_id"])]
    return Table(name="order_lines", entity="OrderLine", columns=cols, primary_key=["id"], foreign_keys=[fk], sharding=sharding)


@pytest.mark.parametrize(
    ("consistency", "mechanism", "warned"),
    [
        pytest.param("strong", "", True, id="strong-nothing-stated"),
        pytest.param("strong", "commits the order with an outbox event; a relay applies the lines", False, id="strong-outbox-stated"),
        pytest.param("eventual", "", False, id="eventual-asked"),
    ],
)
def test_co_write_across_shards_unhandled_err(consistency: str, mechanism: str, warned: bool) -> None:
    """A strongly consistent write whose rows land on different shards warns unless a mechanism replacing the transaction is stated."""
    write = CoWrite(use_case="place order", tables=["order_lines"], consistency=consistency, since="now", mechanism=mechanism)  # type: ignore[arg-type]
    orders = ORDERS.model_copy(update={"sharding": Sharding(key="customer_id", reason="r", co_writes=[write])})
    arch = _store(orders, _lines(Sharding(key="id", reason="r")))
    if warned:
        assert "'place order' writes orders and order_lines" in assert_findings(arch, co_write_across_shards_unhandled)
    else:
        assert_clean(arch, co_write_across_shards_unhandled)


def test_aggregate_split_across_shards_err() -> None:
    """A part sharded by its own id, not at all, or by a reference to a parent sharded by another column, is a warning; by the parent's key, clean."""
    assert "sharded by id" in assert_findings(_store(ORDERS, _lines(Sharding(key="id", reason="r"))), aggregate_split_across_shards)
    assert "nothing (one node)" in assert_findings(_store(ORDERS, _lines(None)), aggregate_split_across_shards)
    # orders hash by customer_id: a line hashed by order_id lands on another shard than its order
    assert "sharded by order_id" in assert_findings(_store(ORDERS, _lines(Sharding(key="order_id", reason="r"))), aggregate_split_across_shards)
    by_id = ORDERS.model_copy(update={"sharding": Sharding(key="id", reason="r")})
    assert_clean(_store(by_id, _lines(Sharding(key="order_id", reason="r"))), aggregate_split_across_shards)
    assert_clean(_store(ORDERS, _lines(Sharding(key="customer_id", reason="r"), ["id", "order_id", "customer_id"])), aggregate_split_across_shards)
    # kept apart on purpose: no foreign key, its check stated
    apart = _lines(Sharding(key="order_id", reason="r"))
    apart = apart.model_copy(update={"foreign_keys": [fk.model_copy(update={"checked_by": "a write reads the orders row"}) for fk in apart.foreign_keys]})
    assert_clean(_store(ORDERS, apart), aggregate_split_across_shards)


def _likes(on_delete: str, unique: bool) -> Table:
    fks = [
        ForeignKey(name="fk_u", columns=["user_id"], ref_table="users", ref_columns=["id"], on_delete=on_delete, relation="user"),  # type: ignore[arg-type]
        ForeignKey(name="fk_p", columns=["post_id"], ref_table="posts", ref_columns=["id"], on_delete=on_delete, relation="post"),  # type: ignore[arg-type]
    ]
    columns = [_id("id"), _id("user_id"), _id("post_id"), Column(name="created_at", type="timestamptz")]
    uniques = [UniqueConstraint(name="uq", columns=["user_id", "post_id"])] if unique else []
    return Table(name="likes", entity="Like", columns=columns, primary_key=["id"], foreign_keys=fks, uniques=uniques)


def test_link_without_unique_pair_err() -> None:
    """A link table with no key over its pair is a warning."""
    assert "nothing keeps the pair unique" in assert_findings(_store(_likes("cascade", False)), link_without_unique_pair)
    assert_clean(_store(_likes("cascade", True)), link_without_unique_pair)


def test_link_blocks_delete_err() -> None:
    """A link table restricting deletes of either side is a warning; cascading, clean."""
    assert "deleting a row of posts fails while likes links it" in assert_findings(_store(_likes("restrict", True)), link_blocks_delete)
    assert_clean(_store(_likes("cascade", True)), link_blocks_delete)


def test_designed_links_are_unique_and_cascade_ok() -> None:
    """The data stage makes a link entity's pair unique and lets it go with either side, by construction."""
    import textwrap

    from backend_architect.api import design_spec
    from backend_architect.spec.load import load_spec_bytes

    text = """\
    system: blog
    entities:
      User: {fields: {name: string}}
      Post: {fields: {title: string}}
      Like: {fields: {user: ref(User), post: ref(Post)}}
    use_cases:
      - {name: like post, writes: [Like]}
      - {name: unlike post, writes: [Like]}
    """
    arch = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec).architecture
    likes = next(t for s in arch.datastores for t in s.tables if t.name == "likes")
    assert {fk.on_delete for fk in likes.foreign_keys} == {"cascade"}
    assert any(set(u.columns) == {"user_id", "post_id"} for u in likes.uniques)


def _with(table: Table, **update: object) -> Table:
    return table.model_copy(update=update)


@pytest.mark.parametrize(
    ("table", "unique_finding", "delete_finding"),
    [
        pytest.param(_likes("restrict", False), True, True, id="link: two required references"),
        pytest.param(
            _with(_likes("restrict", False), columns=[*_likes("cascade", False).columns, Column(name="kind", type="varchar", enum_values=["a", "b"])]),
            True,
            True,
            id="link with a kind",
        ),
        pytest.param(
            _with(_likes("restrict", False), columns=[c.model_copy(update={"nullable": c.name == "post_id"}) for c in _likes("cascade", False).columns]),
            False,
            False,
            id="optional reference: not a link",
        ),
        pytest.param(
            _with(_likes("restrict", False), columns=[*_likes("cascade", False).columns, Column(name="body", type="text")]),
            False,
            False,
            id="with a body: not a link",
        ),
        pytest.param(
            _with(
                _likes("restrict", False),
                columns=[*_likes("cascade", False).columns, _id("tenant_id")],
                foreign_keys=[
                    *_likes("restrict", False).foreign_keys,
                    ForeignKey(name="fk_t", columns=["tenant_id"], ref_table="orgs", ref_columns=["id"], relation="tenant"),
                ],
            ),
            True,
            True,
            id="tenant-scoped link: the tenant is no side",
        ),
        pytest.param(
            _with(
                _likes("cascade", True),
                columns=[c for c in _likes("cascade", True).columns if c.name != "post_id"] + [_id("tenant_id")],
                foreign_keys=[
                    _likes("cascade", True).foreign_keys[0],
                    ForeignKey(name="fk_t", columns=["tenant_id"], ref_table="users", ref_columns=["id"], relation="tenant"),
                ],
                uniques=[],
            ),
            False,
            False,
            id="a part of its tenant: one side, not a link",
        ),
        pytest.param(
            _with(
                _likes("cascade", False),
                indexes=[Index(name="uq", columns=[IndexColumn(name="user_id"), IndexColumn(name="post_id")], unique=True, where="deleted_at IS NULL")],
            ),
            False,
            False,
            id="soft-deleted link unique among live rows",
        ),
    ],
)
def test_links_are_what_the_design_calls_links_ok(table: Table, unique_finding: bool, delete_finding: bool) -> None:
    """DES005 and DES006 judge links as the design defines them: two required references, nothing but timestamps, flags or a kind."""
    for rule, expected in ((link_without_unique_pair, unique_finding), (link_blocks_delete, delete_finding)):
        if expected:
            assert_findings(_store(table), rule)
        else:
            assert_clean(_store(table), rule)


def _plan(composite: float, target: float, topology: str = "multi-zone") -> AvailabilityPlan:
    parts = {"load balancer": 0.9999, "instances (3 zone(s))": 0.9999, "database": composite / (0.9999 * 0.9999)}
    return AvailabilityPlan(
        target=target, topology=topology, zones=3, database="d", failover="automatic", rto_seconds=120, rpo_seconds=0, composite=composite, parts=parts
    )


def test_availability_short_of_target_err() -> None:
    """A composite below the target is a warning with both numbers and, when the design computed it, what meets it; at or above, clean."""
    short = Architecture(system="t", availability=_plan(0.9997, 0.9999))
    assert "composite 99.970%" in assert_findings(short, availability_short_of_target)
    second = Figure(key="availability.second_region", quantity="q", value=0.999975, unit="ratio", formula="f")
    with_region = short.model_copy(update={"figures": [second]})
    assert "a second region with automatic failover gives 99.9975%" in assert_findings(with_region, availability_short_of_target)
    assert_clean(Architecture(system="t", availability=_plan(0.9993, 0.999)), availability_short_of_target)
    assert_clean(Architecture(system="t", availability=_plan(0.999975, 0.9999, "active-passive")), availability_short_of_target)
    assert_clean(Architecture(system="t"), availability_short_of_target)


def _load(key: str, value: float, inputs: dict[str, float], scope: str) -> Figure:
    return Figure(key=key, quantity="q", value=value, unit="u", formula="f", inputs=inputs, scope=scope)


def _primary(db: str, writes: dict[str, float], replicas: float = 0, reads: float = 0.0) -> list[Figure]:
    total = sum(writes.values())
    return [
        _load(f"db.writes.peak.{db}", total, writes, db),
        _load(f"db.write_utilisation.{db}", total / 5_000, {"peak_write": total, "primary_write_ceiling": 5_000}, db),
        _load(f"db.read_replicas.{db}", replicas, {"peak_reads": reads, "primary_read_ceiling": 20_000, "read_headroom": 0.7}, db),
    ]


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        pytest.param(
            _primary("videos-db", {"outbox_search_videos": 13_889, "rows_renditions": 2_257, "peak_upload": 174}),
            "videos-db's primary takes 16,320 writes/s at peak, 326.4% of one primary's 5,000/s (largest: outbox_search_videos 13,889/s",
            id="outbox-on-an-unsharded-primary",
        ),
        pytest.param(
            _primary("users-db", {"last_seen_user": 5_556}),
            "users-db's primary takes 5,556 writes/s at peak, 111.1%",
            id="updates-to-an-unsharded-table",
        ),
        pytest.param(
            [
                *_primary("seats-db", {"peak_book": 100})[2:],
                _load("db.write_utilisation.seats-db", 13_745 / 5_000, {"peak_write": 13_745, "primary_write_ceiling": 5_000}, "seats-db"),
                _load("db.shard.writes.seats", 13_745, {"writes": 151_200, "shards": 11, "skew": 1.0}, "seats"),
            ],
            "one shard of seats (seats-db) takes 13,745 writes/s at peak, 274.9% of one primary's 5,000/s (151,200 writes/s over 11 shards",
            id="one-shard-past-it",
        ),
        pytest.param(
            _primary("catalog-db", {"peak_add": 100}, replicas=0, reads=45_000),
            "45,000 reads/s reach catalog-db's primary at peak; it and its 0 read replica(s) serve 20,000/s",
            id="reads-past-a-primary-without-replicas",
        ),
        pytest.param(
            [_load("db.shard.read_replicas.events", 1, {"shard_reads": 50_000, "primary_read_ceiling": 20_000, "read_headroom": 0.7}, "events")],
            "50,000 reads/s reach events's primary at peak; it and its 1 read replica(s) serve 40,000/s",
            id="reads-past-one-shard-and-its-replica",
        ),
    ],
)
def test_primary_past_its_ceiling_err(figures: list[Figure], expected: str) -> None:
    """A primary (or shard) past its write ceiling, or reads past what it and its replicas serve, is a warning with the numbers."""
    assert expected in assert_findings(Architecture(system="t", figures=figures), primary_past_its_ceiling)


def test_primary_within_its_ceiling_ok() -> None:
    """Writes at the ceiling and reads its replicas serve are within the bounds: no finding."""
    within = [*_primary("a-db", {"peak_a": 5_000}, replicas=2, reads=60_000), *_primary("b-db", {"peak_b": 10}, replicas=0, reads=19_999)]
    assert_clean(Architecture(system="t", figures=within), primary_past_its_ceiling)
