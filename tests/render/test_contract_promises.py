"""What a contract promises in prose, its declarations keep: 403 reasons, service tokens, RateLimit headers.

Each rule is checked over specs of different shapes (a clinic's tenant-scoped records, a library
split into services, a notebook with public and optional reads), not the trial's examples: every
document validates, and its declarations say what its descriptions say.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.refusals import OWNER, SCOPE, SERVICE, TENANT, forbidden_text
from backend_architect.render.openapi_limits import LIMITED_ERRORS
from backend_architect.render.openapi_security import AUTH_URL
from design.helpers import spec_of

CLINIC = """\
system: clinic
tenant: Practice
entities:
  Practice: {fields: {name: string(100)}}
  Patient:
    tenant_scoped: true
    fields: {name: {type: string(100), pii: true}, born_on: date}
  Visit:
    tenant_scoped: true
    fields: {patient: ref(Patient), reason: string(200), notes: text?}
    growth: 20k/day
use_cases:
  - {name: register patient, actor: receptionist, writes: [Patient]}
  - {name: book visit, actor: receptionist, writes: [Visit]}
  - {name: view visit, actor: doctor, reads: [Visit]}
  - {name: list patient visits, actor: doctor, reads: [Visit], filter: [patient]}
  - {name: amend visit notes, actor: doctor, owner_only: true, writes: [Visit.notes]}
"""

LIBRARY = """\
system: library
entities:
  Member: {fields: {name: {type: string(100), pii: true}, card: {type: string(20), unique: true}}, rows: 2M}
  Book: {fields: {title: string(200), isbn: {type: string(13), unique: true}}, rows: 5M}
  Branch: {fields: {city: string(100)}, rows: 300}
  Loan:
    fields: {member: ref(Member), book: ref(Book), branch: ref(Branch), due_on: date}
    growth: 50k/day
services:
  members: {owns: [Member]}
  catalog: {owns: [Book, Branch]}
  loans: {owns: [Loan]}
use_cases:
  - {name: join library, actor: visitor, auth: none, writes: [Member]}
  - {name: add book, actor: librarian, writes: [Book]}
  - {name: browse books, actor: visitor, auth: none, reads: [Book], search: [title]}
  - {name: borrow book, actor: member, writes: [Loan]}
  - {name: list my loans, actor: member, owner_only: true, reads: [Loan], filter: [member]}
  - {name: renew loan, actor: member, owner_only: true, writes: [Loan.due_on]}
"""

NOTEBOOK = """\
system: notebook
entities:
  Writer: {fields: {handle: {type: string(30), unique: true}}}
  Page:
    fields: {writer: ref(Writer), title: string(200), body: text, public: bool}
    growth: 100k/day
  Comment:
    fields: {page: ref(Page), text: string(500)}
    growth: 300k/day
use_cases:
  - {name: write page, actor: writer, writes: [Page]}
  - {name: edit page, actor: writer, owner_only: true, writes: [Page.title, Page.body]}
  - {name: read page, actor: reader, auth: optional, reads: [Page]}
  - {name: list writer pages, actor: reader, auth: none, reads: [Page], filter: [writer], sort: [-created_at]}
  - {name: comment on page, actor: reader, writes: [Comment]}
  - {name: list page comments, actor: reader, auth: optional, reads: [Comment], filter: [page]}
