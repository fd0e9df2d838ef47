"""Calls between parts are told as they are made (issue 22, class q3).

Within one deployable a module's call on another is a function call: no contract, sequence, security table or hand-off
tells it as an HTTP request with a service token, and no limiter sits between modules. Across deployables, a check of
several ids on one owner is one call per id, counted the same in the owner's requests, its database's reads and the
calling service's rate limit; and a calling service's limit is counted by one key, the same in design.md's security table
and the contract's ``x-rate-limit`` (which the scaffold's limiter reads). Specs of several shapes, none from the trials.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
import yaml

from backend_architect.api import DesignResult, design_spec
from backend_architect.design.reference_checks import CHECKED_BY_OWNER
from backend_architect.ir.part_calls import CLIENT_IP_KEY, SERVICE_ACTOR, SERVICE_TOKEN_KEY
from design.helpers import spec_of

#: One deployable: visits checks a patient and a doctor held by the patients module.
CLINIC = """\
system: clinic
services:
  patients: {owns: [Patient, Doctor]}
  visits: {owns: [Visit]}
entities:
  Patient: {fields: {name: {type: string(100), pii: true}}, rows: 200k}
  Doctor: {fields: {name: string(100)}, rows: 500}
  Visit:
    fields: {patient: ref(Patient), doctor: ref(Doctor), reason: string(200)}
    growth: 5k/day
use_cases:
  - {name: register patient, actor: receptionist, writes: [Patient], rate: 500/day}
  - {name: add doctor, actor: admin, writes: [Doctor], rate: 5/day}
  - {name: book visit, actor: receptionist, kind: create, writes: [Visit], rate: 5k/day}
  - {name: patient visits, actor: doctor, reads: [Visit], filter: [patient], rate: 20k/day}
"""

#: One deployable: a public product page another module also reads.
SHOP = """\
system: shop
services:
  catalog: {owns: [Product]}
  orders: {owns: [Order]}
entities:
  Product: {fields: {title: string(200), price_cents: int}, rows: 1M}
  Order:
    fields: {product: ref(Product), quantity: int}
    growth: 100k/day
use_cases:
  - {name: add product, actor: seller, writes: [Product], rate: 1k/day}
  - {name: view product, actor: shopper, auth: none, reads: [Product], rate: 300/s}
  - {name: place order, actor: shopper, kind: create, writes: [Order], rate: 100k/day}
"""

#: One deployable: a remark names its post and a topic (whose rows no use case serves: a module interface answers the check).
JOURNAL = """\
system: journal
services:
  posts: {owns: [Author, Topic, Post]}
  talk: {owns: [Remark]}
entities:
  Author: {fields: {handle: {type: string(30), unique: true}}, rows: 50k}
  Topic: {fields: {name: string(50)}, rows: 200}
  Post: {fields: {author: ref(Author), title: string(200), body: text}, rows: 2M}
  Remark:
    fields: {post: ref(Post), author: ref(Author), topic: ref(Topic), text: string(500)}
    growth: 40k/day
use_cases:
  - {name: write post, actor: author, writes: [Post], rate: 5k/day}
  - {name: remark on post, actor: author, kind: create, writes: [Remark], rate: 40k/day}
  - {name: post remarks, actor: reader, auth: none, reads: [Remark], filter: [post], rate: 3M/day}
"""

MICRO = "decisions: {deployment-shape: {choose: microservices, reason: each part is run by its own team}}\n"

#: Services: a match names two teams of another service, so one request checks two ids there.
LEAGUE = """\
system: league
services:
  teams: {owns: [Team]}
  fixtures: {owns: [Match]}
entities:
  Team: {fields: {name: string(80), city: string(80)}, rows: 20k}
  Match:
    fields: {home_team: ref(Team), away_team: ref(Team), kickoff: timestamp}
    growth: 400k/day
use_cases:
  - {name: add team, actor: admin, writes: [Team], rate: 100/day}
  - {name: schedule match, actor: admin, kind: create, writes: [Match], rate: 400k/day}
  - {name: team matches, actor: fan, reads: [Match], filter: [home_team], rate: 200/s}
