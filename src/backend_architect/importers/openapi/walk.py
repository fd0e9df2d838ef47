"""Every ``$ref`` of a contract, found by walking the document the way OpenAPI types it.

A ``$ref`` means something only where the specification lets a Reference Object stand: a
parameter, a response, a schema, a path item... A walk that only looked for the key would
follow the ``$ref`` inside an example's literal value, and miss that an operation written as
``get: {$ref: get.yml}`` — as large split descriptions do throughout — is not allowed by
any version, while every tool that reads it (Redocly, Swagger's parser) follows it anyway.
So the walk knows each node's type, follows every reference (loading the file it names),
continues in the target with the type the reference stood for, and records whether the
version allows a reference there. OpenAPI 3.1 schemas add ``$id`` and ``$anchor``: the base
URI changes inside an ``$id``, and a fragment that is not a pointer names an anchor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from backend_architect.ir.contract import HTTP_METHODS, ApiContract, Node, Pointer, Reference
from backend_architect.ir.contract import fragment_pointer as _pointer

ONE, MAP, LIST = "one", "map", "list"
#: A field of an object: the type of its value(s), the shape holding them, and whether a Reference Object may stand for each.
Slot = tuple[str, str, bool]
#: Loads the file a relative reference names from a file; returns its name, or None (refused or missing).
Loader = Callable[[str, str, Pointer], str | None]

_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_ONES = frozenset(
    {"not", "if", "then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_EITHER = frozenset({"items", "additionalProperties"})
#: Keywords of a schema whose values are data (examples, defaults).
_SCHEMA_DATA = frozenset({"example", "examples", "default"})
#: Kinds walked by their own code rather than the model's tables.
_SPECIAL_KINDS = frozenset({"schema", "value", "schema_map", "extension"})
#: What a component named from an extension is, by where it lives.
_COMPONENT_KINDS = {
    ("components", "schemas"): "schema",
    ("components", "responses"): "response",
    ("components", "parameters"): "parameter",
    ("components", "examples"): "example",
    ("components", "requestBodies"): "request_body",
    ("components", "headers"): "header",
    ("components", "links"): "link",
    ("components", "callbacks"): "callback",
    ("components", "pathItems"): "path_item",
    ("definitions",): "schema",
}


def _model(version: str) -> dict[str, dict[str, Slot]]:
    """The object types of ``version`` that can hold references, each field with its slot; ``*`` is every key of a map object."""
    if version == "2.0":
        return {
            "document": {
                "paths": ("paths", ONE, False),
                "definitions": ("schema", MAP, True),
                "parameters": ("parameter", MAP, False),
                "responses": ("response", MAP, False),
            },
            "paths": {"*": ("path_item", ONE, True)},
            "path_item": {**dict.fromkeys(HTTP_METHODS, ("operation", ONE, False)), "parameters": ("parameter", LIST, True)},
            "operation": {"parameters": ("parameter", LIST, True), "responses": ("responses", ONE, False)},
            "responses": {"*": ("response", ONE, True)},
            "response": {"schema": ("schema", ONE, True), "headers": ("header", MAP, False), "examples": ("value", MAP, False)},
            "parameter": {"schema": ("schema", ONE, True)},
            "header": {},
        }
    media = {"schema": ("schema", ONE, True), "examples": ("example", MAP, True), "example": ("value", ONE, False), "encoding": ("encoding", MAP, False)}
    described = {"schema": ("schema", ONE, True), "content": ("media_type", MAP, False), "examples": ("example", MAP, True), "example": ("value", ONE, False)}
    model: dict[str, dict[str, Slot]] = {
        "document": {"paths": ("paths", ONE, False), "components": ("components", ONE, False)},
        "paths": {"*": ("path_item", ONE, True)},
        "path_item": {**dict.fromkeys(HTTP_METHODS, ("operation", ONE, False)), "parameters": ("parameter", LIST, True)},
        "operation": {
            "parameters": ("parameter", LIST, True),
            "requestBody": ("request_body", ONE, True),
            "responses": ("responses", ONE, False),
            "callbacks": ("callback", MAP, True),
        },
        "responses": {"*": ("response", ONE, True)},
        "response": {"headers": ("header", MAP, True), "content": ("media_type", MAP, False), "links": ("link", MAP, True)},
        "request_body": {"content": ("media_type", MAP, False)},
        "media_type": media,
        "encoding": {"headers": ("header", MAP, True)},
        "parameter": described,
        "header": described,
        "example": {"value": ("value", ONE, False)},
        "callback": {"*": ("path_item", ONE, True)},
        "link": {},
        "security_scheme": {},
        "components": {
            "schemas": ("schema", MAP, True),
            "responses": ("response", MAP, True),
            "parameters": ("parameter", MAP, True),
            "examples": ("example", MAP, True),
            "requestBodies": ("request_body", MAP, True),
            "headers": ("header", MAP, True),
            "securitySchemes": ("security_scheme", MAP, True),
            "links": ("link", MAP, True),
            "callbacks": ("callback", MAP, True),
        },
    }
    if version == "3.1":
        model["document"]["webhooks"] = ("path_item", MAP, True)
        model["components"]["pathItems"] = ("path_item", MAP, True)
    return model


class ReferenceWalk:
    """One walk over a contract: fills ``refs``, ``resolved``, ``unresolved`` and ``identifiers``, loading files as references name them."""

    def __init__(self, contract: ApiContract, load: Loader) -> None:
        self.contract = contract
        self.load = load
        self.model = _model(contract.version)
        self.pending: list[tuple[Node, str, str]] = []
        self.seen: set[tuple[str, Pointer, str]] = set()
        self.deferred: list[tuple[Reference, str]] = []

    def run(self) -> None:
        root = self.contract.root
        self._push(Node(root.tree, root.name, ()), "document")
        while True:
            while self.pending:
                node, kind, base = self.pending.pop()
                if kind == "schema":
                    self._schema(node, base)
                else:
                    self._typed(node, kind, base)
            if not self._retry_deferred():
                break
        for reference, _ in self.deferred:
            self.contract.unresolved.append((reference.node, reference.ref))
        self.contract.refs.sort(key=lambda r: (r.node.file != self.contract.root.name, r.node.file, [str(p) for p in r.node.pointer]))

    def _push(self, node: Node, kind: str, base: str | None = None) -> None:
        key = (node.file, node.pointer, kind)
        if key not in self.seen:
            self.seen.add(key)
            self.pending.append((node, kind, base if base is not None else self.contract.uris.get(node.file, node.file)))

    # --- typed objects ---------------------------------------------------------------------------

    def _typed(self, node: Node, kind: str, base: str) -> None:
        value = node.value
        if kind == "schema_map":
            for key in value if isinstance(value, dict) else ():
                child = node.child(key)
                if child is not None:
                    self._push(child, "schema", base)
            return
        if kind == "extension":
            self._loose(node, base, extension=True)
            return
        if kind == "value":
            self._literal(node, base)
            return
        if not isinstance(value, dict | list):
            return
        fields = self.model.get(kind)
        if fields is None:
            self._loose(node, base)
            return
        if not isinstance(value, dict):
            return
        if isinstance(value.get("$ref"), str):
            self._reference(node, kind, base, allowed=True)
            if kind != "path_item":
                return  # a Reference Object's siblings are ignored (3.0) or only summary/description (3.1)
        every = fields.get("*")
        for key in value:
            child = node.child(key)
            if key == "$ref" or child is None:
                continue
            if isinstance(key, str) and key.startswith("x-"):
                self._loose(child, base, extension=True)
                continue
            slot = every or fields.get(key)
            if slot is None:
                self._loose(child, base)
            else:
                self._slot(child, slot, base)

    def _slot(self, holder: Node, slot: Slot, base: str) -> None:
        kind, shape, referable = slot
        if shape == ONE:
            self._item(holder, kind, referable, base)
        elif shape == MAP and isinstance(holder.value, dict):
            if isinstance(holder.value.get("$ref"), str):
                self._reference(holder, f"{kind} map", base, allowed=False)
                return
            for key in holder.value:  # names of headers, schemas, examples: "x-" is no extension here
                child = holder.child(key)
                if child is not None:
                    self._item(child, kind, referable, base)
        elif shape == LIST and isinstance(holder.value, list):
            for i in range(len(holder.value)):
                child = holder.child(i)
                if child is not None:
                    self._item(child, kind, referable, base)
        elif isinstance(holder.value, dict) and isinstance(holder.value.get("$ref"), str):
            self._reference(holder, f"{kind} {shape}", base, allowed=False)

    def _item(self, node: Node, kind: str, referable: bool, base: str) -> None:
        if kind not in {"schema", "path_item", "value"} and not referable and isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            self._reference(node, kind, base, allowed=False)
            return
        self._push(node, kind, base)

    def _literal(self, node: Node, base: str) -> None:
        """An example's value is data: a ``$ref`` in it is no reference to a reader that follows the specification. The
        value written as a whole ``{$ref: ...}``, and a ``$ref`` inside it that names a node of a file already read (GitHub
        composes examples that way), are what the author meant: followed, and reported as misplaced. Others are data."""
        stack = [node]
        while stack:
            current = stack.pop()
            value = current.value
            if isinstance(value, dict):
                ref = value.get("$ref")
                if isinstance(ref, str):
                    names = self.contract.locate_target(ref, current.file, current.pointer) if current is not node else None
                    if current is node or (names is not None and self.contract.node(*names) is not None):
                        self._reference(current, "value", base, allowed=False)
                    continue
                keys: list[str | int] = list(value)
            elif isinstance(value, list):
                keys = list(range(len(value)))
            else:
                continue
            for key in keys:
                child = current.child(key)
                if child is not None and isinstance(child.value, dict | list):
                    stack.append(child)

    def _loose(self, node: Node, base: str, *, extension: bool = False) -> None:
        """A part the walk does not type (info, tags, servers, security): any ``$ref`` inside is misplaced. Inside a vendor
        extension (``x-webhooks``, ``x-codeSamples``) OpenAPI says nothing: references there are followed, not judged, and
        count as uses of what they name."""
        stack = [node]
        while stack:
            current = stack.pop()
            value = current.value
            if isinstance(value, dict):
                if isinstance(value.get("$ref"), str):
                    self._reference(current, "extension" if extension else "loose", base, allowed=extension)
                    continue
                keys = [k for k in value if extension or not (isinstance(k, str) and k.startswith("x-"))]
            elif isinstance(value, list):
                keys = list(range(len(value)))
            else:
                continue
            for key in keys:
                child = current.child(key)
                if child is not None and isinstance(child.value, dict | list):
                    stack.append(child)

    # --- schemas ---------------------------------------------------------------------------------

    def _schema(self, node: Node, base: str) -> None:
        """A schema and every schema inside it; literal keywords (example, default, enum, const) are data and not read."""
        file, seen, identified = node.file, self.seen, self.contract.version == "3.1"
        stack: list[tuple[Any, Pointer, str]] = [(node.value, node.pointer, base)]
        while stack:
            value, pointer, scope = stack.pop()
            if not isinstance(value, dict):
                continue
            if pointer is not node.pointer:
                key = (file, pointer, "schema")
                if key in seen:
                    continue  # already walked, as the target of a reference
                seen.add(key)
            if identified and ("$id" in value or "$anchor" in value or "$dynamicAnchor" in value):
                scope = self._identify(Node(value, file, pointer), scope)
            if isinstance(value.get("$ref"), str):
                self._reference(Node(value, file, pointer), "schema", scope, allowed=True)
            for key, child in value.items():
                if key == "discriminator" and isinstance(child, dict) and isinstance(child.get("mapping"), dict):
                    self._mapping(Node(child["mapping"], file, (*pointer, key, "mapping")), scope)
                elif isinstance(key, str) and key.startswith("x-") and isinstance(child, dict | list):
                    self._loose(Node(child, file, (*pointer, key)), scope, extension=True)  # Adyen's x-anyOf names schemas
                elif key in _SCHEMA_DATA and isinstance(child, dict | list):
                    items = enumerate(child) if key == "examples" and isinstance(child, list) else [(None, child)]
                    for index, item in items:
                        self._push(Node(item, file, (*pointer, key) if index is None else (*pointer, key, index)), "value", scope)
                elif isinstance(child, dict):
                    if key in _SCHEMA_MAPS and isinstance(child.get("$ref"), str):
                        # `properties: {$ref: ...}` names a property "$ref" to a reader that follows the specification
                        self._reference(Node(child, file, (*pointer, key)), "schema_map", scope, allowed=False)
                    elif key in _SCHEMA_MAPS:
                        stack.extend((v, (*pointer, key, name), scope) for name, v in child.items())
                    elif key in _SCHEMA_ONES or key in _SCHEMA_EITHER:
                        stack.append((child, (*pointer, key), scope))
                elif isinstance(child, list) and (key in _SCHEMA_LISTS or key == "items"):
                    stack.extend((v, (*pointer, key, i), scope) for i, v in enumerate(child))

    def _mapping(self, node: Node, base: str) -> None:
        """A discriminator's mapping names schemas (by reference, or by a bare name under components): uses of them."""
        for name, target in node.value.items():
            if not isinstance(target, str):
                continue
            ref = target if "/" in target or "#" in target or "." in target else f"#/components/schemas/{target}"
            reference = Reference(Node({"$ref": ref}, node.file, (*node.pointer, name)), ref, "mapping", True)
            found = self._locate(ref, reference.node, base, last_try=True) if ref.startswith("#") else None
            resolved = self.contract.node(*found) if found is not None else None
            if resolved is not None:
                self.contract.refs.append(reference)
                self.contract.resolved[(reference.node.file, reference.node.pointer)] = resolved
                self._push(resolved, "schema", base)

    def _identify(self, node: Node, base: str) -> str:
        """Register a 3.1 schema's ``$id`` and ``$anchor``; return the base URI inside it."""
        value = node.value
        where = (node.file, node.pointer)
        if isinstance(value.get("$id"), str):
            base = urldefrag(urljoin(base, value["$id"]))[0]
            self.contract.identifiers.setdefault(base, where)
        for keyword in ("$anchor", "$dynamicAnchor"):
            if isinstance(value.get(keyword), str):
                self.contract.identifiers.setdefault(f"{urldefrag(base)[0]}#{value[keyword]}", where)
        return base

    # --- references ------------------------------------------------------------------------------

    def _reference(self, node: Node, kind: str, base: str, *, allowed: bool) -> None:
        ref = node.value["$ref"]
        reference = Reference(node, ref, kind, allowed)
        self.contract.refs.append(reference)
        if not self._follow(reference, base):
            self.deferred.append((reference, base))

    def _follow(self, reference: Reference, base: str, *, last_try: bool = False) -> bool:
        node, ref = reference.node, reference.ref
        found = self._locate(ref, node, base, last_try=last_try)
        target = self.contract.node(*found) if found is not None else None
        if target is None:
            return False
        self.contract.resolved[(node.file, node.pointer)] = target
        kind = reference.kind.split(" ")[0]
        target_base = self.contract.uris.get(target.file, target.file)
        if self.contract.identifiers and target.pointer:
            target_base = self.contract.base_uri(target.file, target.pointer[:-1])
        if kind == "extension":
            where = tuple(str(p) for p in target.pointer)
            kind = _COMPONENT_KINDS.get(where[:2]) or _COMPONENT_KINDS.get(where[:1], "extension")
        self._push(target, kind if kind in self.model or kind in _SPECIAL_KINDS else "loose", target_base)
        return True

    def _locate(self, ref: str, node: Node, base: str, *, last_try: bool) -> tuple[str, Pointer] | None:
        contract = self.contract
        where, _, fragment = ref.partition("#")
        if not where and not contract.identifiers and fragment.startswith("/"):
            return node.file, _pointer(fragment)  # the common case: a pointer into the same file
        file_base = contract.uris.get(node.file, node.file)
        if base != file_base or (contract.version == "3.1" and not _is_relative_file(ref)):
            absolute, fragment = urldefrag(urljoin(base, ref))
            resource = contract.identifiers.get(absolute)
            if resource is None:
                name = next((n for n, uri in contract.uris.items() if uri == absolute), None)
                resource = (name, ()) if name is not None else None
            if resource is not None:
                if fragment and not fragment.startswith("/"):
                    return contract.identifiers.get(f"{absolute}#{fragment}")
                return resource[0], (*resource[1], *_pointer(fragment))
            if not last_try:
                return None  # perhaps an $id met later in the walk; tried again at the end
            if base != file_base:
                where = absolute  # read against an $id: an absolute URL, refused unless external references are allowed
        name = node.file
        if where:
            loaded = self.load(unquote(where), node.file, node.pointer)
            if loaded is None:
                return None
            name = loaded
        if fragment and not fragment.startswith("/"):
            return contract.identifiers.get(f"{contract.uris.get(name, name)}#{fragment}")
        return name, _pointer(fragment)

    def _retry_deferred(self) -> bool:
        """Follow the references that waited for an ``$id`` declared later; True when one more could be followed."""
        progress = False
        waiting, self.deferred = self.deferred, []
        for reference, base in waiting:
            if self._follow(reference, base, last_try=True):
                progress = True
            else:
                self.deferred.append((reference, base))
        return progress


def _is_relative_file(ref: str) -> bool:
    """A reference within the document or to a file beside it (no scheme, not absolute)."""
    where = ref.partition("#")[0]
    return not where or (":" not in where.split("/")[0] and not where.startswith("/"))


def walk_references(contract: ApiContract, load: Loader) -> None:
    """Resolve every reference of ``contract`` (see the module's documentation)."""
    ReferenceWalk(contract, load).run()