"""

#: The library deployed as services: its calls between parts go over HTTP with service tokens (the others are one deployable).
BRANCHES = LIBRARY + "decisions: {deployment-shape: {choose: microservices, reason: each branch network runs its own services}}\n"

SPECS = {"clinic": CLINIC, "library": LIBRARY, "notebook": NOTEBOOK, "branches": BRANCHES}
METHODS = {"get", "put", "post", "patch", "delete"}


@cache
def designed(name: str) -> DesignResult:
    return design_spec(spec_of(SPECS[name]))


def documents(name: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(text) for path, text in sorted(designed(name).files.items()) if path.startswith("openapi/")]


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method} {path}", op) for path, item in document["paths"].items() for method, op in item.items() if method in METHODS]


def resolved(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    if ref is None:
        return response
    found: dict[str, Any] = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


@pytest.mark.parametrize("name", sorted(SPECS))
def test_contracts_validate_ok(name: str) -> None:
    """openapi-spec-validator accepts every contract of every spec in the table."""
    found = documents(name)
    assert found
    for document in found:
        validate(document)


# --- 1. a 403 says only what answers 403 -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_forbidden_says_only_what_answers_403_ok(name: str) -> None:
    """Each 403 states the checks that answer it: a scope where the operation requires one, the tenant for tenant data, a
    service's token where only services call, and never ownership of an existing row (owner-only operations answer others 404)."""
    described = 0
    for document in documents(name):
        for where, op in operations(document):
            scoped = any(scopes for requirement in op["security"] for scopes in requirement.values())
            required = bool(op["security"]) and {} not in op["security"]
            if "403" not in op["responses"]:
                assert not (scoped and required), f"{where}: requires scopes but declares no 403"
                continue
            text = resolved(document, op["responses"]["403"])["description"]
            described += 1
            assert ("scope" in text) == (scoped and required), f"{where}: {text}"
            assert "does not own" not in text, f"{where}: {text}"
            if "others get 404" in op["description"]:
                assert OWNER not in text, f"{where}: an owner-only operation answers others 404, not 403"
            assert (SERVICE in text) == bool(op.get("x-internal")), f"{where}: only an operation services alone call refuses a person's token"
            reasons = [r for r in (SERVICE, SCOPE, TENANT, OWNER) if r in text]
            assert text == forbidden_text(reasons), f"{where}: {text!r} says more than its reasons"
    assert described


def test_forbidden_names_the_tenant_only_for_tenant_data_ok() -> None:
    """The clinic's tenant-scoped operations say the tenant refuses; the notebook's never do."""
    clinic = [resolved(d, op["responses"]["403"])["description"] for d in documents("clinic") for _, op in operations(d) if "403" in op["responses"]]
    notebook = [resolved(d, op["responses"]["403"])["description"] for d in documents("notebook") for _, op in operations(d) if "403" in op["responses"]]
    assert clinic
    assert all(TENANT in text for text in clinic)
    assert notebook
    assert not any(TENANT in text for text in notebook)


def test_optional_token_operations_declare_no_scope_refusal_ok() -> None:
    """An operation served to anonymous callers serves a token lacking scopes too: it declares no scope 403."""
    optional = [(w, op) for d in documents("notebook") for w, op in operations(d) if {} in op["security"] and op["security"] != []]
    assert optional
    assert all("403" not in op["responses"] for _, op in optional), [w for w, _ in optional]


# --- 2. operations other services call name the client-credentials flow ----------------------


