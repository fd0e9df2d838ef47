"""One operation, old against new: parameters, request body, responses, headers, media types and security.

For an operation under ``paths`` the client sends the request and reads the response. A
webhook or a callback reverses the roles — the API sends the request and the subscriber
answers — so the same comparison runs with the directions swapped: a new required field
in a webhook's payload is safe for the subscriber who reads it, a removed one is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backend_architect.diff.deltas import Delta, Direction
from backend_architect.diff.lifecycle import deprecation_events, removal_allowed
from backend_architect.diff.model import Anchor, Change, Impact
from backend_architect.diff.schemas import SchemaDiffer
from backend_architect.ir.contract import ApiContract, ContractOperation, ContractParameter, MediaBody, Node

PARAMETER = re.compile(r"{[^}/]*}")
_SUCCESS = ("2", "3")
_STRUCTURED = frozenset({"array", "object"})


def anchor(node: Node | None) -> Anchor | None:
    return (node.file, node.pointer) if node is not None else None


@dataclass
class OperationDiffer:
    """Compares matched operations; collects every change."""

    schemas: SchemaDiffer
    changes: list[Change] = field(default_factory=list)

    @property
    def old(self) -> ApiContract:
        return self.schemas.old

    @property
    def new(self) -> ApiContract:
        return self.schemas.new

    def add(self, where: str, code: str, message: str, impact: Impact, old: Node | Anchor | None = None, new: Node | Anchor | None = None) -> None:
        self.changes.append(Change(where, code, message, impact, _as_anchor(old), _as_anchor(new)))

    def operation(self, old: ContractOperation, new: ContractOperation, where: str, *, flipped: bool = False) -> None:
        """Every change of one operation; ``flipped`` for webhooks and callbacks, whose requests the API sends."""
        sent: Direction = "response" if flipped else "request"
        read: Direction = "request" if flipped else "response"
        if old.operation_id and new.operation_id and old.operation_id != new.operation_id:
            message = f"operationId {old.operation_id} became {new.operation_id} (SDK method names change)"
            self.add(where, "operation-id-changed", message, Impact.POSSIBLY_BREAKING, old.node, new.node)
        for code, message, impact in deprecation_events(_dict(old.node), _dict(new.node), "the operation"):
            self.add(where, f"operation-{code}", message, impact, old.node, new.node)
        self.parameters(where, old, new, sent)
        self.request(where, old, new, sent)
        self.responses(where, old, new, read)

    # --- parameters ------------------------------------------------------------------------

    def parameters(self, where: str, old: ContractOperation, new: ContractOperation, direction: Direction) -> None:
        before, after = parameters_by_key(old), parameters_by_key(new)
        for key, param in before.items():
            if key in after or param.location == "path":
                continue  # a path parameter lives in the path: the path itself changed
            label = f"{param.location} parameter '{param.name}'"
            if _dict(param.node).get("deprecated") is True:
                allowed, why = removal_allowed(_dict(param.node).get("x-sunset"), self.schemas.today)
                code = "request-parameter-removed" if allowed else "request-parameter-removed-before-sunset"
                self.add(where, code, f"{label} was removed{why}", Impact.SAFE if allowed else Impact.BREAKING, param.node, new.node)
                continue
            impacts = (Impact.POSSIBLY_BREAKING, Impact.BREAKING if param.required else Impact.POSSIBLY_BREAKING)
            self.add(where, "request-parameter-removed", f"{label} was removed", _pick(impacts, direction), param.node, new.node)
        for key, param in after.items():
            if key in before:
                continue
            label = f"{param.location} parameter '{param.name}'"
            if param.required:
                impact = _pick((Impact.BREAKING, Impact.SAFE), direction)
                self.add(where, "request-required-parameter-added", f"new required {label}", impact, old.node, param.node)
            elif param.location != "path":
                self.add(where, "request-optional-parameter-added", f"new optional {label}", Impact.SAFE, old.node, param.node)
        for key, param in before.items():
            changed = after.get(key)
            if changed is not None:
                self.parameter(where, param, changed, direction)

    def parameter(self, where: str, old: ContractParameter, new: ContractParameter, direction: Direction) -> None:
        label = f"{old.location} parameter '{old.name}'"
        if not old.required and new.required:
            self.add(
                where, "request-parameter-became-required", f"{label} became required", _pick((Impact.BREAKING, Impact.SAFE), direction), old.node, new.node
            )
        elif old.required and not new.required:
            self.add(
                where, "request-parameter-became-optional", f"{label} became optional", _pick((Impact.SAFE, Impact.BREAKING), direction), old.node, new.node
            )
        for code, message, impact in deprecation_events(_dict(old.node), _dict(new.node), label):
            self.add(where, f"request-parameter-{code}", message, impact, old.node, new.node)
        old_schema, old_loose = self.parameter_schema(self.old, old)
        new_schema, new_loose = self.parameter_schema(self.new, new)
        self._default(where, label, old_schema, new_schema, old.node, new.node)
        self._serialization(where, label, old, new, new_schema)
        self.deltas(where, label, "request-parameter", self.schemas.compare(old_schema, new_schema, direction, loose=old_loose and new_loose), direction)

    def parameter_schema(self, contract: ApiContract, param: ContractParameter) -> tuple[Node | None, bool]:
        """The schema of a parameter's value, and whether the value travels as text (so any scalar reads as a string)."""
        content = param.node.child("content")
        if content is not None and isinstance(content.value, dict) and content.value:
            media = next(iter(content.value))
            holder = content.child(media)
            return (holder.child("schema") if holder is not None else None), not is_json(str(media))
        return param.schema, True

    def _default(self, where: str, label: str, old: Node | None, new: Node | None, old_node: Node, new_node: Node) -> None:
        """A parameter's default is what the server assumes when a client leaves it out: changing it changes those calls."""
        missing = object()
        old_value = self._schema_default(self.old, old, old_node, missing)
        new_value = self._schema_default(self.new, new, new_node, missing)
        if (old_value is missing and new_value is missing) or old_value == new_value:
            return
        if old_value is missing:
            self.add(where, "request-parameter-default-added", f"{label} default set to {new_value!r}", Impact.POSSIBLY_BREAKING, old_node, new_node)
        elif new_value is missing:
            self.add(where, "request-parameter-default-removed", f"{label} default {old_value!r} removed", Impact.POSSIBLY_BREAKING, old_node, new_node)
        else:
            message = f"{label} default {old_value!r} became {new_value!r}: calls that leave it out behave differently"
            self.add(where, "request-parameter-default-changed", message, Impact.BREAKING, old_node, new_node)

    @staticmethod
    def _schema_default(contract: ApiContract, schema: Node | None, param: Node, missing: object) -> Any:
        for holder in (contract.resolve(schema), param):
            if holder is not None and isinstance(holder.value, dict) and "default" in holder.value:
                return holder.value["default"]
        return missing

    def _serialization(self, where: str, label: str, old: ContractParameter, new: ContractParameter, schema: Node | None) -> None:
        """``style``/``explode`` decide how arrays and objects are written into the URL or header; scalars are written alike."""
        before, after = _style(old), _style(new)
        resolved = self.new.resolve(schema)
        kind = resolved.value.get("type") if resolved is not None and isinstance(resolved.value, dict) else None
        if before != after and kind in _STRUCTURED:
            message = f"{label} is serialised differently: style={before[0]}, explode={before[1]} became style={after[0]}, explode={after[1]}"
            self.add(where, "request-parameter-serialization-changed", message, Impact.BREAKING, old.node, new.node)

    # --- request body ----------------------------------------------------------------------

    def request(self, where: str, old: ContractOperation, new: ContractOperation, direction: Direction) -> None:
        if not old.request_bodies and new.request_bodies:
            if new.request_required:
                self.add(where, "request-body-added", "a required request body was added", _pick((Impact.BREAKING, Impact.SAFE), direction), old.node, new.node)
            else:
                self.add(where, "request-body-added", "an optional request body was added", Impact.SAFE, old.node, new.node)
            return
        if old.request_bodies and not new.request_bodies:
            self.add(where, "request-body-removed", "the request body was removed", Impact.BREAKING, old.node, new.node)
            return
        if old.request_bodies and not old.request_required and new.request_required:
            self.add(
                where, "request-body-became-required", "the request body became required", _pick((Impact.BREAKING, Impact.SAFE), direction), old.node, new.node
            )
        elif old.request_bodies and old.request_required and not new.request_required:
            self.add(
                where, "request-body-became-optional", "the request body became optional", _pick((Impact.SAFE, Impact.BREAKING), direction), old.node, new.node
            )
        self.contents(where, "request body", "request", old.request_bodies, new.request_bodies, direction, old.node, new.node)

    # --- responses -------------------------------------------------------------------------

    def responses(self, where: str, old: ContractOperation, new: ContractOperation, direction: Direction) -> None:
        before = {r.status.upper(): r for r in old.responses}
        after = {r.status.upper(): r for r in new.responses}
        for status, response in before.items():
            target = after.get(status) or after.get(status[:1] + "XX")
            if target is None and status.endswith("XX"):
                target = next((r for s, r in after.items() if s[:1] == status[:1]), None)
            if target is not None:
                self.response(where, status, response, target, direction)
            elif status[:1] in _SUCCESS:
                self.add(where, "response-success-status-removed", f"response {status} was removed", Impact.BREAKING, response.node, new.node)
            else:
                self.add(where, "response-non-success-status-removed", f"response {status} was removed", Impact.SAFE, response.node, new.node)
        for status, response in after.items():
            if status in before or status[:1] + "XX" in before or (status.endswith("XX") and any(s[:1] == status[:1] for s in before)):
                continue
            if status[:1] == "2":
                # a client that handles the statuses it knows meets one it does not
                impact = _pick((Impact.SAFE, Impact.POSSIBLY_BREAKING), direction)
                self.add(where, "response-success-status-added", f"new response {status}", impact, old.node, response.node)
            else:
                self.add(where, "response-non-success-status-added", f"new response {status}", Impact.SAFE, old.node, response.node)

    def response(self, where: str, status: str, old: Any, new: Any, direction: Direction) -> None:
        label = f"response {status}"
        self.headers(where, label, old.node, new.node, direction)
        if old.bodies and not new.bodies:
            impact = Impact.BREAKING if status[:1] in _SUCCESS else Impact.POSSIBLY_BREAKING
            self.add(where, "response-body-removed", f"{label} no longer has a body", _pick((Impact.SAFE, impact), direction), old.node, new.node)
            return
        self.contents(where, label, "response", old.bodies, new.bodies, direction, old.node, new.node)

    def headers(self, where: str, label: str, old: Node, new: Node, direction: Direction) -> None:
        before, after = self._headers(self.old, old), self._headers(self.new, new)
        for name, header in before.items():
            required = _dict(header).get("required") is True
            if name not in after:
                impacts = (Impact.POSSIBLY_BREAKING, Impact.BREAKING if required else Impact.POSSIBLY_BREAKING)
                code = "response-required-header-removed" if required else "response-optional-header-removed"
                self.add(where, code, f"{label} no longer declares header {name}", _pick(impacts, direction), header, new)
                continue
            changed = after[name]
            now_required = _dict(changed).get("required") is True
            if required and not now_required:
                self.add(
                    where,
                    "response-header-became-optional",
                    f"{label} header {name} became optional",
                    _pick((Impact.SAFE, Impact.BREAKING), direction),
                    header,
                    changed,
                )
            elif now_required and not required:
                self.add(
                    where,
                    "response-header-became-required",
                    f"{label} header {name} became required",
                    _pick((Impact.BREAKING, Impact.SAFE), direction),
                    header,
                    changed,
                )
            old_schema = header.child("schema") if "schema" in _dict(header) else header
            new_schema = changed.child("schema") if "schema" in _dict(changed) else changed
            self.deltas(where, f"{label} header {name}", "response-header", self.schemas.compare(old_schema, new_schema, direction, loose=True), direction)
        for name, header in after.items():
            if name not in before:
                required = _dict(header).get("required") is True
                impact = _pick((Impact.BREAKING, Impact.SAFE), direction) if required else Impact.SAFE
                self.add(where, "response-header-added", f"{label} declares a new header {name}", impact, old, header)

    @staticmethod
    def _headers(contract: ApiContract, response: Node) -> dict[str, Node]:
        holder = response.child("headers")
        found: dict[str, Node] = {}
        if holder is not None and isinstance(holder.value, dict):
            for name in holder.value:
                header = contract.resolve(holder.child(name))
                if header is not None and isinstance(header.value, dict):
                    found[str(name).lower()] = header
        return found

    # --- media types and their schemas ---------------------------------------------------------

    def contents(
        self, where: str, label: str, side: str, old: Iterable[MediaBody], new: Iterable[MediaBody], direction: Direction, old_node: Node, new_node: Node
    ) -> None:
        before = {_essence(b.media_type): b for b in old}
        after = {_essence(b.media_type): b for b in new}
        matched: set[str] = set()
        for media, body in before.items():
            target_type = media if media in after else next((m for m in after if _covers(m, media)), None)
            if target_type is None:
                if after:
                    self.add(where, f"{side}-media-type-removed", f"{label}: media type {media} was removed", Impact.BREAKING, old_node, new_node)
                continue
            matched.add(target_type)
            if target_type != media:
                message = f"{label}: media type {media} became {target_type} (readers no longer know what they get)"
                self.add(where, f"{side}-media-type-generalized", message, _pick((Impact.SAFE, Impact.BREAKING), direction), old_node, new_node)
            loose = not is_json(media)
            deltas = self.schemas.compare(body.schema, after[target_type].schema, direction, loose=loose)
            self.deltas(where, label, f"{side}-body", deltas, direction)
        for media in after:
            if media not in matched and before:
                self.add(where, f"{side}-media-type-added", f"{label}: media type {media} was added", Impact.SAFE, old_node, new_node)

    def deltas(self, where: str, label: str, area: str, deltas: list[Delta], direction: Direction) -> None:
        """Schema changes as changes of the operation, named for where they are (body, property, parameter, header)."""
        side = area.split("-", 1)[0]
        for delta in deltas:
            if delta.code.startswith(("property-", "required-property-")):
                code = f"{side}-{delta.code}"
            elif area.endswith("-body") and _in_property(delta.path):
                code = f"{side}-property-{delta.code}"
            else:
                code = f"{area}-{delta.code}"
            path = f"{label}{'' if not delta.path or delta.path[0] in '[{' else '.'}{delta.path}"
            self.changes.append(Change(where, code, f"{path}: {delta.message}", delta.impact(direction), delta.old, delta.new))


