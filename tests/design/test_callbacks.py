"""An external system calling back (a provider's webhook) is authenticated by its signature, never public (issue 22-n7)."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.spec.load import load_spec_bytes

#: A shop paid through Stripe: the external named in the actor (another case), an update of the order's payment state, stated public.
SHOP = """\
system: shop
external: {Stripe: {kind: payment}}
entities:
  Customer: {fields: {email: {type: email, unique: true, pii: true}}, rows: 1M}
  Order: {fields: {customer: ref(Customer), total: money, status: "enum[open, paid, refunded]"}, growth: 10k/day}
use_cases:
  - {name: place order, actor: customer, writes: [Order], rate: 10k/day}
  - {name: stripe payment succeeded, actor: stripe, auth: none, kind: update, writes: [Order.status], rate: 10k/day}
"""

#: A parcel service: the carrier named by its kind (shipping), creating tracking events, with no auth stated at all.
PARCELS = """\
system: parcels
external:
  Carrier: {kind: shipping, description: Posts each scan of a parcel back to us.}
entities:
  Parcel: {fields: {label: string(40), status: "enum[created, moving, delivered]"}, rows: 10M}
  Scan: {fields: {parcel: ref(Parcel), place: string(100), scanned_at: datetime}, growth: 1M/day}
use_cases:
  - {name: create parcel, actor: merchant, writes: [Parcel], rate: 100k/day}
  - {name: record scan, actor: shipping, writes: [Scan], rate: 1M/day}
  - {name: list parcel scans, actor: merchant, reads: [Scan], filter: [parcel], rate: 1M/day}
"""

#: A CI service: no external listed, the actor calls itself a webhook (a forge's push hook) and starts a build (a custom method).
BUILDS = """\
system: ci
entities:
  Repo: {fields: {name: string(100)}, rows: 100k}
  Build: {fields: {repo: ref(Repo), commit_sha: string(40), state: "enum[queued, running, passed, failed]"}, growth: 500k/day}
use_cases:
  - {name: add repo, actor: developer, writes: [Repo], rate: 1k/day}
  - {name: forge push webhook, actor: forge_webhook, auth: none, writes: [Build], rate: 500k/day}
  - {name: view build, actor: developer, kind: get, reads: [Build], rate: 2M/day}
"""

CASES = [
    pytest.param(SHOP, "stripePaymentSucceeded", "Stripe", id="shop-update-by-external-name"),
    pytest.param(PARCELS, "recordScan", "Carrier", id="parcels-create-by-external-kind"),
    pytest.param(BUILDS, "forgePushWebhook", "forge_webhook", id="ci-create-by-webhook-actor"),
]


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


def _contract(result: DesignResult, op_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The OpenAPI document holding ``op_id`` and that operation."""
    for path, text in sorted(result.files.items()):
        if not path.startswith("openapi/"):
            continue
        doc = yaml.safe_load(text)
        for item in doc["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and op.get("operationId") == op_id:
                    return doc, op
    raise AssertionError(f"no operation {op_id}")


@pytest.mark.parametrize(("text", "op_id", "system"), CASES)
def test_callback_is_signed_not_public_ok(text: str, op_id: str, system: str) -> None:
    """The operation an external system calls names the signature scheme (never ``security: []``), declares 401, validates,
    and the design's security section says how it is verified."""
    result = _design(text)
    op = next(o for api in result.architecture.apis for o in api.operations if o.operation_id == op_id)
    assert op.signed_by == system
    assert op.auth == "none"
    assert op.scopes == []
    assert op.for_others or op.kind != "create"  # a provider's create names the rows' owners: it makes them for others
    doc, rendered = _contract(result, op_id)
    validate(doc)
    assert rendered["security"] == [{"webhookSignature": []}]
    assert "X-Signature" in rendered["responses"]["401"]["description"]
    scheme = doc["components"]["securitySchemes"]["webhookSignature"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "X-Signature"
    assert system in scheme["description"]
    assert "HMAC-SHA256" in scheme["description"]
    security = result.files["design.md"].split("## Security", 1)[1]
    assert f"- Callbacks from outside: {system} calls" in security
    assert "constant time" in security
    assert "Public operations" not in security or op.use_cases[0] not in security.split("Public operations", 1)[1].split("\n", 1)[0]


@pytest.mark.parametrize(("text", "op_id", "system"), CASES)
def test_users_keep_their_tokens_ok(text: str, op_id: str, system: str) -> None:
    """Every other operation of the same designs is called by people or services with tokens, not signed."""
    result = _design(text)
    others = [o for api in result.architecture.apis for o in api.operations if o.operation_id != op_id]
    assert others
    assert not any(o.signed_by for o in others)
    assert all(o.auth == "required" for o in others if not o.flow), [(o.operation_id, o.auth) for o in others]


def test_spec_without_callers_from_outside_declares_no_signature_ok() -> None:
    """A design no external system calls declares no signature scheme and says nothing of callbacks."""
    result = _design(PARCELS.replace("actor: shipping", "actor: courier"))
    assert all("webhookSignature" not in text for path, text in result.files.items() if path.startswith("openapi/"))
    assert "Callbacks from outside" not in result.files["design.md"]
