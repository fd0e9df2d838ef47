"""A modular monolith's modules are modules everywhere (issue 22, class l2).

One deployable holding modules is sized once (its instances), its modules are shares of its load, a call between
modules is an in-process call (no network hop in latency, no failure row of its own, no second factor in an
availability product), and the self-review speaks of modules. Several deployables keep every one of these as services.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import spec_of

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import review

#: A small team's clinic: three declared modules, a visit booked with checks of the patient and doctor its siblings own, a
#: visit read with its doctor fresh (a cross-module read), and the doctors read by many.
CLINIC = """
system: clinic
team: {size: 4}
scale: {availability: 99.9%}
entities:
  Patient: {fields: {name: string, phone: string}}
  Doctor: {fields: {name: string, speciality: string}}
  Visit: {fields: {patient: ref(Patient), doctor: ref(Doctor), at: datetime, note: text}}
services:
  patients: {owns: [Patient]}
  doctors: {owns: [Doctor]}
  visits: {owns: [Visit], calls: [patients, doctors]}
use_cases:
  - {name: register patient, actor: user, writes: [Patient], rate: 5/s}
  - {name: add doctor, actor: admin, writes: [Doctor], rate: 1/s}
  - {name: book visit, actor: user, writes: [Visit], rate: 40/s}
  - {name: view visit, actor: user, kind: get, reads: [Visit, Doctor], consistency: strong, rate: 300/s}
  - {name: list doctors, actor: user, reads: [Doctor], rate: 200/s}
"""

#: A lending library whose loans module calls a card processor within the request: an external of one module that can fail.
LIBRARY = """
system: library
team: {size: 3}
entities:
  Member: {fields: {name: string, email: {type: email, unique: true}}}
  Book: {fields: {title: string, isbn: {type: string(13), unique: true}}}
  Loan: {fields: {member: ref(Member), book: ref(Book), due: date, fee: money}}
external:
  card_processor: {kind: payment, latency_ms: 250, availability: 99.9%}
services:
  members: {owns: [Member]}
  catalog: {owns: [Book]}
  loans: {owns: [Loan], calls: [members, catalog]}
use_cases:
  - {name: join, actor: user, writes: [Member], rate: 2/s}
  - {name: add book, actor: admin, writes: [Book], rate: 1/s}
  - {name: borrow book, actor: user, writes: [Loan], calls: [card_processor], rate: 20/s}
  - {name: browse books, actor: user, reads: [Book], rate: 150/s}
"""

#: The clinic forced apart by its author's decision, and the same clinic built by a team large enough for services.
FORCED = CLINIC + "decisions: {deployment-shape: {choose: microservices, reason: two sites}}\n"
LARGE_TEAM = CLINIC.replace("team: {size: 4}", "team: {size: 40, teams: 4}")

MONOLITHS = [pytest.param(CLINIC, id="clinic-monolith"), pytest.param(LIBRARY, id="library-monolith-with-external")]
SERVICES = [pytest.param(FORCED, id="clinic-forced-by-decision"), pytest.param(LARGE_TEAM, id="clinic-by-team-size")]


def _built(text: str) -> tuple[Architecture, str]:
    result = design_spec(spec_of(text))
    return result.architecture, result.files["design.md"]


def _module_calls(arch: Architecture) -> list[tuple[str, str, str]]:
    """(use case, caller, callee) for each synchronous call a request makes on another part."""
    parts = {x.name for x in arch.services}
    return [(f.use_case, s.source, s.target) for f in arch.flows for s in f.steps if s.kind in {"query", "call"} and s.source != s.target and s.target in parts]


@pytest.mark.parametrize("text", MONOLITHS)
def test_a_monolith_sizes_its_deployable_not_its_modules_ok(text: str) -> None:
    """One deployable's instances are sized; each module's figure is its share of that deployable's requests, never instances."""
    arch, document = _built(text)
    assert arch.deployment == "modular-monolith"
    keys = {f.key for f in arch.figures}
    assert f"instances.deployable.{arch.system}" in keys
    assert not [k for k in keys if k in {f"instances.{s.name}" for s in arch.services}]
    for service in arch.services:
        share = next(f for f in arch.figures if f.key == f"qps.peak.service.{service.name}")
        assert share.quantity == f"module {service.name}'s share of the {arch.system} deployable's peak requests/s"
        assert f"| instances of {service.name} |" not in document


