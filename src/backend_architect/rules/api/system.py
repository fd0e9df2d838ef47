"""Whole-system review: the documents of several services checked against each other."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlparse

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.nouns import singular
from backend_architect.rules.api import PAGINATION_PARAMETERS, is_parameter, is_version, located, object_view, segments
from backend_architect.rules.api.errors import PROBLEM_JSON
from backend_architect.rules.api.methods import is_create
from backend_architect.rules.api.paths import static_segments
from backend_architect.rules.api.schemas import casing
from backend_architect.rules.api.versioning import base_versions, path_version
from backend_architect.rules.model import Finding, Rule, Severity, rule

_SIZE = frozenset({"limit", "per_page", "page_size", "pagesize", "top", "max_results", "maxresults"})
_CURSOR = frozenset({"cursor", "starting_after", "ending_before", "page_token", "pagetoken", "after", "before", "next", "page[cursor]", "page[after]"})


def system_of(contract: ApiContract) -> str:
    """The organisation a document's servers belong to (the last two labels of their public hosts), or "" when they name none.

    Documents of unrelated organisations reviewed together (a folder of vendors' descriptions)
    are not one system: their conventions and resources are not compared.
    """
    servers = contract.document.get("servers")
    hosts = {urlparse(str(s.get("url", ""))).hostname or "" for s in servers if isinstance(s, dict)} if isinstance(servers, list) else set()
    if contract.version == "2.0":
        hosts.add(str(contract.document.get("host", "")).split(":")[0])
    domains = {".".join(h.split(".")[-2:]) for h in hosts if h.count(".") >= 1 and not h.replace(".", "").isdigit() and not h.endswith((".local", ".internal"))}
    return min(domains) if len(domains) == 1 else ""


def systems(arch: Architecture) -> list[list[ApiContract]]:
    """The contracts grouped by the system they belong to (``system_of``), in order."""
    grouped: dict[str, list[ApiContract]] = {}
    for contract in arch.contracts:
        grouped.setdefault(system_of(contract), []).append(contract)
    return list(grouped.values())


def resource_of(path: str) -> str:
    """The collection a path names, its parameters unnamed and versions dropped, each segment singular.

    >>> resource_of("/v1/accounts/{account_id}/users"), resource_of("/v2/users")
    ('account/{}/user', 'user')
    """
    parts = ["{}" if is_parameter(s) else singular(s.lower()) for s in segments(path) if not is_version(s)]
    return "/".join(parts)


def conventions(contract: ApiContract) -> dict[str, str]:
    """The conventions one document follows, each as a short label (absent when it shows none)."""
    found: dict[str, str] = {}
    error_media = {b.media_type.split(";")[0].lower() for op in contract.operations for r in op.responses if r.is_error for b in r.bodies}
    if error_media:
        found["error format"] = PROBLEM_JSON if PROBLEM_JSON in error_media else ", ".join(sorted(error_media))
    paging = {p.name.lower() for op in contract.operations for p in op.parameters if p.location == "query" and p.name.lower() in PAGINATION_PARAMETERS}
    # a page size alone (a bounded list, the k nearest) follows no paging style
    if paging - _SIZE:
        found["pagination"] = "cursor" if paging & _CURSOR else "page/offset"
    styles = Counter(style for schema in contract.schemas() for name in object_view(contract, schema).properties if (style := casing(name)))
    if styles:
        found["property casing"] = max(sorted(styles), key=lambda s: styles[s])
    if base_versions(contract):
        found["versioning"] = "base URL"
    elif contract.operations and all(path_version(op.path) for op in contract.operations):
        found["versioning"] = "path prefix"
    elif contract.operations:
        found["versioning"] = "none"
    return found


@rule(
    code="API050",
    name="inconsistent-conventions",
    severity=Severity.WARNING,
    title="Services follow different API conventions",
    fix="Agree on one convention per concern (errors, pagination, casing, versioning) and apply it in every service.",
)
def inconsistent_conventions(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Given several services' documents of one system (servers of one organisation), compares their error format, pagination style,
    property casing and versioning, and reports each document that departs from what most
    of them do.

    ## Why is this bad?
    Clients of the system write one error handler, one pager and one naming policy per
    service; a UI calling four services pays four times, and mistakes hide in the seams.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          parameters: [{name: cursor, in: query, schema: {type: string}}]
          responses: {'200': {description: The pets.}}
    ---
    openapi: 3.1.0
    info: {title: Owners, version: 1.0.0}
    paths:
      /v1/owners:
        get:
          parameters: [{name: cursor, in: query, schema: {type: string}}]
          responses: {'200': {description: The owners.}}
    ---
    openapi: 3.1.0
    info: {title: Toys, version: 1.0.0}
    paths:
      /v1/toys:
        get:
          parameters: [{name: page, in: query, schema: {type: integer}}]
          responses: {'200': {description: The toys.}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          parameters: [{name: cursor, in: query, schema: {type: string}}]
          responses: {'200': {description: The pets.}}
    ---
    openapi: 3.1.0
    info: {title: Toys, version: 1.0.0}
    paths:
      /v1/toys:
        get:
          parameters: [{name: cursor, in: query, schema: {type: string}}]
          responses: {'200': {description: The toys.}}
    """
    for group in systems(arch):
        if len(group) < 2:
            continue
        seen = {c.name: conventions(c) for c in group}
        for concern in sorted({k for found in seen.values() for k in found}):
            labels = Counter(found[concern] for found in seen.values() if concern in found)
            if len(labels) < 2:
                continue
            usual = max(sorted(labels), key=lambda label: labels[label])
            for contract in group:
                label = seen[contract.name].get(concern)
                if label is not None and label != usual:
                    root = Node(contract.document, contract.root.name, ())
                    yield located(self, root, contract.name, f"{concern} is {label}; {labels[usual]} other service(s) use {usual}")


@rule(
    code="API051",
    name="resource-owned-twice",
    severity=Severity.WARNING,
    title="Two services create the same resource",
    fix="Give each resource one owning service; others read it through that service's API or its events.",
)
def resource_owned_twice(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Given several services' documents of one system, finds collections that more than one
    service creates with POST: the same path (versions dropped, parameters unnamed, nouns
    singular), not merely the same last word (`/accounts/{id}/users` and `/users` are two
    collections). Documents whose servers belong to different organisations are not compared.

    ## Why is this bad?
    Two services writing the same resource means two sources of truth: their copies drift,
    and every invariant needs a distributed transaction to hold.

    ## Example
    openapi: 3.1.0
    info: {title: Orders, version: 1.0.0}
    paths:
      /v1/customers:
        post: {responses: {'201': {description: Created.}}}
    ---
    openapi: 3.1.0
    info: {title: Customers, version: 1.0.0}
    paths:
      /v1/customers:
        post: {responses: {'201': {description: Created.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Orders, version: 1.0.0}
    paths:
      /v1/orders:
        post: {responses: {'201': {description: Created.}}}
    ---
    openapi: 3.1.0
    info: {title: Customers, version: 1.0.0}
    paths:
      /v1/customers:
        post: {responses: {'201': {description: Created.}}}
    """
    owners: dict[tuple[str, str], list[tuple[ApiContract, Node]]] = {}
    for contract in arch.contracts:
        system = system_of(contract)
        for operation in contract.operations:
            if is_create(operation) and static_segments(operation.path):
                owners.setdefault((system, resource_of(operation.path)), []).append((contract, operation.node))
    for (_, resource), creators in sorted(owners.items(), key=lambda item: item[0]):
        services = sorted({c.name for c, _ in creators})
        if len(services) < 2:
            continue
        for contract, node in creators:
            others = ", ".join(s for s in services if s != contract.name)
            yield located(self, node, contract.name, f"'{resource}' is also created by {others}")
