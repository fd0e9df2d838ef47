"""Which rules run: ``select`` / ``extend-select`` / ``ignore`` by code, code prefix or name, and the rule tiers.

A selector is a rule's code (``SQL003``), a prefix of codes (``API0`` is API001 to API099,
``SQL1`` the migration rules, ``SQL`` all SQL rules), a rule's name
(``missing-foreign-key-index``) or ``ALL``. Without ``select`` the recommended tier runs;
``select`` replaces it, ``extend-select`` adds to it, ``ignore`` takes away — as in ruff.
Preview rules run only with ``preview``, which also adds them to the recommended ones.

>>> from backend_architect.rules.registry import RULES
>>> [r.code for r in select_rules(RULES, select=["SQL10"], ignore=["rename"])]
['SQL101', 'SQL102', 'SQL103', 'SQL104', 'SQL105', 'SQL107', 'SQL108', 'SQL109']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from backend_architect.errors import InputError, InputErrors, Location
from backend_architect.rules.model import Rule

ALL = "ALL"


def matches(selector: str, rule: Rule) -> bool:
    """Whether a selector names the rule (its code, a prefix of it, its name, or ALL).

    >>> from backend_architect.rules.registry import rule_by_code
    >>> rule = rule_by_code("API018")
    >>> [matches(s, rule) for s in ("API018", "api0", "API", "verb-in-path", "ALL", "SQL")]
    [True, True, True, True, True, False]
    """
    text = selector.strip()
    return text.upper() == ALL or rule.code.startswith(text.upper()) or rule.name == text


def select_rules(
    catalogue: Sequence[Rule],
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    preview: bool = False,
    origin: Location | None = None,
) -> tuple[Rule, ...]:
    """The rules to run, in catalogue order; an unknown selector is a located error (with a suggestion)."""
    where = origin or Location("--select")
    _check_known(catalogue, [*(select or ()), *extend_select, *ignore], where)
    default = ("recommended", "preview") if preview else ("recommended",)
    chosen = [r for r in catalogue if r.tier in default] if select is None else [r for r in catalogue if _any(select, r)]
    chosen += [r for r in catalogue if _any(extend_select, r) and r not in chosen]
    named = {s.strip() for s in (*(select or ()), *extend_select)}
    if not preview:
        asked = [r for r in chosen if r.tier == "preview" and (r.code in {n.upper() for n in named} or r.name in named)]
        if asked:
            raise InputError(
                where, f"{', '.join(r.code for r in asked)} {'is a preview rule' if len(asked) == 1 else 'are preview rules'}: add --preview to run it"
            )
    kept = {r.code for r in chosen if not _any(ignore, r) and (preview or r.tier != "preview")}
    return tuple(r for r in catalogue if r.code in kept)


def _any(selectors: Iterable[str], rule: Rule) -> bool:
    return any(matches(s, rule) for s in selectors)


def _check_known(catalogue: Sequence[Rule], selectors: list[str], where: Location) -> None:
    from backend_architect.spec.field_types import suggest

    unknown = [s for s in selectors if not any(matches(s, r) for r in catalogue)]
    if unknown:
        names = sorted({r.code for r in catalogue} | {r.name for r in catalogue})
        raise InputErrors([InputError(where, f"unknown rule selector '{s}'{suggest(s, names)}") for s in unknown])
