"""Communication: local, sync, event or saga per use case, and the events it publishes."""

from __future__ import annotations

import pytest

from backend_architect.ir.consumers import delivering
from design.helpers import design_of

SHOP = """\
system: shop
team: {size: 20}
external:
  stripe: {kind: payment}
  mailer: {kind: email}
services:
  orders: {owns: [Order]}
  payments: {owns: [Payment]}
  catalog: {owns: [Product]}
entities:
  Order: {fields: {product: ref(Product), total: money}}
  Payment: {fields: {order: ref(Order), amount: money}}
  Product: {fields: {name: string}}
use_cases:
  - {name: place order, writes: [Order, Payment], reads: [Product], calls: [stripe], notify: [mailer], rate: 5/s}
  - {name: show order, reads: [Order, Product], rate: 20/s}
  - {name: list orders, reads: [Order, Product], consistency: eventual, rate: 20/s}
  - {name: rename product, writes: [Product.name], rate: 1/min}
  - {name: browse products, reads: [Product], rate: 50/s}
"""


def flows(text: str) -> dict[str, object]:
    return {f.use_case: f for f in design_of(text).flows}


def test_cross_service_write_is_saga_ok() -> None:
    """Writing two services' data is a saga, with the remote write as a compensable step."""
    flow = flows(SHOP)["place order"]
    assert flow.style == "saga"  # type: ignore[attr-defined]
    assert any(s.kind == "call" and s.target == "payments" for s in flow.steps)  # type: ignore[attr-defined]


def test_fresh_remote_read_is_sync_ok() -> None:
    """A strongly consistent read of another service's data is a synchronous query and a dependency."""
    arch = design_of(SHOP)
    assert next(f for f in arch.flows if f.use_case == "show order").style == "sync"
    assert "catalog" in next(s for s in arch.services if s.name == "orders").depends_on


def test_stale_remote_read_is_event_fed_ok() -> None:
    """An eventually consistent remote read is served from a local copy fed by events."""
    flow = flows(SHOP)["list orders"]
    assert flow.style == "event"  # type: ignore[attr-defined]
    assert [(s.source, s.target, s.kind) for s in flow.steps[1:]] == [("catalog", "orders", "event")]  # type: ignore[attr-defined]


def test_notify_external_becomes_event_consumer_ok() -> None:
    """notify: an external system makes the worker delivering to it a consumer of the use case's event; the worker calls it."""
    arch = design_of(SHOP)
    placed = next(e for e in arch.events if e.name == "OrderPlaced")
    assert "mailer" not in placed.consumers
    (sender,) = delivering(arch, "mailer")
    assert sender in placed.consumers
    assert placed.key == "order_id"


def test_local_read_stays_local_ok() -> None:
    """A read inside one service is local: no steps beyond the request."""
    flow = flows(SHOP)["browse products"]
    assert flow.style == "local"  # type: ignore[attr-defined]
    assert len(flow.steps) == 1  # type: ignore[attr-defined]


def test_state_change_read_elsewhere_publishes_event_ok() -> None:
    """Changing data that another service reads publishes an event that service consumes."""
    arch = design_of(SHOP)
    renamed = next(e for e in arch.events if e.use_case == "rename product")
    assert (renamed.name, renamed.producer, renamed.consumers) == ("ProductRenamed", "catalog", ["orders"])