def _service_calls(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Operations other services call with a token (a public one asks them for none; a module calls in process, with none)."""
    return [
        (w, op)
        for w, op in operations(document)
        if op.get("x-internal")
        or (op.get("x-consumers") and op["security"] and "in process" not in op["description"])
        or "client-credentials" in op["description"]
    ]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_service_calls_name_a_client_credentials_flow_ok(name: str) -> None:
    """An operation other services call names a scheme declaring clientCredentials from the same provider, with its scopes;
    an internal one names nothing else, and a contract no service calls declares no such flow."""
    for document in documents(name):
        schemes = document["components"].get("securitySchemes", {})
        service_schemes = {n for n, s in schemes.items() if "clientCredentials" in s.get("flows", {})}
        calls = _service_calls(document)
        if not calls:
            assert not service_schemes, f"{document['info']['title']}: a client-credentials flow no operation names"
        for where, op in calls:
            named = [n for requirement in op["security"] for n in requirement]
            assert set(named) & service_schemes, f"{where}: {op['security']}"
            for requirement in op["security"]:
                for scheme, scopes in requirement.items():
                    if scheme in service_schemes:
                        flow = schemes[scheme]["flows"]["clientCredentials"]
                        assert flow["tokenUrl"].startswith(AUTH_URL)
                        assert set(scopes) <= set(flow["scopes"]), f"{where}: {scopes} not granted"
            if op.get("x-internal"):
                assert set(named) <= service_schemes, f"{where}: an internal operation names a client scheme"


def test_the_table_has_both_kinds_of_contract_ok() -> None:
    """The table is not vacuous: some contract has an internal operation, some other services call, some none."""
    every = [d for name in SPECS for d in documents(name)]
    assert any(op.get("x-internal") for d in every for _, op in operations(d))
    assert any(op.get("x-consumers") and not op.get("x-internal") for d in every for _, op in operations(d))
    assert any(not _service_calls(d) for d in every)
    assert any(op.get("x-consumers") and op["security"] == [] for d in every for _, op in operations(d)), "a public operation services call"


def test_public_operations_stay_public_ok() -> None:
    """A public operation other services call asks nobody for a token, theirs included."""
    for name in SPECS:
        for document in documents(name):
            for where, op in operations(document):
                if op.get("x-consumers") and not op["security"]:
                    assert "401" not in op["responses"], where


# --- 3. RateLimit headers where the description says they are ---------------------------------


def _promised(description: str) -> set[int]:
    found = re.search(r"success response(?: and its ([\d, and]+) problems)? carry `RateLimit`", description)
    assert found, description
    return {int(s) for s in re.findall(r"\d+", found.group(1) or "")}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_rate_limit_headers_where_promised_ok(name: str) -> None:
    """A rate-limited operation's success, 429 and the problems the description lists declare RateLimit and
    RateLimit-Policy; the description never promises them on every response."""
    checked = 0
    for document in documents(name):
        description = document["info"]["description"]
        assert "Every response carries" not in description
        if not any("x-rate-limit" in op for _, op in operations(document)):
            continue
        promised = _promised(description)
        assert promised <= LIMITED_ERRORS
        for where, op in operations(document):
            if "x-rate-limit" not in op:
                continue
            for status, response in op["responses"].items():
                headers = resolved(document, response).get("headers", {})
                carries = {"RateLimit", "RateLimit-Policy"} <= set(headers)
                code = int(status)
                if code < 400 or code == 429 or code in promised:
                    assert carries, f"{where} {status}: promised RateLimit headers, declares {sorted(headers)}"
                    checked += 1
                elif code not in LIMITED_ERRORS:
                    assert not carries, f"{where} {status}: declared but not promised"
                    assert f"{code}" in description.split("not promised")[0].rsplit("; its ", 1)[-1], f"{where} {status}: not said"
            assert "Retry-After" in resolved(document, op["responses"]["429"])["headers"]
    assert checked


@pytest.mark.parametrize("name", sorted(SPECS))
def test_rate_limit_header_examples_are_the_contracts_own_limits_ok(name: str) -> None:
    """The RateLimit-Policy example is a quota some operation of the same contract carries, in the format the scaffold sends
    (the sixteenth trial's whatsapp showed q=600 beside limits of 60 and 20 a minute)."""
    checked = 0
    for document in documents(name):
        headers = document.get("components", {}).get("headers", {})
        if "RateLimit-Policy" not in headers:
            continue
        quotas = {(op["x-rate-limit"]["class"], op["x-rate-limit"]["per_minute"]) for _, op in operations(document) if "x-rate-limit" in op}
        example = headers["RateLimit-Policy"]["example"]
        found = re.fullmatch(r'"(\w+)";q=(\d+);w=60', example)
        assert found is not None, example
        assert (found[1], int(found[2])) in quotas, (example, quotas)
        checked += 1
    assert checked
