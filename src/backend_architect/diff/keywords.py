"""The assertion keywords of one schema, old against new: each yields how the accepted values moved.

One function per family of keywords (types, enumerations, bounds, patterns, formats,
content, dependencies). Each says only *how* the values moved (``Shift``); the direction
of the schema decides what that does to a client (``Delta.impact``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from backend_architect.diff.deltas import Delta, Shift
from backend_architect.diff.model import Anchor, Impact
from backend_architect.diff.view import SchemaView, canonical
from backend_architect.ir.contract import Node

#: Format pairs where the second accepts every value of the first.
_WIDER_FORMATS = frozenset({("int32", "int64"), ("int32", "bigint"), ("int64", "bigint"), ("float", "double"), ("date", "date-time")})
#: Length and count bounds: (keyword, lower bound?).
_COUNT_BOUNDS = (
    ("minLength", True),
    ("maxLength", False),
    ("minItems", True),
    ("maxItems", False),
    ("minProperties", True),
    ("maxProperties", False),
    ("minContains", True),
    ("maxContains", False),
)
#: Regular expressions that accept any string: replacing a pattern by one of these removes it.
_ANY_STRING = frozenset({"", ".*", "^.*$", ".+", "^.+$", "^.*", ".*$", "[\\s\\S]*", "^[\\s\\S]*$"})

Check = Callable[[SchemaView, SchemaView, bool], Iterator[Delta]]


def anchors(old: SchemaView, new: SchemaView, keyword: str) -> tuple[Anchor, Anchor]:
    return _anchor(old.holder(keyword)), _anchor(new.holder(keyword))


def _anchor(node: Node) -> Anchor:
    return (node.file, node.pointer)


def covers(wide: str, narrow: str, loose: bool) -> bool:
    """Whether every value of type ``narrow`` is a value of type ``wide``.

    ``loose`` is for values written as text (query strings, headers, XML, ``text/plain``),
    where anything reads as a string.

    >>> covers("number", "integer", False), covers("integer", "number", False), covers("string", "integer", True)
    (True, False, True)
    """
    return wide == narrow or (wide == "number" and narrow == "integer") or (loose and wide == "string")


def type_shift(old: frozenset[str] | None, new: frozenset[str] | None, loose: bool) -> Shift:
    """How the accepted types moved; None is "any type".

    >>> type_shift(frozenset({"integer"}), frozenset({"number"}), False).name, type_shift(frozenset({"string"}), None, False).name
    ('WIDER', 'WIDER')
    """
    if old == new:
        return Shift.NONE
    if new is None:
        return Shift.WIDER
    if old is None:
        return Shift.NARROWER
    kept = all(any(covers(n, o, loose) for n in new) for o in old)
    gained = not all(any(covers(o, n, loose) for o in old) for n in new)
    if kept and not gained:
        return Shift.NONE if old == new else Shift.WIDER
    if kept:
        return Shift.WIDER
    return Shift.NARROWER if not gained else Shift.CHANGED


def types(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``type`` (and ``nullable``): null is reported apart, as nullability, so a message says what moved."""
    if old.types == new.types or _composed_without_type(old) or _composed_without_type(new):
        return  # unchanged, or the variants carry the types and the composition comparison judges them
    where = anchors(old, new, "type")
    before, after = old.types, new.types
    if before is not None and after is not None and ("null" in before) != ("null" in after) and before - {"null"} and after - {"null"}:
        # nullability reported on its own, so the message says what moved
        if "null" in after:
            yield Delta("", "became-nullable", "became nullable", Shift.WIDER, *where)
        else:
            yield Delta("", "became-not-nullable", "no longer accepts null", Shift.NARROWER, *where)
        before, after = before - {"null"}, after - {"null"}
    shift = type_shift(before, after, loose)
    if shift is Shift.NONE:
        return
    was = "|".join(sorted(before)) if before is not None else "any"
    now = "|".join(sorted(after)) if after is not None else "any"
    code = {Shift.WIDER: "type-widened", Shift.NARROWER: "type-narrowed"}.get(shift, "type-changed")
    yield Delta("", code, f"type {was} became {now}", shift, *where)