@pytest.mark.parametrize("text", MONOLITHS)
def test_a_monolith_calls_its_modules_in_process_ok(text: str) -> None:
    """A call between modules adds no hop to a request's latency, no failure row, no factor to its availability."""
    arch, document = _built(text)
    calls = _module_calls(arch)
    assert calls, "the spec must make a request call another module"
    for use_case, _, callee in calls:
        flow = next(f for f in arch.flows if f.use_case == use_case)
        assert not [p for p in flow.latency_parts if "other services" in p.part], flow.latency_parts
        assert all(s.timeout_ms is None for s in flow.steps if s.target == callee)
        assert f"| service {callee} |" not in document
    assert "callee is down" not in document
    assert "by one synchronous query to" not in document
    for check in arch.reference_checks:
        assert " x " not in check.reason.split("in its path:")[-1].split(" target")[0], check.reason


def test_a_monolith_module_external_still_fails_ok() -> None:
    """A module's external called within the request is a hop that can fail: its latency part and failure row stay."""
    arch, document = _built(LIBRARY)
    flow = next(f for f in arch.flows if f.use_case == "borrow book")
    hop = next(p for p in flow.latency_parts if p.part.startswith("synchronous hop"))
    assert hop.part == "synchronous hop(s) to externals (1)"
    assert hop.ms == 250
    assert "| card_processor | fail | borrow book |" in document


@pytest.mark.parametrize("text", MONOLITHS)
def test_a_monolith_review_speaks_of_modules_ok(text: str) -> None:
    """The self-review names modules, never services, where the parts are modules of one deployable."""
    arch, _ = _built(text)
    for finding in review(arch):
        assert not finding.where.startswith("service "), finding
        assert "synchronously by" not in finding.message, finding


def test_shared_module_is_named_as_a_module_err() -> None:
    """A module three others call is reported as a module called in process, with what an extraction would cost."""
    text = (
        CLINIC.replace(
            "  visits: {owns: [Visit], calls: [patients, doctors]}\n",
            "  visits: {owns: [Visit], calls: [patients, doctors]}\n  rooms: {owns: [Room], calls: [doctors]}\n  bills: {owns: [Bill], calls: [doctors]}\n",
        ).replace(
            "  Visit:",
            "  Room: {fields: {doctor: ref(Doctor), label: string}}\n  Bill: {fields: {doctor: ref(Doctor), amount: money}}\n  Visit:",
        )
        + "  - {name: open room, actor: admin, writes: [Room], rate: 2/s}\n  - {name: bill doctor, actor: admin, writes: [Bill], rate: 2/s}\n"
    )
    arch, _ = _built(text)
    found = [f for f in review(arch) if f.code == "TOP003"]
    assert found, [(f.rule, f.message) for f in review(arch)]
    assert found[0].where == "module doctors"
    assert "called in process by 3 modules" in found[0].message


@pytest.mark.parametrize("text", SERVICES)
def test_services_keep_their_instances_hops_and_failures_ok(text: str) -> None:
    """Several deployables: each service is sized, a call on another is a network hop that can fail on its own."""
    arch, document = _built(text)
    assert arch.deployment == "microservices"
    keys = {f.key for f in arch.figures}
    assert {f"instances.{s.name}" for s in arch.services} <= keys
    assert not [k for k in keys if k.startswith("instances.deployable.")]
    calls = _module_calls(arch)
    assert calls
    for use_case, _, callee in calls:
        flow = next(f for f in arch.flows if f.use_case == use_case)
        assert any(p.part.startswith("synchronous hop(s) to other services") for p in flow.latency_parts), flow.latency_parts
        assert f"| service {callee} | fail |" in document
    assert any(" x " in c.reason for c in arch.reference_checks if c.check == "query")
