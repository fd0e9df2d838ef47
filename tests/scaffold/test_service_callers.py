"""The scaffolded service tells a service's token from a person's: an operation only services call refuses people, and a service is
charged the limit the contract sizes for calling services (issue 22-s1).

Only services deployed apart call each other with tokens (a modular monolith's modules call in process: issue 22, class q3), so the
two systems with service callers choose microservices. Three shapes, written as a stranger would: a service reading a row of
another service that no client reads by its id (an internal operation, security ``serviceOAuth2`` alone), a service reading a row
its clients read too (``x-rate-limit.services`` beside the people's limit), and a system no service calls at all (its policies
and limits unchanged).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.scaffold.plan import plan_project
from backend_architect.spec.load import load_spec_bytes

#: Appointments refer to a patient another service keeps and no client reads one by one: the bookings service checks it exists
#: through an operation only services call.
CLINIC = """\
system: clinic
services:
  patients: {owns: [Patient]}
  bookings: {owns: [Slot, Appointment]}
entities:
  Patient: {fields: {name: string(120), ward: string(40)}, rows: 2M}
  Slot: {fields: {starts_at: timestamp, doctor: string(80)}, rows: 500k}
  Appointment: {fields: {patient: ref(Patient), slot: ref(Slot), reason: string(300)}, growth: 50k/day}
use_cases:
  - {name: list ward patients, actor: nurse, reads: [Patient], filter: [ward], rate: 5/s}
  - {name: book appointment, actor: nurse, writes: [Appointment], rate: 20/s}
  - {name: list slots, actor: nurse, reads: [Slot], rate: 50/s}
decisions: {deployment-shape: {choose: microservices, reason: the wards run their own services}}
"""

#: Shoppers view products, and the carts service reads the same product for every item added: one operation, two kinds of caller.
SHOP = """\
system: shop
services:
  catalog: {owns: [Product]}
  carts: {owns: [CartItem]}
entities:
  Product: {fields: {title: string(200), price_cents: int}, rows: 1M}
  CartItem: {fields: {product: ref(Product), quantity: int, shopper: string(64)}, growth: 1M/day}
use_cases:
  - {name: view product, actor: user, kind: get, reads: [Product], rate: 300/s}
  - {name: add to cart, actor: user, writes: [CartItem], reads: [Product], rate: 200/s}
  - {name: list cart, actor: user, reads: [CartItem], rate: 100/s}
decisions: {deployment-shape: {choose: microservices, reason: the catalog scales apart}}
"""

#: One service, no other to call it: nothing changes.
NOTES = """\
system: notes
entities:
  Notebook: {fields: {title: string(100)}, rows: 100k}
  Page: {part_of: Notebook, fields: {body: string(2000)}, growth: 20k/day}
use_cases:
  - {name: open notebook, actor: user, writes: [Notebook], rate: 1/s}
  - {name: write page, actor: user, writes: [Page], rate: 10/s}
  - {name: list pages, actor: user, reads: [Page], filter: [notebook], rate: 40/s}
"""

SHAPES = [
    pytest.param("clinic", CLINIC, {"getPatientForServices": (True, (18000, 3000))}, "test_services_only_operations_refuse_people_err", id="internal"),
    pytest.param("shop", SHOP, {"viewProduct": (False, (180000, 30000))}, "test_a_service_outlasts_a_persons_burst_ok", id="client-and-service"),
    pytest.param("notes", NOTES, {}, None, id="no-service-caller"),
]


def _designed(name: str, text: str):  # type: ignore[no-untyped-def]
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), f"{name}.yaml"))


@pytest.mark.parametrize(("name", "text", "expected", "_proof"), SHAPES)
def test_policies_name_service_callers_ok(name: str, text: str, expected: dict[str, object], _proof: str | None) -> None:
    """Each route's policy says who may call it and what a calling service is charged, as its contract does; every other
    operation keeps the people's policy alone, and the generated Policy(...) carries it."""
    result = _designed(name, text)
    project = plan_project(from_files(result.architecture, result.files, name))
    plans = {op.op.operation_id: op for d in project.deployables for m in d.modules for op in m.operations}
    found = {op_id: op.callers for op_id, op in plans.items() if op.callers != (False, None)}
    assert found == expected
    internal = {op.operation_id for api in result.architecture.apis for op in api.operations if op.internal}
    assert internal == {op_id for op_id, (only, _rate) in expected.items() if only}
    for op_id, (only, _rate) in expected.items():
        declared = next(op for api in result.architecture.apis for op in api.operations if op.operation_id == op_id)
        assert 403 in declared.error_statuses, f"{op_id}: the 403 the service answers is declared"
        if only:
            contract = next(text for path, text in result.files.items() if path.startswith("openapi/") and op_id in text)
            assert "only services call this operation" in contract


def _runtime_tests(root: Path, postgres: object) -> subprocess.CompletedProcess[str]:
    """The generated deployable's runtime tests (the callers' checks among them), in this environment."""
    url = f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"  # type: ignore[attr-defined]
    environment = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(root / "src")}
    command = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", "tests/test_runtime.py"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600, env=environment)


@pytest.mark.postgres
@pytest.mark.parametrize(("name", "text", "_expected", "proof"), SHAPES)
def test_generated_service_enforces_service_identity_ok(postgres: object, tmp_path: Path, name: str, text: str, _expected: object, proof: str | None) -> None:
    """The generated runtime tests pass: a person's token holding the scope gets 403 from an operation only services call; a
    service is charged the services' limit (RateLimit-Policy ``<class>-services``, q= the contract's) and outlasts a person's
    burst; a person keeps the people's limit, and where no service calls, a service's token is charged the people's limit too."""
    result = _designed(name, text)
    deployables = scaffold(from_files(result.architecture, result.files, name), tmp_path).project.deployables
    outputs = []
    for deployable in deployables:
        run = _runtime_tests(tmp_path / deployable.name, postgres)
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        outputs.append(run.stdout)
    out = "\n".join(outputs)
    assert "PASSED tests/test_runtime.py::test_each_caller_is_charged_its_limit_ok" in out, out[-3000:]
    if proof is not None:
        assert f"PASSED tests/test_runtime.py::{proof}" in out, out[-3000:]
    else:
        assert "PASSED tests/test_runtime.py::test_services_only_operations_refuse_people_err" not in out
        assert "PASSED tests/test_runtime.py::test_a_service_outlasts_a_persons_burst_ok" not in out