"""

MONOLITHS = {"clinic": CLINIC, "shop": SHOP, "journal": JOURNAL}
SERVICES = {"league": LEAGUE + MICRO, "clinic-services": CLINIC + MICRO, "shop-services": SHOP + MICRO, "journal-services": JOURNAL + MICRO}


@cache
def designed(text: str) -> DesignResult:
    return design_spec(spec_of(text))


def _contracts(result: DesignResult) -> list[dict[str, Any]]:
    return [yaml.safe_load(text) for path, text in sorted(result.files.items()) if path.startswith("openapi/")]


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for method, op in item.items() if method in {"get", "put", "post", "patch", "delete"}]


def _part_messages(result: DesignResult) -> list[str]:
    """The messages of every sequence line from one part of the system to another."""
    parts = {s.name for s in result.architecture.services}
    found = []
    for path, text in result.files.items():
        if path.startswith("diagrams/sequence-"):
            for source, target, message in re.findall(r"^\s*p_(\w+)->>p_(\w+): (.*)$", text, re.M):
                if source.replace("_", "-") in parts and target.replace("_", "-") in parts and source != target:
                    found.append(message)
    return found


@pytest.mark.parametrize("name", sorted(MONOLITHS))
def test_modules_call_each_other_in_process_ok(name: str) -> None:
    """In one deployable no contract, sequence, limit or hand-off tells a module's call as HTTP with a service token."""
    result = designed(MONOLITHS[name])
    arch = result.architecture
    assert arch.deployment == "modular-monolith"
    called = [op for api in arch.apis for op in api.operations if op.consumers]
    assert called, "the spec should make one module call another"
    for document in _contracts(result):
        text = yaml.safe_dump(document)
        for said in ("service-to-service", "client-credentials", "clientCredentials"):
            assert said not in text
        assert not any(op.get("x-internal") for op in _operations(document))
    assert not [r for r in (arch.security.rate_limits if arch.security else []) if r.actor == SERVICE_ACTOR]
    messages = _part_messages(result)
    assert messages, "the spec should draw a call between modules"
    assert all("(in process)" in m and "(GET " not in m for m in messages if " -> " in m), messages
    handoff = json.loads(result.files["handoff.json"])
    for service in handoff["implementers"]["api"]:
        internal = {op.operation_id for api in arch.apis if api.service == service["service"] for op in api.operations if op.internal}
        assert not internal & {op["operation_id"] for op in service["operations"]}
        assert internal == {op["operation_id"] for op in service.get("module_interfaces", [])}


def test_the_monoliths_have_module_interfaces_ok() -> None:
    """The table is not vacuous: some module's operation only other modules call, so it is a module interface."""
    assert any(op.internal for text in MONOLITHS.values() for api in designed(text).architecture.apis for op in api.operations)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_check_is_one_call_per_id_everywhere_ok(name: str) -> None:
    """The owner's requests, its database's reads and the calling service's limit all count one call per id checked."""
    arch = designed(SERVICES[name]).architecture
    assert arch.deployment == "microservices"
    checks = [c for c in arch.reference_checks if c.check == CHECKED_BY_OWNER and c.peak]
    assert checks, "the spec should check another service's rows"
    figures = {f.key: f for f in arch.figures}
    by_op: dict[tuple[str, str], float] = {}
    for c in checks:
        by_op[(c.owner, c.operation)] = by_op.get((c.owner, c.operation), 0.0) + c.peak
        reads = next(f.inputs for f in arch.figures if f.key.startswith("db.reads.peak.") and f"check_{c.operation}_{c.column}" in f.inputs)
        assert reads[f"check_{c.operation}_{c.column}"] == pytest.approx(c.peak)
    for (owner, operation), rate in by_op.items():
        assert figures[f"qps.peak.service.{owner}"].inputs[f"check_{operation}"] == pytest.approx(rate)


def test_two_ids_of_one_owner_are_two_calls_ok() -> None:
    """A match naming two teams calls the teams' GET twice a request: drawn so, and its limit sized on both calls."""
    result = designed(SERVICES["league"])
    arch = result.architecture
    step = next(s for f in arch.flows if f.use_case == "schedule match" for s in f.steps if s.kind == "query" and s.target == "teams")
    assert "one call per id" in step.description
    limit = next(r for r in arch.security.rate_limits if r.actor == SERVICE_ACTOR) if arch.security else None
    assert limit is not None
    assert "x 2 calls a request" in limit.rationale, limit
    checks = sum(c.peak for c in arch.reference_checks if c.use_case == "schedule match")
    assert limit.limit_per_minute >= checks * 60, (limit, checks)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_calling_services_limit_has_one_key_ok(name: str) -> None:
    """The key design.md's security table gives a calling service's limit is the key the contract's x-rate-limit states."""
    result = designed(SERVICES[name])
    arch = result.architecture
    limits = [r for r in (arch.security.rate_limits if arch.security else []) if r.actor == SERVICE_ACTOR]
    assert limits, "the spec should give a calling service a limit"
    stated = {}
    for document in _contracts(result):
        for op in _operations(document):
            limit = op.get("x-rate-limit") or {}
            sized = limit.get("services") or (limit if limit.get("actor") == SERVICE_ACTOR else None)
            if sized:
                stated[op["operationId"]] = sized["key"]
    for limit in limits:
        (operation,) = limit.operations
        said = limit.rationale.removeprefix(f"{operation}, per ")
        key = CLIENT_IP_KEY if said.startswith(CLIENT_IP_KEY) else SERVICE_TOKEN_KEY if said.startswith(SERVICE_TOKEN_KEY) else said
        assert stated[operation] == key, (operation, stated[operation], limit.rationale)


def test_a_public_operation_a_service_calls_is_keyed_by_client_ip_ok() -> None:
    """A public page another service reads: the service calls with no token, so its limit is counted by client IP, as said."""
    result = designed(SERVICES["shop-services"])
    public = [op for api in result.architecture.apis for op in api.operations if op.consumers and op.auth == "none"]
    assert public
    for op in public:
        assert "with no token: its limit is counted by client IP" in op.description
        limit = next(r for r in result.architecture.security.rate_limits if op.operation_id in r.operations) if result.architecture.security else None
        assert limit is not None
        assert limit.rationale.startswith(f"{op.operation_id}, per {CLIENT_IP_KEY}")
