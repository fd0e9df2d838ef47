"""Two versions of a schema, compared structurally everywhere a value can be constrained.

The comparison walks both schemas together: keywords of the schema itself
(``diff/keywords.py``), then every place a subschema applies — properties (with
``readOnly``/``writeOnly`` deciding what a client sends and reads), ``additionalProperties``,
``patternProperties``, ``propertyNames``, ``dependentSchemas``, ``items`` and ``prefixItems``
position by position, ``contains``, ``unevaluated*``, ``contentSchema``, ``not`` (whose
changes count the other way round), ``if``/``then``/``else``, and the variants of ``oneOf``
and ``anyOf`` (``diff/composition.py``). Results are memoised per pair of nodes, so a
component shared by a thousand operations is compared once, and recursion stops at a
schema already on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from backend_architect.diff.deltas import Delta, Direction, Shift, fixed
from backend_architect.diff.keywords import CHECKS
from backend_architect.diff.lifecycle import deprecation_events, removal_allowed
from backend_architect.diff.model import Anchor, Impact
from backend_architect.diff.view import SchemaView, view
from backend_architect.ir.contract import ApiContract, Node

_MAX_DEPTH = 32
#: Keywords that only annotate: a part made of these constrains nothing.
ANNOTATIONS = frozenset({"title", "description", "example", "examples", "deprecated", "$comment", "externalDocs", "default", "readOnly", "writeOnly", "xml"})
_Key = tuple[Any, ...]


@dataclass
class SchemaDiffer:
    """Compares schemas of two contracts; one per diff, so its memo serves every operation."""

    old: ApiContract
    new: ApiContract
    today: Any = None
    memo: dict[_Key, list[Delta]] = field(default_factory=dict)
    active: set[_Key] = field(default_factory=set)
    views: dict[tuple[bool, tuple[Any, ...]], SchemaView | None] = field(default_factory=dict)

    def compare(self, old: Node | list[Node] | None, new: Node | list[Node] | None, direction: Direction, *, loose: bool = False) -> list[Delta]:
        """Every change from ``old`` to ``new``; ``loose`` when values travel as text (parameters, text bodies)."""
        return self.compare_views(self.view(False, old), self.view(True, new), direction, loose, 0)

    def view(self, new: bool, nodes: Node | list[Node] | None) -> SchemaView | None:
        """The merged view of nodes of one side, built once per set of nodes."""
        listed = nodes if isinstance(nodes, list) else [nodes] if nodes is not None else []
        key = (new, tuple((n.file, n.pointer) for n in listed))
        if key not in self.views:
            self.views[key] = view(self.new if new else self.old, listed) if listed else None
        return self.views[key]

    def compare_views(self, before: SchemaView | None, after: SchemaView | None, direction: Direction, loose: bool, depth: int) -> list[Delta]:
        if before is None and after is None:
            return []
        if before is None:
            assert after is not None
            return [Delta("", "schema-added", "a schema now constrains it", Shift.NARROWER, None, _anchor(after.anchor))]
        if after is None:
            return [Delta("", "schema-removed", "no schema constrains it any more", Shift.WIDER, _anchor(before.anchor), None, soft=True)]
        key = (_nodes_key(before), _nodes_key(after), direction, loose)
        if key in self.memo:
            return self.memo[key]
        if key in self.active or depth > _MAX_DEPTH:
            return []  # a recursive schema: its changes are found on the way in
        self.active.add(key)
        try:
            found = _once(self._compare(before, after, direction, loose, depth + 1))
        finally:
            self.active.discard(key)
        self.memo[key] = found
        return found

    def sub(self, old: list[Node] | None, new: list[Node] | None, direction: Direction, loose: bool, depth: int, prefix: str) -> list[Delta]:
        """Changes of a subschema, seen from its parent at ``prefix``."""
        return [d.under(prefix) for d in self.compare_views(self.view(False, old), self.view(True, new), direction, loose, depth)]

    def _compare(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        from backend_architect.diff.composition import compositions, parts, reshaped

        if bool(before.compositions) != bool(after.compositions):
            # a schema wrapped in (or unwrapped from) oneOf/anyOf: compared variant by variant
            yield from reshaped(self, before, after, direction, loose, depth)
            return
        for check in CHECKS:
            yield from check(before, after, loose)
        yield from self._properties(before, after, direction, loose, depth)
        yield from self._additional(before, after, direction, loose, depth)
        for keyword, label in (("patternProperties", "pattern-property"), ("dependentSchemas", "dependent-schema")):
            yield from self._named(keyword, label, before, after, direction, loose, depth)
        yield from self._items(before, after, direction, loose, depth)
        for keyword, prefix in (
            ("contains", "<contains>"),
            ("propertyNames", "<property names>"),
            ("contentSchema", "<content>"),
            ("unevaluatedProperties", "{*}"),
            ("unevaluatedItems", "[*]"),
        ):
            yield from self._single(keyword, prefix, before, after, direction, loose, depth)
        yield from self._not(before, after, direction, loose, depth)
        yield from self._conditional(before, after, direction, loose, depth)
        yield from compositions(self, before, after, direction, loose, depth)
        yield from parts(self, before, after)

    # --- properties ------------------------------------------------------------------------

    def _properties(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        old_props, new_props = before.maps.get("properties", {}), after.maps.get("properties", {})
        names = list(dict.fromkeys([*old_props, *sorted(before.required), *new_props, *sorted(after.required)]))
        for name in names:
            old_nodes, new_nodes = old_props.get(name), new_props.get(name)
            old_view = self.view(False, old_nodes)
            new_view = self.view(True, new_nodes)
            was = name in old_props or name in before.required
            now = name in new_props or name in after.required
            old_anchor = _anchor(old_view.anchor) if old_view else _anchor(before.holder("required"))
            new_anchor = _anchor(new_view.anchor) if new_view else _anchor(after.holder("required"))
            seen_before = was and not _hidden(old_view, direction)
            seen_after = now and not _hidden(new_view, direction)
            required_before, required_after = name in before.required, name in after.required
            if seen_before and not now:
                yield self._removed(name, old_view, required_before, after.closed, old_anchor, _anchor(after.anchor))
            elif seen_before and not seen_after:
                flag = "readOnly" if direction == "request" else "writeOnly"
                read = Impact.POSSIBLY_BREAKING if required_before else Impact.SAFE
                yield Delta(name, f"property-became-{_kebab(flag)}", f"became {flag}", Shift.NONE, old_anchor, new_anchor, impacts=fixed(Impact.SAFE, read))
            elif seen_after and not seen_before:
                if was:  # it was readOnly (or writeOnly) and no longer is: clients meet it for the first time
                    flag = "readOnly" if direction == "request" else "writeOnly"
                    sent = Impact.BREAKING if required_after else Impact.SAFE
                    message = f"no longer {flag}" + (" and required" if required_after else "")
                    yield Delta(name, f"property-became-not-{_kebab(flag)}", message, Shift.NONE, old_anchor, new_anchor, impacts=fixed(sent, Impact.SAFE))
                elif required_after:
                    yield Delta(
                        name,
                        "required-property-added",
                        "new required property",
                        Shift.NONE,
                        old_anchor,
                        new_anchor,
                        impacts=fixed(Impact.BREAKING, Impact.SAFE),
                    )
                else:
                    yield Delta(name, "property-added", "new property", Shift.NONE, old_anchor, new_anchor)
            elif seen_before and seen_after:
                if required_before != required_after:
                    code, message = ("property-became-required", "became required") if required_after else ("property-became-optional", "became optional")
                    yield Delta(name, code, message, Shift.NARROWER if required_after else Shift.WIDER, old_anchor, new_anchor)
                for code, message, impact in deprecation_events(_lifecycle(old_view), _lifecycle(new_view), "the property"):
                    yield Delta(name, f"property-{code}", message, Shift.NONE, old_anchor, new_anchor, impacts=fixed(impact, impact))
                if old_view is not None or new_view is not None:
                    yield from (d.under(name) for d in self.compare_views(old_view, new_view, direction, loose, depth))

    def _removed(self, name: str, old_view: SchemaView | None, required: bool, closed: bool, old: Anchor, new: Anchor) -> Delta:
        """A property gone: a sender's extra data is refused only by a closed schema; a reader misses it if it was always there."""
        if old_view is not None and old_view.flag("deprecated"):
            allowed, why = removal_allowed(old_view.keywords.get("x-sunset"), self.today)
            if allowed:
                return Delta(name, "property-removed", f"deprecated property was removed{why}", Shift.NONE, old, new)
            return Delta(
                name, "property-removed-before-sunset", f"property was removed{why}", Shift.NONE, old, new, impacts=fixed(Impact.BREAKING, Impact.BREAKING)
            )
        sent = Impact.BREAKING if closed else Impact.POSSIBLY_BREAKING
        read = Impact.BREAKING if required else Impact.POSSIBLY_BREAKING
        return Delta(name, "property-removed", "property was removed", Shift.NONE, old, new, impacts=fixed(sent, read))

    def _additional(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        """``additionalProperties``: closed, open, or a schema for the values of a map."""
        was, now = before.additional, after.additional
        if (was is False and now is False) or (isinstance(was, list) and isinstance(now, list) and not was and not now):
            return
        where = (_anchor(before.holder("additionalProperties")), _anchor(after.holder("additionalProperties")))
        if was is False and now is not False:
            yield Delta("", "additional-properties-allowed", "unknown properties are now allowed", Shift.WIDER, *where, soft=True)
        elif now is False and was is not False:
            yield Delta("", "additional-properties-closed", "unknown properties are now refused", Shift.NARROWER, *where, soft=True)
        elif isinstance(was, list) and isinstance(now, list):
            if not was:
                yield Delta("", "additional-properties-restricted", "map values are now constrained by a schema", Shift.NARROWER, *where, soft=True)
            elif not now:
                yield Delta("", "additional-properties-unrestricted", "map values are no longer constrained", Shift.WIDER, *where)
            else:
                yield from self.sub(was, now, direction, loose, depth, "{*}")

    def _named(self, keyword: str, label: str, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        """``patternProperties`` and ``dependentSchemas``: subschemas by name; a new one constrains, a removed one frees."""
        old_map, new_map = before.maps.get(keyword, {}), after.maps.get(keyword, {})
        where = (_anchor(before.holder(keyword)), _anchor(after.holder(keyword)))
        for name in old_map.keys() - new_map.keys():
            yield Delta("", f"{label}-removed", f"{keyword} '{name}' removed", Shift.WIDER, *where)
        for name in sorted(new_map.keys() - old_map.keys()):
            yield Delta("", f"{label}-added", f"{keyword} '{name}' added", Shift.NARROWER, *where)
        for name in sorted(old_map.keys() & new_map.keys()):
            prefix = "{" + name + "}" if keyword == "patternProperties" else f"<if {name}>"
            yield from self.sub(old_map[name], new_map[name], direction, loose, depth, prefix)

    def _single(self, keyword: str, prefix: str, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        old_nodes, new_nodes = before.single.get(keyword), after.single.get(keyword)
        if not old_nodes and not new_nodes:
            return
        code = _kebab(keyword)
        where = (_anchor(before.holder(keyword)), _anchor(after.holder(keyword)))
        if not old_nodes:
            yield Delta("", f"{code}-added", f"{keyword} added", Shift.NARROWER, *where)
        elif not new_nodes:
            yield Delta("", f"{code}-removed", f"{keyword} removed", Shift.WIDER, *where)
        else:
            yield from self.sub(old_nodes, new_nodes, direction, loose, depth, prefix)

    def _items(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        """``items``, and with ``prefixItems`` each position against what applied there before."""
        old_items, new_items = before.single.get("items"), after.single.get("items")
        if before.prefix_items is None and after.prefix_items is None:
            yield from self._single("items", "[]", before, after, direction, loose, depth)
            return
        old_prefix, new_prefix = before.prefix_items or [], after.prefix_items or []
        for i in range(max(len(old_prefix), len(new_prefix))):
            was = [old_prefix[i]] if i < len(old_prefix) else old_items
            now = [new_prefix[i]] if i < len(new_prefix) else new_items
            if i >= len(old_prefix) or i >= len(new_prefix):
                where = (_anchor(before.holder("prefixItems")), _anchor(after.holder("prefixItems")))
                verb = "added" if i >= len(old_prefix) else "removed"
                yield Delta("", f"prefix-items-{verb}", f"prefixItems position {i} {verb}", Shift.NONE, *where)
            yield from self.sub(was, now, direction, loose, depth, f"[{i}]")
        yield from self.sub(old_items, new_items, direction, loose, depth, "[]")

    def _not(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        """``not``: what the inner schema loses, the outer one gains."""
        old_nodes, new_nodes = before.single.get("not"), after.single.get("not")
        if not old_nodes and not new_nodes:
            return
        where = (_anchor(before.holder("not")), _anchor(after.holder("not")))
        if not old_nodes:
            yield Delta("", "not-added", "a 'not' subschema now excludes values", Shift.NARROWER, *where)
        elif not new_nodes:
            yield Delta("", "not-removed", "the 'not' subschema was removed", Shift.WIDER, *where)
        else:
            yield from (d.inverted() for d in self.sub(old_nodes, new_nodes, direction, loose, depth, "<not>"))

    def _conditional(self, before: SchemaView, after: SchemaView, direction: Direction, loose: bool, depth: int) -> Iterator[Delta]:
        """``if``/``then``/``else``: a new condition constrains; with the same ``if``, ``then`` and ``else`` compare as subschemas."""
        old_if, new_if = before.single.get("if"), after.single.get("if")
        where = (_anchor(before.holder("if")), _anchor(after.holder("if")))
        if not old_if and not new_if:
            return
        if not old_if:
            yield Delta("", "if-added", "a conditional (if/then/else) now constrains values", Shift.NARROWER, *where)
            return
        if not new_if:
            yield Delta("", "if-removed", "the conditional (if/then/else) was removed", Shift.WIDER, *where)
            return
        if self.sub(old_if, new_if, direction, loose, depth, ""):
            yield Delta("", "if-changed", "the condition of if/then/else changed", Shift.UNKNOWN, *where)
            return
        for keyword in ("then", "else"):
            yield from self._single(keyword, f"<{keyword}>", before, after, direction, loose, depth)


def _once(deltas: Iterator[Delta]) -> list[Delta]:
    """Each change once, at its shortest path: a component reached along many paths (Stripe nests the same ones
    hundreds of ways) is one change, not one per path, which also keeps the lists linear in the document's size."""
    listed = list(deltas)
    best: dict[tuple[Any, ...], int] = {}
    for i, delta in enumerate(listed):
        key = (delta.code, delta.old, delta.new, delta.message)
        if key not in best or len(delta.path) < len(listed[best[key]].path):
            best[key] = i
    keep = set(best.values())
    return [delta for i, delta in enumerate(listed) if i in keep]


def _lifecycle(schema: SchemaView | None) -> dict[str, Any]:
    """``deprecated`` and ``x-sunset`` of a property, as the lifecycle checks read them."""
    return {k: schema.keywords[k] for k in ("deprecated", "x-sunset") if schema is not None and k in schema.keywords}


def _hidden(schema: SchemaView | None, direction: Direction) -> bool:
    """Whether clients never meet the property in this direction: readOnly ones are not sent, writeOnly ones not returned."""
    return schema is not None and schema.flag("readOnly" if direction == "request" else "writeOnly")


def _nodes_key(schema: SchemaView) -> tuple[Any, ...]:
    return (tuple((n.file, n.pointer) for n in schema.nodes), tuple((k, n.pointer) for k, n in schema.compositions))


def _anchor(node: Node) -> Anchor:
    return (node.file, node.pointer)


def _kebab(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def annotation_only(schema: SchemaView) -> bool:
    """Whether every conjunct holds annotations only (or vendor extensions): it accepts every value."""
    return all(isinstance(n.value, dict) and all(k in ANNOTATIONS or str(k).startswith("x-") for k in n.value) for n in schema.nodes)
