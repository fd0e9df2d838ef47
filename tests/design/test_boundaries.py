"""Boundaries: aggregates cluster, team size picks the deployment shape, explicit services win."""

from __future__ import annotations

import pytest

from design.helpers import design_of

SHOP = """\
system: shop
team: {size: %d}
entities:
  Order: {fields: {total: money}}
  OrderLine: {part_of: Order, fields: {qty: int}}
  Payment: {fields: {amount: money}}
  Product: {fields: {name: string}}
use_cases:
  - {name: place order, writes: [Order, OrderLine, Payment], consistency: %s, rate: 5/s}
  - {name: browse products, reads: [Product], rate: 200/s}
"""


def owners(arch: object) -> dict[str, list[str]]:
    return {s.name: s.entities for s in arch.services}  # type: ignore[attr-defined]


def test_small_team_gets_modular_monolith_ok() -> None:
    """Five engineers get one deployable whose modules are the aggregates."""
    arch = design_of(SHOP % (5, "strong"))
    assert arch.deployment == "modular-monolith"
    assert {s.kind for s in arch.services} == {"module"}
    assert arch.decisions[0].id == "deployment-shape"


def test_large_team_gets_services_ok() -> None:
    """Twenty engineers get services, each with its own database."""
    arch = design_of(SHOP % (20, "strong"))
    assert arch.deployment == "microservices"
    assert len({s.datastore for s in arch.services}) == len(arch.services)


def test_strong_co_writes_cluster_ok() -> None:
    """Entities written together under strong consistency, and children, share a service."""
    assert owners(design_of(SHOP % (5, "strong"))) == {"orders": ["Order", "OrderLine", "Payment"], "products": ["Product"]}


def test_eventual_co_writes_do_not_cluster_ok() -> None:
    """Eventually consistent co-writes leave the entities in separate services."""
    assert owners(design_of(SHOP % (5, "eventual"))) == {"orders": ["Order", "OrderLine"], "payments": ["Payment"], "products": ["Product"]}


def test_explicit_services_respected_ok() -> None:
    """Services declared in the spec are used as given, with their calls."""
    text = (SHOP % (20, "strong")) + "services:\n  sales: {owns: [Order, OrderLine, Payment], calls: [catalog]}\n  catalog: {owns: [Product]}\n"
    arch = design_of(text)
    assert owners(arch) == {"sales": ["Order", "OrderLine", "Payment"], "catalog": ["Product"]}
    assert arch.services[0].depends_on == ["catalog"]


def test_missing_team_is_an_assumption_ok() -> None:
    """Without team.size the engine assumes one and says so."""
    arch = design_of((SHOP % (5, "strong")).replace("team: {size: 5}\n", ""))
    assert any(a.startswith("team.size: not given") for a in arch.assumptions)


@pytest.mark.parametrize(
    ("browse_rate", "deployment"),
    [("200/s", "modular-monolith"), ("3000/s", "modular-monolith"), ("20000/s", "microservices"), ("150k/s", "microservices")],
)
def test_missing_team_is_sized_from_the_load_ok(browse_rate: str, deployment: str) -> None:
    """Without team.size, the peak decides: one team's system stays one deployable, a system past 10,000 req/s at
    peak is assumed to be built by several teams (the agent file tells agents to leave the key out rather than invent one)."""
    spec = (SHOP % (5, "strong")).replace("team: {size: 5}\n", "").replace("rate: 200/s", f"rate: {browse_rate}")
    arch = design_of(spec)
    assert arch.deployment == deployment
    assumption = next(a for a in arch.assumptions if a.startswith("team.size: not given"))
    assert ("several teams" in assumption) == (deployment == "microservices")


def test_cohesion_and_coupling_scores_ok() -> None:
    """A service keeping its strongly co-written entities scores high cohesion; the crossing weight is its coupling."""
    arch = design_of(SHOP % (5, "strong"))
    orders = next(s for s in arch.services if s.name == "orders")
    assert orders.cohesion > 0.9
    products = next(s for s in arch.services if s.name == "products")
    assert products.cohesion == 1.0


def test_monolith_names_first_module_to_extract_ok() -> None:
    """A module carrying ten times the load of the next one is named as the first to extract."""
    decision = next(d for d in design_of(SHOP % (5, "strong")).decisions if d.id == "extraction")
    assert decision.choice.startswith("keep the modules together; extract products first")


