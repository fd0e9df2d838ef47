"""The generated use-case tests: one per operation, in the order a user performs them, each calling the check of its mechanism."""

from __future__ import annotations

import textwrap

from backend_architect.scaffold.naming import doc, literal
from backend_architect.scaffold.plan import ModulePlan
from backend_architect.scaffold.plan_api import OpPlan
from backend_architect.scaffold.plan_reads import NearPlan, WalkPlan

#: mechanism -> (check, what it proves), for the docstring of the test.
CHECKS: dict[str, tuple[str, str]] = {
    "crud.create": ("checks.create", "creates it (201, Location), replays a retry with the same Idempotency-Key, refuses the key for another body"),
    "crud.read": ("checks.read", "reads it (200), and 404 for unknown ids"),
    "crud.list_page": ("checks.listing", "lists every visible row once across cursor pages, in the designed order, through the designed index"),
    "crud.change": ("checks.change", "changes it (If-Match where the row is versioned), 412 when stale"),
    "crud.remove": ("checks.remove", "deletes it (204), after which it cannot be read"),
    "links.relate": ("mechanisms.relate", "makes the link once (204), 404 for an unknown source"),
    "links.unrelate": ("mechanisms.unrelate", "unmakes the link (204), and a missing one is not an error"),
    "accounts.login": ("mechanisms.login", "opens a session for the right password (201), 400 for a wrong one"),
    "accounts.logout": ("mechanisms.logout", "revokes the token's session (204)"),
    "accounts.change_password": ("mechanisms.change_password", "changes the stored hash with the current password (204), 400 without it"),
    "graph.path": ("mechanisms.path", "finds the shortest path within the depth, null degrees when none"),
    "series.read": ("mechanisms.series", "answers the aggregate per bucket over the range, oldest first"),
    "ranking.read": ("mechanisms.ranking", "answers the top values by score, highest first"),
    "objects.create_upload": ("mechanisms.upload", "answers an upload URL that stores the file, and refuses a tampered one"),
    "objects.download_url": ("mechanisms.download", "answers a signed URL that fetches the row's file, 404 before it is uploaded, refuses a tampered URL"),
    "objects.playback": ("mechanisms.playback", "answers 409 while processing, then signed manifest and rendition URLs by codec and resolution"),
    "crud.redirect": ("mechanisms.redirect", "answers 302 to the link's target (cacheable), and 404 for an unknown code"),
    "unavailable": ("mechanisms.unavailable", "answers 501 (problem+json): the scaffold could not generate it"),
}
_ORDER = {"create": 0, "get": 1, "list": 2, "update": 3, "replace": 3, "action": 4, "delete": 5, "job": 6}


def check_of(op: OpPlan) -> tuple[str, str]:
    """The check proving an operation's behaviour, by its mechanism (and, for lists, the walk or proximity it carries)."""
    if op.gap is not None:
        return CHECKS["unavailable"]
    if op.todo is not None:
        return "mechanisms.pending", f"answers 501 until {op.todo}, then creates it"
    if isinstance(op.detail, NearPlan):
        return "mechanisms.nearby", "lists the rows nearest first, within the radius or the k nearest"
    if isinstance(op.detail, WalkPlan) and op.mechanism == "crud.list_page":
        return "mechanisms.network", "lists the rows within the depth of the caller, never farther"
    return CHECKS[op.mechanism]


def use_case_tests(module: ModulePlan) -> str:
    """One test per operation, in the order a user would perform them: create, read, list, change, act, delete."""
    ops = sorted(module.operations, key=lambda o: _ORDER[o.op.kind])
    lines = [
        f'"""Use cases of the {doc(module.name)} module, in the order a user performs them, against the running service and a real PostgreSQL."""',
        "",
        "from __future__ import annotations",
        "",
        "import checks",
        "import mechanisms",
        "from support import Scenario",
    ]
    for op in ops:
        ir = op.op
        what = doc(f"use case '{ir.use_cases[0]}'" if ir.use_cases else f"'{ir.summary}'")
        check, behaviour = check_of(op)
        lines += [
            "",
            "",
            f"def test_{op.func}_ok(scenario: Scenario) -> None:",
            '    """' + textwrap.fill(f"{ir.method.upper()} {doc(ir.path)}, {what}: {behaviour}.", width=150, subsequent_indent="    ") + '"""',
            f"    {check}(scenario, {literal(ir.operation_id)})",
        ]
        if ir.auth == "required":
            refused = f", and without {' '.join(ir.scopes)} 403" if ir.scopes else ""
            lines += [
                "",
                "",
                f"def test_{op.func}_without_credentials_err(scenario: Scenario) -> None:",
                '    """' + textwrap.fill(f"{ir.method.upper()} {doc(ir.path)} without a token is 401{refused}.", width=150, subsequent_indent="    ") + '"""',
                f"    checks.guarded(scenario, {literal(ir.operation_id)})",
            ]
        if ir.signed_by:
            lines += [
                "",
                "",
                f"def test_{op.func}_without_signature_err(scenario: Scenario) -> None:",
                '    """'
                + textwrap.fill(
                    f"{ir.method.upper()} {doc(ir.path)} is called by {doc(ir.signed_by)}: unsigned, signed with another secret or replayed, it is 401.",
                    width=150,
                    subsequent_indent="    ",
                )
                + '"""',
                f"    checks.unsigned(scenario, {literal(ir.operation_id)})",
            ]
    # a module whose every operation other modules call in process has no route to test (ir.part_calls)
    for imported, used in (("import mechanisms", "mechanisms."), ("import checks", "checks."), ("from support import Scenario", "Scenario)")):
        if not any(used in line for line in lines if line != imported):
            lines.remove(imported)
    return "\n".join(lines) + "\n"