def _composed_without_type(view: SchemaView) -> bool:
    return bool(view.compositions) and view.types is None


def formats(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``format``: removing one widens, adding one narrows; int32 to int64 and float to double widen."""
    before, after = old.keywords.get("format"), new.keywords.get("format")
    if before == after or not isinstance(before or after, str):
        return
    where = anchors(old, new, "format")
    if after is None:
        yield Delta("", "format-removed", f"format {before} removed", Shift.WIDER, *where)
    elif before is None:
        yield Delta("", "format-added", f"format {after} added", Shift.NARROWER, *where)
    else:
        shift = Shift.WIDER if (before, after) in _WIDER_FORMATS else Shift.NARROWER if (after, before) in _WIDER_FORMATS else Shift.CHANGED
        yield Delta("", "format-changed", f"format {before} became {after}", shift, *where)


def enums(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``enum``: values removed narrow, values added widen (only possibly breaking for readers, who may have a fallback)."""
    if old.enum is None and new.enum is None:
        return
    where = anchors(old, new, "enum")
    if old.enum is None and new.enum is not None:
        yield Delta("", "became-enum", f"values restricted to {_show(new.enum)}", Shift.NARROWER, *where)
        return
    if old.enum is None or new.enum is None:
        if old.enum is not None:
            yield Delta("", "enum-removed", "values are no longer restricted to a list", Shift.WIDER, *where)
        return
    after = {canonical(v) for v in new.enum}
    before = {canonical(v) for v in old.enum}
    removed = [v for v in old.enum if canonical(v) not in after]
    added = [v for v in new.enum if canonical(v) not in before]
    if removed:
        yield Delta("", "enum-value-removed", f"enum values removed: {_show(removed)}", Shift.NARROWER, *where)
    if added:
        yield Delta("", "enum-value-added", f"enum values added: {_show(added)}", Shift.WIDER, *where, soft=True)


def extensible_enums(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``x-extensible-enum`` (Zalando): readers must accept unknown values, so only removals count, for senders."""
    before, after = old.keywords.get("x-extensible-enum"), new.keywords.get("x-extensible-enum")
    if not isinstance(before, list) or not isinstance(after, list):
        return
    kept = {canonical(v) for v in after}
    removed = [v for v in before if canonical(v) not in kept]
    where = anchors(old, new, "x-extensible-enum")
    if removed:
        yield Delta("", "extensible-enum-value-removed", f"x-extensible-enum values removed: {_show(removed)}", Shift.NARROWER, *where)
    known = {canonical(v) for v in before}
    added = [v for v in after if canonical(v) not in known]
    if added:
        yield Delta("", "extensible-enum-value-added", f"x-extensible-enum values added: {_show(added)}", Shift.NONE, *where)


def consts(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``const``: set narrows to one value, removed widens, changed swaps one value for another."""
    missing = object()
    before, after = old.keywords.get("const", missing), new.keywords.get("const", missing)
    if (before is missing and after is missing) or (before is not missing and after is not missing and canonical(before) == canonical(after)):
        return
    where = anchors(old, new, "const")
    if before is missing:
        yield Delta("", "const-added", f"value fixed to {after!r}", Shift.NARROWER, *where)
    elif after is missing:
        yield Delta("", "const-removed", f"value no longer fixed to {before!r}", Shift.WIDER, *where)
    else:
        yield Delta("", "const-changed", f"fixed value {before!r} became {after!r}", Shift.CHANGED, *where)


def numeric_bounds(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``minimum``/``exclusiveMinimum`` and ``maximum``/``exclusiveMaximum``, compared as effective bounds (3.0's booleans included)."""
    for name, before, after, lower in (("minimum", old.lower, new.lower, True), ("maximum", old.upper, new.upper, False)):
        if before == after:
            continue
        keyword = "exclusiveMinimum" if lower else "exclusiveMaximum"
        where = (_anchor(old.holder(keyword if before and before[1] else name)), _anchor(new.holder(keyword if after and after[1] else name)))
        yield _bound_delta(name, _show_bound(before, lower), _show_bound(after, lower), before, after, lower, where)


def count_bounds(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """Length, item, property and ``contains`` counts."""
    for keyword, lower in _COUNT_BOUNDS:
        before, after = old.keywords.get(keyword), new.keywords.get(keyword)
        if before == after:
            continue
        pair_before = (float(before), False) if before is not None else None
        pair_after = (float(after), False) if after is not None else None
        yield _bound_delta(keyword, str(before), str(after), pair_before, pair_after, lower, anchors(old, new, keyword))


def _bound_delta(
    keyword: str,
    shown_before: str,
    shown_after: str,
    before: tuple[float, bool] | None,
    after: tuple[float, bool] | None,
    lower: bool,
    where: tuple[Anchor, Anchor],
) -> Delta:
    code = _kebab(keyword)
    if before is None:
        # A bound documented where none was: the server may always have had it, so only possibly breaking.
        return Delta("", f"{code}-set", f"{keyword} set to {shown_after}", Shift.NARROWER, *where, soft=True)
    if after is None:
        return Delta("", f"{code}-removed", f"{keyword} {shown_before} removed", Shift.WIDER, *where)
    tighter = (after[0], after[1]) > (before[0], before[1]) if lower else (after[0], not after[1]) < (before[0], not before[1])
    verb = "increased" if after[0] > before[0] or (after[0] == before[0] and lower == after[1]) else "decreased"
    return Delta("", f"{code}-{verb}", f"{keyword} {shown_before} became {shown_after}", Shift.NARROWER if tighter else Shift.WIDER, *where)


def _show_bound(bound: tuple[float, bool] | None, lower: bool) -> str:
    if bound is None:
        return "none"
    number = int(bound[0]) if bound[0].is_integer() else bound[0]
    return f"{number} (exclusive)" if bound[1] else str(number)


def multiples(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``multipleOf``: a multiple of the old step narrows, a divisor of it widens."""
    before, after = old.keywords.get("multipleOf"), new.keywords.get("multipleOf")
    if before == after or not all(isinstance(v, int | float) or v is None for v in (before, after)):
        return
    where = anchors(old, new, "multipleOf")
    if before is None:
        yield Delta("", "multiple-of-set", f"multipleOf {after} set", Shift.NARROWER, *where)
    elif after is None:
        yield Delta("", "multiple-of-removed", f"multipleOf {before} removed", Shift.WIDER, *where)
    else:
        shift = Shift.NARROWER if _divides(before, after) else Shift.WIDER if _divides(after, before) else Shift.CHANGED
        yield Delta("", "multiple-of-changed", f"multipleOf {before} became {after}", shift, *where)


def _divides(step: float, value: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) < 1e-9


def unique_items(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    if old.flag("uniqueItems") != new.flag("uniqueItems"):
        now = new.flag("uniqueItems")
        shift = Shift.NARROWER if now else Shift.WIDER
        yield Delta(
            "",
            "unique-items-added" if now else "unique-items-removed",
            "items must be unique" if now else "items may repeat",
            shift,
            *anchors(old, new, "uniqueItems"),
        )


def patterns(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``pattern``: added narrows, removed (or replaced by one matching anything) widens, changed cannot be judged."""
    before = {p for p in old.patterns if p not in _ANY_STRING}
    after = {p for p in new.patterns if p not in _ANY_STRING}
    if before == after:
        return
    where = anchors(old, new, "pattern")
    # Readers rarely validate a string against its pattern: a pattern change only concerns senders.
    if not before or before < after:
        added = _first(after - before)
        yield Delta("", "pattern-added", f"pattern /{added}/ added", Shift.NARROWER, *where, impacts=(Impact.BREAKING, Impact.SAFE))
    elif not after or after < before:
        yield Delta("", "pattern-removed", f"pattern /{_first(before - after)}/ removed", Shift.WIDER, *where, impacts=(Impact.SAFE, Impact.SAFE))
    else:
        # whether one regular expression accepts more than another is not decidable in general
        message = f"pattern /{_first(before)}/ became /{_first(after)}/"
        yield Delta("", "pattern-changed", message, Shift.UNKNOWN, *where, impacts=(Impact.POSSIBLY_BREAKING, Impact.SAFE))


def contents(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``contentMediaType`` and ``contentEncoding``: the string holds something else."""
    for keyword in ("contentMediaType", "contentEncoding"):
        before, after = old.keywords.get(keyword), new.keywords.get(keyword)
        if before == after:
            continue
        code = _kebab(keyword)
        where = anchors(old, new, keyword)
        if before is None:
            yield Delta("", f"{code}-added", f"{keyword} {after} set", Shift.NARROWER, *where)
        elif after is None:
            yield Delta("", f"{code}-removed", f"{keyword} {before} removed", Shift.WIDER, *where)
        else:
            yield Delta("", f"{code}-changed", f"{keyword} {before} became {after}", Shift.CHANGED, *where)


def dependent_required(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``dependentRequired``: a property that now requires others narrows."""
    if not old.dependent_required and not new.dependent_required:
        return
    where = anchors(old, new, "dependentRequired")
    for key in sorted(old.dependent_required.keys() | new.dependent_required.keys()):
        before, after = old.dependent_required.get(key, set()), new.dependent_required.get(key, set())
        if after - before:
            yield Delta("", "dependent-required-added", f"'{key}' now requires {sorted(after - before)}", Shift.NARROWER, *where)
        if before - after:
            yield Delta("", "dependent-required-removed", f"'{key}' no longer requires {sorted(before - after)}", Shift.WIDER, *where)


def discriminators(old: SchemaView, new: SchemaView, loose: bool) -> Iterator[Delta]:
    """``discriminator``: it tells a reader which variant to decode; the variants themselves are compared apart."""
    before, after = old.keywords.get("discriminator"), new.keywords.get("discriminator")
    if not isinstance(before, dict) and not isinstance(after, dict):
        return
    where = anchors(old, new, "discriminator")
    before, after = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
    if before.get("propertyName") != after.get("propertyName"):
        # the property itself is compared with the variants; the discriminator only names it
        yield Delta("", "discriminator-changed", f"discriminator {before.get('propertyName')} became {after.get('propertyName')}", Shift.NONE, *where)
    old_map: dict[str, Any] = before["mapping"] if isinstance(before.get("mapping"), dict) else {}
    new_map: dict[str, Any] = after["mapping"] if isinstance(after.get("mapping"), dict) else {}
    removed = sorted(set(old_map) - set(new_map))
    if removed and new_map:
        yield Delta("", "discriminator-mapping-removed", f"discriminator values removed: {removed}", Shift.NONE, *where)
    added = sorted(set(new_map) - set(old_map))
    if added and old_map:
        yield Delta("", "discriminator-mapping-added", f"discriminator values added: {added}", Shift.NONE, *where)


#: Every keyword check, in report order.
CHECKS: tuple[Check, ...] = (
    types,
    formats,
    enums,
    extensible_enums,
    consts,
    numeric_bounds,
    count_bounds,
    multiples,
    unique_items,
    patterns,
    contents,
    dependent_required,
    discriminators,
)


def _first(values: set[str]) -> str:
    return sorted(values)[0]


def _show(values: list[Any]) -> str:
    return str(values[:8]) + (f" and {len(values) - 8} more" if len(values) > 8 else "")


def _kebab(name: str) -> str:
    """``maxLength`` as ``max-length``.

    >>> _kebab("exclusiveMinimum")
    'exclusive-minimum'
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