DELIVERY = """\
system: delivery
team: {size: %d}
entities:
  Courier: {fields: {name: string, available: bool}}
  Delivery: {fields: {courier: ref(Courier)?, address: string}}
  Consumer: {fields: {name: string}}
  Airport: {fields: {code: string(3)}}
  Flight: {fields: {origin: ref(Airport), departs: datetime}}
use_cases:
  - {name: schedule delivery, reads: [Courier], writes: [Delivery], rate: 2/s}
  - {name: update courier availability, writes: [Courier], rate: 20/s}
  - {name: pick up order, writes: [Delivery], rate: 2/s}
  - {name: sign up, writes: [Consumer], rate: 1/s}
  - {name: query flights, reads: [Flight, Airport], rate: 100/s}
"""


def test_community_detection_joins_tightly_coupled_aggregates_ok() -> None:
    """In FTGO, Courier and Delivery (read and referenced together, coupled to little else) become one service, with the reason."""
    from backend_architect.design.pipeline import design
    from conftest import ROOT
    from design.helpers import spec_of

    arch = design(spec_of((ROOT / "benchmarks" / "decomposition" / "ftgo" / "spec.yaml").read_text()))
    assert owners(arch)["deliveries"] == ["Courier", "Delivery"]
    rationale = next(s.rationale for s in arch.services if s.name == "deliveries")
    assert any("community detection keeps them together" in r for r in rationale)
    assert owners(arch)["consumers"] == ["Consumer"]


def test_reference_data_read_together_is_one_catalog_ok() -> None:
    """Entities no use case writes, read together by a query, are one service's reference data."""
    arch = design_of(DELIVERY % 20)
    assert owners(arch)["flights"] == ["Airport", "Flight"]
    assert any("reference data no use case writes" in r for s in arch.services for r in s.rationale)


CATALOG = """\
system: catalog
team: {size: 20}
entities:
  Brand: {fields: {name: string(100)}}
  Item: {fields: {name: string(100), brand: ref(Brand), price: money}}
  Basket: {fields: {buyer: string(100)}}
  BasketLine: {part_of: Basket, fields: {item_id: int, quantity: int}}
  Currency: {fields: {code: string(3)}}
  Invoice: {fields: {total: money, currency: ref(Currency)}}
  Quote: {fields: {total: money, currency: ref(Currency)}}
use_cases:
  - {name: list brands, reads: [Brand], rate: 20/s}
  - {name: list items, reads: [Item, Brand], rate: 100/s}
  - {name: update item, writes: [Item], rate: 1/min}
  - {name: update basket, reads: [Item], writes: [Basket, BasketLine], rate: 10/s}
  - {name: invoice, writes: [Invoice], rate: 1/s}
  - {name: quote, writes: [Quote], rate: 1/s}
"""


def test_lookup_referenced_by_one_aggregate_joins_it_ok() -> None:
    """A table nobody writes, referenced only by Item (eShop's CatalogBrand), is Item's lookup: one service, named after Item."""
    services = owners(design_of(CATALOG))
    assert services["items"] == ["Brand", "Item"]
    rationale = next(s.rationale for s in design_of(CATALOG).services if s.name == "items")
    assert rationale[0] == "aggregate root Item"
    assert any("Brand is reference data no use case writes, referenced only by Item's aggregate" in r for r in rationale)


def test_lookup_referenced_by_two_aggregates_stays_shared_ok() -> None:
    """Currency is referenced by Invoice and Quote: shared reference data, not one aggregate's lookup."""
    services = owners(design_of(CATALOG))
    assert services["currencies"] == ["Currency"]
    assert services["invoices"] == ["Invoice"]


def test_catalog_read_by_a_use_case_is_not_a_lookup_ok() -> None:
    """Reading a table in another aggregate's use case (the basket reads items) does not move it: only declared refs do."""
    services = owners(design_of(CATALOG))
    assert services["baskets"] == ["Basket", "BasketLine"]
    assert "Item" not in services["baskets"]


def test_written_entity_is_never_a_lookup_ok() -> None:
    """Once a use case writes Brand, it is an aggregate of its own again."""
    spec = CATALOG.replace("  - {name: list brands, reads: [Brand], rate: 20/s}\n", "  - {name: rename brand, writes: [Brand], rate: 1/min}\n")
    assert owners(design_of(spec))["items"] == ["Item"]


