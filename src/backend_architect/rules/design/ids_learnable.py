"""An id a client sends is one the contract gives out: a filter or a body never takes an id no response returns."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.ir.id_inputs import unlearnable
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule


@rule(
    code="DES014",
    name="input-id-never-returned",
    severity=Severity.WARNING,
    title="A filter or request body takes an id no response gives out",
    fix="Return the entity somewhere (a read of it, or its ids embedded in a response that lists it), or take its unique name instead of its id (?tag=python).",
)
def input_id_never_returned(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Collects every id a client sends in a query parameter or a request body (a reference
    filtered on, a many-to-many relation filtered or set by id, a body's ``author_id``) and
    every id a response a client can call gives out (an entity's own ``id``, its reference
    columns, the schemas it holds); reports each id sent whose entity no response returns.
    Internal operations (only other services call them) give nothing to a client. Path
    parameters are left alone: a parent's id in a path is often known outside the contract
    (a device's host, an invite link), and the design record lists those.

    ## Why is this bad?
    ``GET /questions/by-tag?tag_id=`` over a contract in which no response holds a tag
    cannot be called: a client has no way to learn the id it must send. The record that
    says the id "never leaves the database" then contradicts the contract that takes it.

    ## Example
    GET /questions/by-tag?tag_id=42, and no operation returns a Tag

    Use instead:
    GET /questions/by-tag?tag=python (the unique name, as the create sets it), or a
    response that returns the tags (id and name) a question carries

    ## References
    Richardson & Ruby, "RESTful Web Services" (connectedness: a client follows what
    responses give it); OWASP API Security Top 10, API1:2023 (ids exposed are ids guessed).
    """
    for found in unlearnable(arch):
        if found.where.startswith("path "):
            continue
        yield self.finding(f"operation {found.operation}", f"{found.said}, but no response a client can call returns a {found.entity} id")