def test_call_chain_budgets_and_availability_ok() -> None:
    """A saga's synchronous hops get timeouts within the budget; the flow multiplies the parts' availability."""
    text = SHOP.replace("system: shop\n", "system: shop\nscale: {availability: 99.9%}\n").replace(
        "stripe: {kind: payment}", "stripe: {kind: payment, latency_ms: 400, availability: 99.95%}"
    )
    flow = flows(text)["place order"]
    assert flow.depth == 3  # type: ignore[attr-defined]
    assert flow.latency_budget_ms == 500  # type: ignore[attr-defined]
    hops = next(p for p in flow.latency_parts if p.part.startswith("synchronous hop"))  # type: ignore[attr-defined]
    assert hops.ms == 20 + 20 + 400
    # the request also passes the edge, the service and its own commit: the flow is their sum
    assert flow.expected_latency_ms == pytest.approx(sum(p.ms for p in flow.latency_parts))  # type: ignore[attr-defined]
    assert flow.expected_latency_ms > hops.ms  # type: ignore[attr-defined]
    assert flow.availability == pytest.approx(0.9999 * 0.9999 * 0.9999 * 0.9995)  # type: ignore[attr-defined]
    hops = {s.target: s for s in flow.steps if s.timeout_ms}  # type: ignore[attr-defined]
    # the budget's share (500 x 0.8 / 3 = 133 ms) is below stripe's 400 ms: a timeout there would fail every call, so the floor
    # (1.5 x the expected latency) wins, and the flow's latency past its budget is the bottleneck stage's to state
    assert hops["stripe"].timeout_ms == round(400 * 1.5)
    assert all(s.timeout_ms >= 1.5 * (400 if s.target == "stripe" else 20) for s in hops.values())
    assert hops["catalog"].timeout_ms == 60
    assert all(s.circuit_breaker for s in hops.values())


def test_slow_chain_is_a_bottleneck_ok() -> None:
    """Hops expected to take most of the latency budget are reported with the asynchronous alternative."""
    text = SHOP.replace("stripe: {kind: payment}", "stripe: {kind: payment, latency_ms: 900}")
    found = [b for b in design_of(text).bottlenecks if b.title == "Latency of 'place order'"]
    assert found
    assert "ms of a 500 ms budget" in found[0].trigger
    assert "the largest part: synchronous hop(s) to other services and externals (3) 940.0 ms" in found[0].trigger


SAGA = """\
system: shop
team: {size: 20}
external:
  stripe: {kind: payment}
services:
  orders: {owns: [Order]}
  payments: {owns: [Payment]}
  stock: {owns: [Reservation]}
entities:
  Order: {fields: {total: money}}
  Payment: {fields: {amount: money}}
  Reservation: {fields: {qty: int}}
use_cases:
  - {name: place order, writes: [Order, Payment, Reservation], consistency: eventual, calls: [stripe], rate: 5/s}
  - {name: pay order, writes: [Order, Payment], consistency: eventual, rate: 5/s}
"""


def test_saga_across_three_services_is_orchestrated_with_compensations_ok() -> None:
    """Three services and a payment call: an orchestrator, a compensation for every step before the pivot, the payment as pivot."""
    from design.helpers import design_of

    flow = next(f for f in design_of(SAGA).flows if f.use_case == "place order")
    assert flow.saga is not None
    assert flow.saga.coordination == "orchestration"
    assert [(s.service, s.kind) for s in flow.saga.steps] == [
        ("orders", "compensatable"),
        ("payments", "compensatable"),
        ("stock", "compensatable"),
        ("orders", "pivot"),
    ]
    assert all(s.compensation for s in flow.saga.steps if s.kind == "compensatable")
    assert flow.saga.steps[-1].action == "call stripe"


def test_two_service_saga_is_choreographed_ok() -> None:
    """Two services without an external call react to each other's events: choreography, the last write is the pivot."""
    from design.helpers import design_of

    flow = next(f for f in design_of(SAGA).flows if f.use_case == "pay order")
    assert flow.saga is not None
    assert flow.saga.coordination == "choreography"
    assert flow.saga.steps[-1].kind == "pivot"
    assert flow.saga.steps[-1].compensation is None


@pytest.mark.parametrize(
    ("latency", "timeout"),
    [
        pytest.param(20, 60, id="fast-external-tail-multiple"),
        pytest.param(60, 133, id="budget-share-caps-the-tail"),
        pytest.param(300, 450, id="slower-than-its-share-floor-wins"),
    ],
)
def test_a_timeout_never_fails_the_usual_call_ok(latency: int, timeout: int) -> None:
    """A hop's timeout is 3x its expected latency, capped by its share of the budget, and never under 1.5x it (the eleventh
    run's uber called a 300 ms payment processor with a 200 ms timeout: every call would time out)."""
    text = SHOP.replace("stripe: {kind: payment}", f"stripe: {{kind: payment, latency_ms: {latency}}}")
    flow = flows(text)["place order"]
    stripe = next(s for s in flow.steps if s.target == "stripe")  # type: ignore[attr-defined]
    assert stripe.timeout_ms == timeout
    assert stripe.timeout_ms > latency
