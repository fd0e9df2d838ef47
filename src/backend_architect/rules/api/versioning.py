"""Versioning: present, and the same everywhere in a document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlparse

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import is_version, located, segments
from backend_architect.rules.model import Finding, Rule, Severity, rule


def base_versions(contract: ApiContract) -> set[str]:
    """Version segments of the base URL: ``servers[].url`` (3.x, variables at their defaults; host labels such as ``v2.api`` too) or ``basePath`` (2.0)."""
    bases: list[str] = []
    if contract.version == "2.0":
        bases.append(str(contract.document.get("basePath", "")))
    servers = contract.document.get("servers")
    if isinstance(servers, list):
        bases += [_server_url(s) for s in servers if isinstance(s, dict)]
    return {part for base in bases for segment in segments(urlparse(base).path) + urlparse(base).netloc.split(".") for part in (segment,) if is_version(part)}


def _server_url(server: dict[str, object]) -> str:
    """A server's URL with its variables at their defaults (``https://{region}.example.com/{version}``).

    >>> _server_url({"url": "https://api.example.com/{version}", "variables": {"version": {"default": "v2"}}})
    'https://api.example.com/v2'
    """
    url = str(server.get("url", ""))
    variables = server.get("variables")
    if isinstance(variables, dict):
        for name, variable in variables.items():
            if isinstance(variable, dict) and "default" in variable:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return url


def path_version(path: str) -> str | None:
    """The version segment a path starts with, if any.

    >>> path_version("/v2/pets"), path_version("/pets")
    ('v2', None)
    """
    first = segments(path)[:1]
    return first[0] if first and is_version(first[0]) else None


@rule(
    code="API010",
    name="missing-version",
    severity=Severity.WARNING,
    title="API has no version in its URL",
    fix="Put the major version in the base URL (servers: [{url: https://api.example.com/v1}]) or first in every path.",
)
def missing_version(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds documents whose operations have no major version in their URL: neither in the
    server URL (or Swagger's `basePath`) nor as the first path segment.

    ## Why is this bad?
    The first breaking change then has nowhere to go: it breaks every client at once, or the
    team ships a v2 alongside unversioned paths and supports two conventions for years.
    Zalando's guideline prefers media-type versioning; URL versioning is this tool's house
    convention because gateways, caches and logs see it.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    servers: [{url: 'https://api.example.com'}]
    paths:
      /pets:
        get: {responses: {'200': {description: The pets.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    servers: [{url: 'https://api.example.com/v1'}]
    paths:
      /pets:
        get: {responses: {'200': {description: The pets.}}}

    ## References
    Zalando RESTful API Guidelines 113-115 (compatibility and versioning).
    """
    for contract in arch.contracts:
        if base_versions(contract) or not contract.operations:
            continue
        unversioned = [op for op in contract.operations if path_version(op.path) is None]
        if len(unversioned) == len(contract.operations):
            where = contract.top("servers") or contract.top("paths") or Node(contract.document, contract.root.name, ())
            yield located(self, where, "/servers", f"no version in the server URL nor in any of the {len(unversioned)} operations' paths")


@rule(
    code="API011",
    name="inconsistent-versioning",
    severity=Severity.WARNING,
    title="Paths carry different versions, or some carry none",
    fix="Version the whole API at one place (the base URL), with one major version per document.",
)
def inconsistent_versioning(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds documents whose paths mix versions (`/v1/pets` next to `/v2/owners`), or version
    some paths but not others.

    ## Why is this bad?
    Clients cannot tell which version of the API they are on; a mixed document usually means
    an old version lives on, undocumented as such, and nobody knows when it may be removed.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}
      /owners:
        get: {responses: {'200': {description: The owners.}}}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get: {responses: {'200': {description: The pets.}}}
      /v1/owners:
        get: {responses: {'200': {description: The owners.}}}
    """
    for contract in arch.contracts:
        if base_versions(contract):
            continue
        versions = Counter(path_version(op.path) for op in contract.operations)
        if len(versions) < 2 or versions.get(None, 0) == len(contract.operations):
            continue
        usual = max(versions, key=lambda v: (versions[v], v or ""))
        reported: set[str] = set()
        for operation in contract.operations:
            version = path_version(operation.path)
            if version != usual and operation.path not in reported:
                reported.add(operation.path)
                paths = contract.top("paths")
                node = paths.child(operation.path) if paths is not None else None
                what = f"version '{version}'" if version else "no version"
                yield located(self, node or operation.node, operation.path, f"path has {what}; most paths use '{usual or 'none'}'")