def test_team_size_bounds_the_number_of_services_ok() -> None:
    """Nine engineers own at most four services: of five groups, the most coupled pair (Courier, Delivery) merges."""
    spec = (DELIVERY % 9).replace("  Consumer: {fields: {name: string}}\n", "  Consumer: {fields: {name: string}}\n  Coupon: {fields: {code: string}}\n")
    arch = design_of(spec)
    assert arch.deployment == "microservices"
    assert len(arch.services) == 4
    assert ["Courier", "Delivery"] in [s.entities for s in arch.services]


def test_boundaries_are_deterministic_ok() -> None:
    """Louvain is randomised; with its fixed seed the same spec gives the same services every time."""
    assert owners(design_of(DELIVERY % 20)) == owners(design_of(DELIVERY % 20))


@pytest.mark.parametrize(
    ("team", "deployment"),
    [
        pytest.param("{size: 10, teams: 1}", "modular-monolith", id="one-team-of-ten-is-one-deployable"),
        pytest.param("{size: 10}", "microservices", id="ten-engineers-unsaid-taken-for-two-teams"),
        pytest.param("{size: 6, teams: 2}", "microservices", id="two-small-teams-own-services"),
        pytest.param("{size: 40, teams: 1}", "modular-monolith", id="one-large-team-still-one-deployable"),
    ],
)
def test_stated_teams_decide_the_deployment_shape_ok(team: str, deployment: str) -> None:
    """Where the spec says how many teams build it, that decides (one team, one deployable); else the engineers do, a team
    of more than 8 taken for several. The decision says which it read, and the requirements trace team.teams to it."""
    arch = design_of((SHOP % (5, "strong")).replace("team: {size: 5}", f"team: {team}"))
    assert arch.deployment == deployment
    made = next(d for d in arch.decisions if d.id == "deployment-shape")
    assert ("team.teams" in made.context) is ("teams" in team)


#: A messenger whose users sign up outside the spec (no use case writes User) and whose every other entity is one aggregate.
MESSENGER = """\
system: messenger
scale: {daily_active: 5M}
team: {size: 20}
entities:
  User: {fields: {phone: {type: string(20), unique: true}}, presence: {offline_after: 30s}}
  Chat: {fields: {created_by: ref(User), last_message_at: datetime?}}
  Member: {part_of: Chat, fields: {user: ref(User)}}
  Message: {fields: {chat: ref(Chat), sender: ref(User), body: text}}
use_cases:
  - {name: create chat, actor: user, writes: [Chat, Member], rate: 100k/day}
  - {name: send message, actor: user, writes: [Message, Chat.last_message_at], rate: 50M/day}
  - {name: get last seen, actor: user, kind: get, reads: [User], online: true, rate: 10M/day}
"""


@pytest.mark.parametrize(
    ("text", "apart"),
    [
        pytest.param(MESSENGER, "User", id="people-with-presence-no-use-case-writes"),
        pytest.param(MESSENGER.replace(", presence: {offline_after: 30s}", "").replace("online: true, ", ""), "User", id="people-entity-no-presence"),
        pytest.param(MESSENGER.replace("User:", "Device:").replace("ref(User)", "ref(Device)").replace("reads: [User]", "reads: [Device]"), "Device",
                     id="an-entity-with-presence"),
    ],
)  # fmt: skip
def test_people_are_never_another_aggregates_lookup_ok(text: str, apart: str) -> None:
    """The people entity (or one with presence), written by no use case and referenced by one aggregate only, keeps a service of its
    own: its rows change (sign-up, presence), so it is not reference data (the thirteenth trial run's whatsapp put User in messages)."""
    services = owners(design_of(text))
    assert [apart] in services.values(), services


def test_people_no_use_case_touches_stay_a_lookup_ok() -> None:
    """People whom no use case reads or writes, without presence, are still the one aggregate's lookup (no service with no API)."""
    last_seen = "  - {name: get last seen, actor: user, kind: get, reads: [User], online: true, rate: 10M/day}\n"
    text = MESSENGER.replace(", presence: {offline_after: 30s}", "").replace(last_seen, "")
    services = owners(design_of(text))
    assert not any(entities == ["User"] for entities in services.values()), services