def _in_property(path: str) -> bool:
    """Whether a schema path goes through a property (not only through items, map values or variants).

    >>> _in_property("<oneOf Cat>"), _in_property("[]"), _in_property("pets[].name"), _in_property("<oneOf Cat>.meow")
    (False, False, True, True)
    """
    return bool(re.sub(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\.", "", path))


def parameters_by_key(operation: ContractOperation) -> dict[tuple[str, str], ContractParameter]:
    """Parameters by what identifies them to a client: headers by lowercase name, path parameters by position."""
    template = PARAMETER.findall(operation.path)
    found = {}
    for param in operation.parameters:
        if param.location == "path":
            name = str(template.index("{" + param.name + "}")) if "{" + param.name + "}" in template else param.name
        else:
            name = param.name.lower() if param.location == "header" else param.name
        found[(param.location, name)] = param
    return found


def is_json(media: str) -> bool:
    """Whether a media type carries JSON, where ``1`` and ``"1"`` differ.

    >>> is_json("application/json; charset=utf-8"), is_json("application/problem+json"), is_json("text/plain")
    (True, True, False)
    """
    essence = _essence(media)
    return essence == "application/json" or essence.endswith("+json") or essence == "*/*"


def _essence(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _covers(wide: str, narrow: str) -> bool:
    """Whether a media range such as ``application/*`` covers a media type."""
    if wide == narrow:
        return False
    if wide == "*/*":
        return True
    kind, _, sub = wide.partition("/")
    return sub == "*" and narrow.partition("/")[0] == kind


def _style(param: ContractParameter) -> tuple[str, bool]:
    node = _dict(param.node)
    default = "form" if param.location in ("query", "cookie") else "simple"
    style = str(node.get("style", default))
    explode = node.get("explode", style == "form")
    return style, bool(explode)


def _pick(impacts: tuple[Impact, Impact], direction: Direction) -> Impact:
    return impacts[0] if direction == "request" else impacts[1]


def _dict(node: Node | None) -> dict[str, Any]:
    return node.value if node is not None and isinstance(node.value, dict) else {}


def _as_anchor(value: Node | Anchor | None) -> Anchor | None:
    if isinstance(value, Node):
        return (value.file, value.pointer)
    return value
