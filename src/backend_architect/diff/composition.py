"""``oneOf``, ``anyOf`` and ``allOf``, compared by what they accept rather than by how they are written.

Variants are matched across versions by the component they reference, their title or
their type, and then compared one to one. A variant that disappears narrows what is
accepted, unless another variant still accepts its values; a new one widens, unless an
old variant already accepted them.

A schema wrapped in a ``oneOf``/``anyOf`` (or unwrapped from one) is judged by the
question each side of the wire asks. A sender's old values must still be accepted: some
new variant must accept all of them — and, for ``oneOf``, only one, or values that match
two variants are refused. A reader must understand every new value: every new variant
must stay within what it read before. A type replaced by a ``oneOf`` of types, a body
wrapped in ``oneOf`` and a schema made nullable by a ``{type: 'null'}`` variant are all
this one case.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backend_architect.diff.deltas import Delta, Direction, Shift
from backend_architect.diff.view import SchemaView, identity, view
from backend_architect.ir.contract import ApiContract, Node

if TYPE_CHECKING:
    from backend_architect.diff.schemas import SchemaDiffer

Variant = tuple[str, SchemaView]


def compositions(differ: SchemaDiffer, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
    """Both versions composed: each list of variants against its counterpart."""
    old_lists, new_lists = list(before.compositions), list(after.compositions)
    pairs: list[tuple[tuple[str, Node], tuple[str, Node]]] = []
    for keyword in ("oneOf", "anyOf"):
        while any(k == keyword for k, _ in old_lists) and any(k == keyword for k, _ in new_lists):
            old_index = next(i for i, (k, _) in enumerate(old_lists) if k == keyword)
            new_index = next(i for i, (k, _) in enumerate(new_lists) if k == keyword)
            pairs.append((old_lists.pop(old_index), new_lists.pop(new_index)))
    while old_lists and new_lists:
        pairs.append((old_lists.pop(0), new_lists.pop(0)))
    for (old_keyword, old_holder), (new_keyword, new_holder) in pairs:
        where = ((old_holder.file, old_holder.pointer), (new_holder.file, new_holder.pointer))
        if old_keyword != new_keyword:
            wider = old_keyword == "oneOf"
            message = f"{old_keyword} became {new_keyword}" + (
                " (values matching several variants are now accepted)" if wider else " (values matching several variants are now refused)"
            )
            yield Delta("", f"{_kebab(old_keyword)}-became-{_kebab(new_keyword)}", message, Shift.WIDER if wider else Shift.NARROWER, *where)
        yield from _variants(differ, old_keyword, new_keyword, old_holder, new_holder, direction, loose, depth)
    for keyword, holder in old_lists:
        yield Delta("", f"{_kebab(keyword)}-removed", f"{keyword} removed", Shift.WIDER, (holder.file, holder.pointer), None)
    for keyword, holder in new_lists:
        yield Delta("", f"{_kebab(keyword)}-added", f"{keyword} added", Shift.NARROWER, None, (holder.file, holder.pointer))


def _variants(
    differ: SchemaDiffer, old_keyword: str, new_keyword: str, old_holder: Node, new_holder: Node, direction: Direction, loose: bool, depth: int
) -> Iterator[Delta]:
    before, after = _list(differ.old, old_holder), _list(differ.new, new_holder)
    new_by_name = dict(after)
    matched = [(name, schema, new_by_name[name]) for name, schema in before if name in new_by_name]
    lost = [(n, s) for n, s in before if n not in new_by_name]
    gained = [(n, s) for n, s in after if n not in dict(before)]
    # an inline variant with the same content as a new one (or the reverse) is the same variant, moved
    for name, schema in list(lost):
        if _named(old_holder, before, name):
            continue
        twin = next(((n, s) for n, s in gained if not differ.compare_views(schema, s, direction, loose, depth)), None)
        if twin is not None:
            lost.remove((name, schema))
            gained.remove(twin)
    for name, old_schema, new_schema in matched:
        yield from (d.under(f"<{new_keyword} {name}>") for d in differ.compare_views(old_schema, new_schema, direction, loose, depth))
    # A variant that references a component is a type in generated SDKs: removing or adding it counts even when
    # another variant happens to accept the same values. Inline variants count by what they accept.
    for name, schema in lost:
        covered = not _named(old_holder, before, name) and any(not _narrows(differ.compare_views(schema, s, direction, loose, depth)) for _, s in after)
        shift = Shift.NONE if covered else Shift.NARROWER
        note = " (another variant accepts its values)" if covered else ""
        yield Delta(
            "",
            f"{_kebab(old_keyword)}-variant-removed",
            f"{old_keyword} variant {name} removed{note}",
            shift,
            _anchor(schema),
            (new_holder.file, new_holder.pointer),
        )
    for name, schema in gained:
        covered = not _named(new_holder, after, name) and any(not _widens(differ.compare_views(s, schema, direction, loose, depth)) for _, s in before)
        shift = Shift.NONE if covered else Shift.WIDER
        code, message = (
            ("became-nullable", f"a null variant was added to {new_keyword}")
            if _null_only(schema)
            else (f"{_kebab(new_keyword)}-variant-added", f"{new_keyword} variant {name} added")
        )
        # a reader's exhaustive handling of oneOf variants breaks on a new one; anyOf is read loosely
        yield Delta("", code, message, shift, (old_holder.file, old_holder.pointer), _anchor(schema), soft=new_keyword == "anyOf")


def reshaped(differ: SchemaDiffer, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
    """One version composed, the other not: the plain schema against each variant (with the composed schema's own keywords)."""
    wrapping = bool(after.compositions)
    composed = after if wrapping else before
    contract = differ.new if wrapping else differ.old
    keyword, holder = composed.compositions[0]
    variants = _list(contract, holder, base=composed)
    plain = before if wrapping else after
    where = ((_anchor(before.anchor)), _anchor(after.anchor))
    names = ", ".join(name for name, _ in variants)
    if wrapping:
        results = [(name, schema, differ.compare_views(plain, schema, direction, loose, depth)) for name, schema in variants]
        yield Delta(
            "",
            f"wrapped-in-{_kebab(keyword)}",
            f"became an {keyword} of {names}" if keyword == "anyOf" else f"became a {keyword} of {names}",
            Shift.NONE,
            *where,
        )
    else:
        results = [(name, schema, differ.compare_views(schema, plain, direction, loose, depth)) for name, schema in variants]
        yield Delta(
            "",
            f"unwrapped-from-{_kebab(keyword)}",
            f"was an {keyword} of {names}, now one schema" if keyword == "anyOf" else f"was a {keyword} of {names}, now one schema",
            Shift.NONE,
            *where,
        )
    # Senders: every old value must stay valid. Readers: every new value must be one they knew.
    sender = direction == "request"
    if wrapping == sender:
        # one variant must take every value of the plain schema
        fits = [(name, deltas) for name, _, deltas in results if not (_narrows(deltas) if sender else _widens(deltas))]
        if fits and keyword == "oneOf" and sender and len(fits) > 1:
            shown = ", ".join(name for name, _ in fits)
            yield Delta(
                "", "one-of-ambiguous", f"values valid before match {len(fits)} variants of the new oneOf ({shown}) and are refused", Shift.NARROWER, *where
            )
        if fits:
            # the other variants are what the composition adds (when wrapping) or what it dropped (when unwrapping)
            for name, schema, _ in results:
                if name in dict(fits):
                    continue
                if _null_only(schema):
                    code, message = ("became-nullable", "null is now possible") if wrapping else ("became-not-nullable", "null is no longer possible")
                else:
                    code, message = (
                        (f"{_kebab(keyword)}-variant-added", f"{keyword} variant {name} added")
                        if wrapping
                        else (
                            f"{_kebab(keyword)}-variant-removed",
                            f"{keyword} variant {name} removed",
                        )
                    )
                yield Delta("", code, message, Shift.WIDER if wrapping else Shift.NARROWER, *where)
            return
        name, _, deltas = min(results, key=lambda r: sum(1 for d in r[2] if (d.narrows() if sender else d.widens())))
        yield from (d.under(f"<{keyword} {name}>") for d in deltas if (d.narrows() if sender else d.widens()))
        return
    # every variant must stay within the plain schema (senders of an unwrapped schema, readers of a wrapped one)
    for name, schema, deltas in results:
        bad = [d for d in deltas if (d.narrows() if sender else d.widens())]
        if _null_only(schema) and bad:
            yield Delta(
                "",
                "became-nullable" if wrapping else "became-not-nullable",
                "null is now possible" if wrapping else "null is no longer accepted",
                Shift.WIDER if wrapping else Shift.NARROWER,
                *where,
            )
            continue
        yield from (d.under(f"<{keyword} {name}>") for d in bad)


def parts(differ: SchemaDiffer, before: SchemaView, after: SchemaView) -> Iterator[Delta]:
    """``allOf`` parts added to or removed from an existing ``allOf`` (the merged view judges their content)."""
    from backend_architect.diff.schemas import annotation_only

    if not before.parts or not after.parts:
        return  # a schema split into parts, or parts merged back, changes nothing by itself
    for name in after.parts.keys() - before.parts.keys():
        part = view(differ.new, after.parts[name])
        if part is None:
            continue
        shift = Shift.NONE if annotation_only(part) else Shift.NARROWER
        yield Delta("", "all-of-part-added", f"allOf part {name} added", shift, _anchor(before.anchor), _anchor(part.anchor))
    for name in before.parts.keys() - after.parts.keys():
        part = view(differ.old, before.parts[name])
        if part is not None:
            yield Delta("", "all-of-part-removed", f"allOf part {name} removed", Shift.NONE, _anchor(part.anchor), _anchor(after.anchor))


def _list(contract: ApiContract, holder: Node, base: SchemaView | None = None) -> list[Variant]:
    """The variants of a oneOf/anyOf list by identity; with ``base``, each joined with the composed schema's own keywords."""
    found: list[Variant] = []
    own = [n for n in base.nodes if not (isinstance(n.value, dict) and set(n.value) <= {"oneOf", "anyOf", "discriminator"} | _ANNOTATIONS)] if base else []
    for i in range(len(holder.value)):
        child = holder.child(i)
        schema = view(contract, [child, *[_without_compositions(n) for n in own]])
        if schema is not None:
            schema.compositions = [c for c in schema.compositions if c[1].pointer != holder.pointer or c[1].file != holder.file]
            name = identity(contract, child, i)
            while name in dict(found):
                name += "'"
            found.append((name, schema))
    return found


_ANNOTATIONS = frozenset({"title", "description", "example", "examples", "$comment", "externalDocs"})


def _without_compositions(node: Node) -> Node:
    """The composed schema's own node with its oneOf/anyOf left out, so each variant carries only its siblings."""
    value = {k: v for k, v in node.value.items() if k not in ("oneOf", "anyOf")} if isinstance(node.value, dict) else node.value
    return Node(value, node.file, node.pointer)


def _named(holder: Node, variants: list[Variant], name: str) -> bool:
    """Whether the variant called ``name`` is a ``$ref`` to a component."""
    index = [n for n, _ in variants].index(name)
    item = holder.child(index) if index < len(holder.value) else None
    return item is not None and isinstance(item.value, dict) and "$ref" in item.value


def _narrows(deltas: list[Delta]) -> bool:
    return any(d.narrows() for d in deltas)


def _widens(deltas: list[Delta]) -> bool:
    return any(d.widens() for d in deltas)


def _null_only(schema: SchemaView) -> bool:
    return schema.types == frozenset({"null"})


def _anchor(schema: SchemaView | Node) -> tuple[str, tuple[str | int, ...]]:
    node = schema.anchor if isinstance(schema, SchemaView) else schema
    return (node.file, node.pointer)


def _kebab(keyword: str) -> str:
    return {"oneOf": "one-of", "anyOf": "any-of", "allOf": "all-of"}[keyword]
