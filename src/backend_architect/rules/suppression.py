"""Suppressions that silence nothing: a ``-- backend-architect-ignore`` comment or an ``x-backend-architect-ignore`` node.

A suppression outlives the finding it was written for: the schema is fixed, the rule is
refined, the statement moves. Left behind, it silences the next real problem at that place
without anyone deciding to. The review knows which suppressions silenced something, so it
reports the others, for the rules that ran (a suppression naming a rule that did not run
cannot be judged).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from backend_architect.errors import Location
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity, rule

Pointer = tuple[str | int, ...]


@rule(
    code="SUP001",
    name="unused-suppression",
    severity=Severity.WARNING,
    title="Suppression that silences nothing",
    fix="Remove the suppression, or the rules it names that no longer report anything here.",
)
def unused_suppression(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reports inline suppressions — `-- backend-architect-ignore: SQL003` comments in SQL files,
    `x-backend-architect-ignore` keys in API documents — that silenced no finding of the rules
    that ran. Its findings come from the review itself (``rules.registry.review``), which is
    the one place that knows what each suppression silenced, as ruff's unused-noqa check does.

    ## Why is this bad?
    A stale suppression silences the next real problem at that place, unseen: the reason it
    was written for is gone, and nobody decided to accept the new finding.

    ## Example
    CREATE TABLE tags (id bigint PRIMARY KEY, name text);  -- backend-architect-ignore: SQL001

    Use instead:
    CREATE TABLE tags (id bigint PRIMARY KEY, name text);

    ## References
    ruff's RUF100 (unused-noqa).
    """
    return iter(())


def unused_inline(arch: Architecture, used: set[tuple[str, int]], ran: tuple[Rule, ...]) -> list[Finding]:
    """SQL suppression comments that silenced nothing, among those naming rules that ran (or all rules)."""
    names = {r.code for r in ran} | {r.name for r in ran}
    found = []
    for suppression in arch.suppressions:
        if (suppression.file, suppression.line) in used or (suppression.rules and not set(suppression.rules) & names):
            continue
        what = ", ".join(suppression.rules) or "every rule"
        message = f"suppression of {what} silences nothing on this statement"
        found.append(unused_suppression.finding(f"{suppression.file}:{suppression.line}", message, Location(suppression.file, suppression.line, 1)))
    return found


def unused_in_documents(arch: Architecture, used: set[tuple[str, Pointer]], ran: tuple[Rule, ...], extension: str) -> list[Finding]:
    """``x-backend-architect-ignore`` nodes that silenced nothing, among those naming rules that ran."""
    names = {r.code for r in ran} | {r.name for r in ran}
    found = []
    for contract in arch.contracts:
        for name, source in contract.files.items():
            for pointer, value in _marked(source.tree, extension):
                named = [value] if isinstance(value, str) else value if isinstance(value, list) else []
                if (name, pointer) in used or (named and not {str(n) for n in named} & names):
                    continue
                what = ", ".join(str(n) for n in named) or "every rule"
                where = "/" + "/".join(str(p) for p in pointer)
                found.append(unused_suppression.finding(where, f"{extension} ({what}) silences nothing here", anchor=(name, (*pointer, extension))))
    return found


def _marked(tree: Any, extension: str) -> Iterator[tuple[Pointer, Any]]:
    """Every mapping of ``tree`` holding ``extension``, with its pointer."""
    stack: list[tuple[Any, Pointer]] = [(tree, ())]
    seen: set[int] = set()
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, dict):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if extension in value:
                yield pointer, value[extension]
            stack.extend((child, (*pointer, key)) for key, child in value.items() if isinstance(child, dict | list))
        elif isinstance(value, list):
            stack.extend((child, (*pointer, i)) for i, child in enumerate(value) if isinstance(child, dict | list))
