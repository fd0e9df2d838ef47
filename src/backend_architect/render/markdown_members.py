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


def member_write_rules(arch: Architecture) -> list[str]:
    """Who may add a member to a scope, the role the write stores and the size it keeps (``design/member_writes.py``)."""
    if not arch.member_writes:
        return []
    lines = [
        "Member writes: a write adding a member joins the caller, or adds another only for a member whose role may add others; "
        "the role is the server's, and a stated size holds on every write that adds one (the scaffold makes these checks in "
        "a link's PUT, in its transaction; a membership created by a POST leaves them to the implementer, as stated here):",
        "",
        "| use case | scope | adds (member column) | may add others | role stored | at most | why |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for w in arch.member_writes:
        others = ", ".join(w.admin_roles) or "nobody (only oneself)"
        role = f"{w.role} = '{w.role_default}'" if w.role else "-"
        most = f"{w.max_members:,} (409 past it)" if w.max_members else "-"
        lines.append(f"| {w.use_case} | {w.scope} | {w.table}.{w.member_column} | {others} | {role} | {most} | {w.reason} |")
    return [*lines, ""]
