"""One existence-check call per id checked, each at its own rate (issue 22, classes i5 and q3).

An operation checking several references one service holds calls the owner's GET of one row once per id: the owner's
requests count every check at its own rate (a required reference on every request, an optional one in the share that
carries it), never only whichever check was listed last, nor only the largest as if one call checked them all. Specs of three
shapes: a comment naming its question and maybe an answer, a shipment naming its warehouse and maybe a carrier, a review
naming its product and maybe a variant, each owner a service of its own.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.reference_checks import CHECKED_BY_OWNER
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

COMMENTS = """
system: forum
services:
  questions: {owns: [User, Question, Answer]}
  comments: {owns: [Comment]}
entities:
  User: {fields: {name: string(40)}, rows: 1M}
  Question: {fields: {title: string(200), author: ref(User)}, rows: 5M}
  Answer: {fields: {question: ref(Question), author: ref(User), body: text}, rows: 10M}
  Comment: {fields: {question: ref(Question), answer: {type: "ref(Answer)?", share: 60%}, author: ref(User), body: string(600)}, growth: 50k/day}
use_cases:
  - {name: ask, writes: [Question], rate: 10k/day}
  - {name: answer, writes: [Answer], rate: 20k/day}
  - {name: comment, kind: create, writes: [Comment], rate: 50k/day}
  - {name: question comments, reads: [Comment], filter: [question], rate: 2M/day}
"""

SHIPMENTS = """
system: shipping
services:
  network: {owns: [Warehouse, Carrier]}
  shipments: {owns: [Shipment]}
entities:
  Warehouse: {fields: {name: string(100)}, rows: 2k}
  Carrier: {fields: {name: string(100)}, rows: 300}
  Shipment: {fields: {warehouse: ref(Warehouse), carrier: {type: "ref(Carrier)?", share: 30%}, weight_g: int}, growth: 200k/day}
use_cases:
  - {name: add warehouse, writes: [Warehouse], rate: 10/day}
  - {name: add carrier, writes: [Carrier], rate: 5/day}
  - {name: ship, kind: create, writes: [Shipment], rate: 200k/day}
  - {name: warehouse shipments, reads: [Shipment], filter: [warehouse], rate: 1M/day}
"""

REVIEWS = """
system: shop
services:
  catalog: {owns: [Product, Variant]}
  reviews: {owns: [Review]}
entities:
  Product: {fields: {title: string(200)}, rows: 1M}
  Variant: {fields: {product: ref(Product), label: string(50)}, rows: 4M}
  Review: {fields: {product: ref(Product), variant: {type: "ref(Variant)?", share: 40%}, stars: int, body: text}, growth: 30k/day}
use_cases:
  - {name: add product, writes: [Product], rate: 1k/day}
  - {name: add variant, writes: [Variant], rate: 4k/day}
  - {name: review, kind: create, writes: [Review], rate: 30k/day}
  - {name: product reviews, reads: [Review], filter: [product], rate: 3M/day}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


@pytest.mark.parametrize("text", [pytest.param(COMMENTS, id="comment"), pytest.param(SHIPMENTS, id="shipment"), pytest.param(REVIEWS, id="review")])
def test_one_call_per_id_checked_ok(text: str) -> None:
    """An operation checking two references of one owner adds both check rates to the owner's requests: one call each."""
    arch = _design(text)
    calls: dict[tuple[str, str], list[float]] = {}
    for check in arch.reference_checks:
        if check.check == CHECKED_BY_OWNER and check.peak:
            calls.setdefault((check.owner, check.operation), []).append(check.peak)
    paired = {key: peaks for key, peaks in calls.items() if len(peaks) > 1}
    assert paired, "the spec should give an operation checking two references of one owner"
    figures = {f.key: f for f in arch.figures}
    for (owner, operation), peaks in paired.items():
        assert min(peaks) < max(peaks)
        served = figures[f"qps.peak.service.{owner}"].inputs
        assert served[f"check_{operation}"] == pytest.approx(sum(peaks))
