"""The scaffolded service verifies an external system's signature and never answers other users' personal data (issue 22-n7)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: A shop: Stripe reports payments back (signed), clerks list customers and read an order with its customer (strangers' rows).
SPEC = """\
system: shop
services:
  shop: {owns: [Customer, Order]}
external: {Stripe: {kind: payment}}
entities:
  Customer: {fields: {nickname: string(40), email: {type: email, unique: true, pii: true}, phone: {type: string(20), pii: true}}, rows: 1M}
  Order: {fields: {customer: ref(Customer), note: string(200), status: "enum[open, paid, refunded]"}, growth: 10k/day}
use_cases:
  - {name: add customer, actor: clerk, writes: [Customer], rate: 1k/day}
  - {name: place order, actor: clerk, writes: [Order], rate: 10k/day}
  - {name: stripe payment succeeded, actor: stripe, auth: none, kind: update, writes: [Order.status], rate: 10k/day}
  - {name: list customers, actor: clerk, reads: [Customer], rate: 100k/day}
  - {name: view order, actor: clerk, kind: get, reads: [Order, Customer], rate: 100k/day}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = design_spec(load_spec_bytes(textwrap.dedent(SPEC).encode(), "shop.yaml"))
    out = tmp_path_factory.mktemp("shop")
    (deployable,) = scaffold(from_files(result.architecture, result.files, "shop"), out).project.deployables
    return out / deployable.name


def _signatures(root: Path) -> ModuleType:
    """The generated ``core.signatures`` module, loaded on its own (it needs only the standard library, FastAPI and problems)."""
    package = next((root / "src").iterdir()).name
    sys.path.insert(0, str(root / "src"))
    try:
        spec = importlib.util.find_spec(f"{package}.core.signatures")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(root / "src"))


@pytest.mark.parametrize(
    ("header", "secret", "age_s", "refused"),
    [
        pytest.param(None, "s3cret", 0, "needs an X-Signature", id="missing"),
        pytest.param("t=abc,v1=00", "s3cret", 0, "needs an X-Signature", id="malformed"),
        pytest.param("sign", "other", 0, "does not match", id="another-secret"),
        pytest.param("sign", "s3cret", 301, "too far", id="replayed"),
        pytest.param("sign", None, 0, "No secret", id="unconfigured"),
        pytest.param("sign", "s3cret", 0, None, id="valid"),
    ],
)
def test_generated_signature_check_ok(shop: Path, header: str | None, secret: str | None, age_s: int, refused: str | None) -> None:
    """The generated verifier accepts the provider's signature of the raw body within five minutes, and refuses anything else."""
    signatures = _signatures(shop)
    now = time.time()
    body = b'{"status":"paid"}'
    sent = signatures.sign("other" if secret == "other" else "s3cret", body, int(now) - age_s) if header == "sign" else header
    why = signatures.verify(None if secret is None else "s3cret", sent, body, now)
    assert (why is None) if refused is None else (refused in why), why
    if refused is None:
        assert signatures.verify("s3cret", sent, body + b" ", now) is not None  # the signature covers the exact bytes


def test_generated_code_wires_signature_and_withholding_ok(shop: Path) -> None:
    """The routes' policies name the signing system, and the reads of strangers' rows name the fields they leave out."""
    resources = next(shop.rglob("modules/shop/resources.py")).read_text()
    assert 'signed_by="Stripe"' in resources
    assert 'withheld=("email", "phone")' in resources
    assert 'withheld=("customer.email", "customer.phone")' in resources
    tests = next(shop.rglob("test_shop_use_cases.py")).read_text()
    assert "def test_stripe_payment_succeeded_without_signature_err" in tests


@pytest.mark.postgres
def test_generated_service_verifies_callbacks_and_withholds_personal_data_ok(postgres: object, shop: Path) -> None:
    """The generated service passes its own tests: Stripe's signed update succeeds and an unsigned, foreign or replayed one is
    401; every answer of the customer list and of an order with its customer is checked to carry no email or phone."""
    run = _own_tests(shop, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    for name in ("stripe_payment_succeeded_ok", "stripe_payment_succeeded_without_signature_err", "list_customers_ok", "view_order_ok"):
        assert f"PASSED tests/test_shop_use_cases.py::test_{name}" in run.stdout, run.stdout[-3000:]
