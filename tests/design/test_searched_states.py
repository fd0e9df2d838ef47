"""A proximity search reads the states its filter names; where its text promises one it does not filter by, the design
warns and the contract says the search returns every state."""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from design.helpers import design_of, spec_of

#: Restaurants found by customers (a bool the text may promise), couriers an order is offered to (an enum), scooters a
#: rider looks for (an enum whose value has an underscore).
RESTAURANTS = """\
system: food
entities:
  Restaurant: {{fields: {{name: string(80), open: bool, location: geo}}, rows: 20k}}
use_cases:
  - {{name: find restaurants, description: "{text}", reads: [Restaurant], near: Restaurant.location, radius: 5km, {filter}rate: 20/s}}
"""

COURIERS = """\
system: couriers
entities:
  Courier: {{fields: {{name: string(80), shift: "enum[off, idle, busy]", position: "geo?"}}, rows: 200k}}
  Order: {{fields: {{total: money, pickup: geo, courier: "ref(Courier)?"}}, growth: 2M/day}}
use_cases:
  - {{name: report position, actor: courier, writes: [Courier.position], latest: true, every: 5s, rate: 20k/s}}
  - {{name: place order, description: "{text}", writes: [Order], near: Courier.position, {filter}deliver: {{mode: push, to: Courier}}, rate: 50/s}}
"""

SCOOTERS = """\
system: scooters
entities:
  Scooter: {{fields: {{code: string(12), state: "enum[parked, in_use]", spot: geo}}, rows: 50k}}
use_cases:
  - {{name: find scooters, description: "{text}", reads: [Scooter], near: Scooter.spot, {filter}rate: 10/s}}
"""


@pytest.mark.parametrize(
    ("template", "text", "filter", "warned"),
    [
        pytest.param(RESTAURANTS, "Open restaurants near the customer.", "", "Restaurant.open=true", id="bool-promised-unfiltered"),
        pytest.param(RESTAURANTS, "Open restaurants near the customer.", "filter: [open=true], ", None, id="bool-promised-filtered"),
        pytest.param(RESTAURANTS, "Restaurants near the customer.", "", None, id="bool-not-promised"),
        pytest.param(COURIERS, "Idle couriers nearby are offered the order.", "", "Courier.shift=idle", id="enum-promised-unfiltered"),
        pytest.param(COURIERS, "Idle couriers nearby are offered the order.", "filter: [Courier.shift=idle], ", None, id="enum-promised-filtered"),
        pytest.param(SCOOTERS, "Support staff see scooters in use near a point.", "", "Scooter.state=in_use", id="enum-value-with-underscore"),
        pytest.param(SCOOTERS, "Scooters near the rider, in the state the rider picks.", "filter: [state], ", None, id="caller-names-the-state"),
    ],
)
def test_a_promised_state_the_filter_does_not_name_warns_ok(template: str, text: str, filter: str, warned: str | None) -> None:
    """The warning names the field, the states the search returns instead and the filter that keeps the promise; a filter on
    the field (a constant or the caller's value) or a text naming no state gives none."""
    spec = spec_of(template.format(text=text, filter=filter))
    found = [w for w in analyse(spec).warnings if "proximity search" in w]
    if warned is None:
        assert found == []
    else:
        assert len(found) == 1, found
        assert f"(e.g. filter: [{warned}])" in found[0]


def test_the_contract_says_the_search_returns_every_state_err() -> None:
    """A write whose description promises idle couriers and searches every shift says so in its operation's description, and
    its decision says the points of every shift come back."""
    arch = design_of(COURIERS.format(text="Idle couriers nearby are offered the order.", filter=""))
    op = next(o for a in arch.apis for o in a.operations if "place order" in o.use_cases)
    assert op.description.endswith("The proximity search names no shift: it finds Courier rows of every shift (off, idle, busy).")


def test_a_filtered_search_reads_its_state_alone_ok() -> None:
    """With the state named, the search reads that state's GEO set alone and the contract adds nothing."""
    arch = design_of(COURIERS.format(text="Idle couriers nearby are offered the order.", filter="filter: [Courier.shift=idle], "))
    choice = next(d.choice for d in arch.decisions if d.id == "geo.place-order")
    assert "GEOSEARCH courier:position:idle " in choice
    op = next(o for a in arch.apis for o in a.operations if "place order" in o.use_cases)
    assert "names no shift" not in op.description


def test_a_read_contract_says_the_search_returns_every_state_err() -> None:
    """A read whose description promises open restaurants, with no filter, says in its contract that it returns both."""
    arch = design_of(RESTAURANTS.format(text="Open restaurants near the customer.", filter=""))
    op = next(o for a in arch.apis for o in a.operations if "find restaurants" in o.use_cases)
    assert "The proximity search names no open: it finds Restaurant rows whether open or not." in op.description
