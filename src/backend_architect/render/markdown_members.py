"""design.md's statement of who may call an operation scoped by an entity with members (``design/membership.py``).

One row per operation, read from ``Architecture.membership_checks``: the same records the
contracts' descriptions and 404s, the security checklist and the databases' read loads read.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture


def membership_rules(arch: Architecture) -> list[str]:
    """The members-only rule of each operation scoped by an entity with members, with where its probe runs and its rate."""
    if not arch.membership_checks:
        return []
    lines = [
        "Members only (OWASP API1:2023, BOLA): an operation acting in a scope with members is answered only to its members "
        "(a use case with `access: public` opts out); the membership is probed once a request on its unique index, "
        "counted in the reads of the database holding it (the scaffold generates a probe of the service's own database; "
        "a call to the service holding the memberships, and a scope reached through a parent's column, are the implementer's, as stated here):",
        "",
        "| use case (or operation) | scope (named in) | membership probed | where | probes/s at peak | non-member gets | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in arch.membership_checks:
        where = {
            "local": f"{c.service}'s database",
            "query": f"{c.service}'s database (a synchronous call to {c.service})",
            "local copy": f"an event-fed local copy of {c.service}'s pairs",
        }[c.check]
        scope = f"{c.scope} ({c.column} in the {c.where}" + (f", through {' -> '.join(c.via)})" if c.via else ")")
        lines.append(f"| {c.use_case or c.operation} | {scope} | {c.table} ({', '.join(c.index)}) | {where} | {c.peak:,.0f} | {c.status} | {c.reason} |")
    return [*lines, ""]
