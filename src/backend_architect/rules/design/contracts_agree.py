"""Request bodies take what the client owns: never a server-owned field, never a stored hash."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

_HASH = re.compile(r"(_hash|_digest|_hashed)$|^hashed_")


@rule(
    code="DES003",
    name="server-owned-field-in-request",
    severity=Severity.ERROR,
    title="A request body takes a field the server owns",
    fix="Mark the field readOnly and leave it out of request schemas; take a password (write-only) where the server stores its hash.",
)
def server_owned_field_in_request(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds request schemas (the bodies of creates, updates and actions) with a read-only
    property (ids, timestamps, generated codes, computed totals) or a stored hash
    (``password_hash``).

    ## Why is this bad?
    A client that sends ``status`` and ``total`` on a create can set its own order total; a
    client that sends ``password_hash`` chooses the hash the server will trust.

    ## Example
    POST /customers with a body {email, password_hash}

    Use instead:
    POST /customers with a body {email, password (writeOnly, minLength 8)}; the server hashes it

    ## References
    OWASP API Security Top 10, API3:2023 (broken object property level authorization).
    """
    for api in arch.apis:
        schemas = {s.name: s for s in api.schemas}
        requests = {op.request_schema for op in api.operations if op.request_schema}
        for name in sorted(n for n in requests if n in schemas):
            for prop in schemas[name].properties:
                if prop.read_only or _HASH.search(prop.name):
                    reason = "read-only (the server sets it)" if prop.read_only else "a stored hash"
                    yield self.finding(f"schema {api.service}.{name}", f"request body {name} takes '{prop.name}', {reason}")
