"""One system peak per meaning: the peak the instances are sized on is the one the document calls the peak, or both are
stated with the term that separates them (the GETs reading created rows back, which no use case rates)."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture
from backend_architect.render.markdown import render_markdown
from backend_architect.render.numbers import human

#: A clinic whose bookings are read back through their GET (no use case rates that read): the services serve more than the use cases.
READ_BACK = """
system: clinic
team: {size: 4}
entities:
  Patient: {fields: {name: string}}
  Visit: {fields: {patient: ref(Patient), at: datetime, status: "enum[booked, seen]"}}
use_cases:
  - {name: book visit, actor: patient, writes: [Visit], rate: 20/s}
  - {name: list visits, actor: patient, reads: [Visit], filter: [patient], rate: 200/s}
"""

#: Appended readings are never read back (the create answered their final state): the use cases' peak is what the services serve.
APPENDED = """
system: meters
team: {size: 4}
entities:
  Meter: {fields: {site: string}, rows: 2M}
  Reading: {fields: {meter: ref(Meter), value: float}, append_only: true}
use_cases:
  - {name: record reading, actor: meter, writes: [Reading], rate: 400/s}
  - {name: meter history, actor: operator, reads: [Reading], filter: [meter], rate: 50/s}
"""

#: A stated whole-system rate far above the use cases': the instances serve the use cases, the document says both.
STATED = """
system: catalogue
team: {size: 4}
scale: {requests: 50M/day}
entities:
  Product: {fields: {name: string(80)}, rows: 1M, append_only: true}
use_cases:
  - {name: add product, actor: admin, writes: [Product], rate: 10/s}
  - {name: list products, actor: shopper, auth: none, reads: [Product], rate: 100/s}
"""

#: Several services (no team size, a high peak) each sized on their own peak, read-backs included.
SERVICES = """
system: market
entities:
  Seller: {fields: {name: string(80)}, rows: 1M}
  Listing: {fields: {seller: ref(Seller), title: string(120), status: "enum[open, sold]"}, rows: 50M}
  Bid: {fields: {listing: ref(Listing), amount: money, status: "enum[open, won, lost]"}, growth: 20M/day}
use_cases:
  - {name: create listing, actor: seller, writes: [Listing], rate: 2k/s}
  - {name: browse listings, actor: buyer, reads: [Listing], filter: [seller], rate: 30k/s}
  - {name: place bid, actor: buyer, writes: [Bid], rate: 3k/s}
  - {name: list bids, actor: buyer, reads: [Bid], filter: [listing], rate: 20k/s}
"""


def _sized_peak(arch: Architecture) -> float:
    """The peak the deployables' instances carry: the whole deployable's in a modular monolith, else the services' sum."""
    known = {f.key: f for f in arch.figures}
    whole = known.get(f"instances.deployable.{arch.system}")
    if whole is not None:
        return whole.inputs["peak"]
    return sum(known[f"instances.{s.name}"].inputs["peak"] for s in arch.services)


@pytest.mark.parametrize(
    ("text", "read_backs", "served"),
    [
        pytest.param(READ_BACK, True, True, id="monolith-with-read-backs"),
        pytest.param(APPENDED, False, False, id="appended-rows-never-read-back"),
        pytest.param(STATED, False, True, id="stated-total-beside-the-use-cases"),
        pytest.param(SERVICES, True, True, id="services-with-read-backs"),
    ],
)
def test_instances_are_sized_on_a_peak_the_document_names_ok(text: str, read_backs: bool, served: bool) -> None:
    """The instances' and the edge's peak is qps.peak.total, or qps.peak.served stated beside it with the read-backs that separate them."""
    arch = design_of(text)
    known = {f.key: f for f in arch.figures}
    total, peak = known["qps.peak.total"], _sized_peak(arch)
    assert ("qps.peak.served" in known) is served
    # the edge's record carries the same peak the instances are sized on
    assert next(d for d in arch.decisions if d.id == "edge").inputs["peak_rps"] == pytest.approx(peak)
    if not served:
        assert peak == pytest.approx(total.value)
        return
    figure = known["qps.peak.served"]
    assert peak == pytest.approx(figure.value)
    # the existence checks services make of each other's rows come on top where there are some (checks_peak)
    assert figure.value == pytest.approx(figure.inputs["use_cases_peak"] + figure.inputs["readbacks_peak"] + figure.inputs.get("checks_peak", 0.0))
    assert (figure.inputs["readbacks_peak"] > 0) is read_backs
    # the total says what separates it from the served peak: the read-backs on top, or that scale.requests states it (then it is
    # never called the use cases' sum, which the served peak is)
    stated = "requests:" in text
    assert ("qps.peak.served" in total.quantity) is (read_backs or stated)
    assert ("as scale.requests states it" in total.quantity) is stated
    assert ("of the use cases" in total.quantity) is (read_backs and not stated)
    document = render_markdown(arch, [])
    assert f"{human(figure.value, 'req/s')} the services serve" in document


def test_read_backs_make_the_services_peak_exceed_the_use_cases_ok() -> None:
    """The clinic's services serve its 60 req/s of bookings read back on top of the use cases' 660 req/s at peak."""
    known = {f.key: f for f in design_of(READ_BACK).figures}
    assert known["qps.peak.total"].value == pytest.approx(660)
    assert known["qps.peak.served"].inputs["readbacks_peak"] == pytest.approx(60)
    assert known["qps.peak.served"].value == pytest.approx(720)
