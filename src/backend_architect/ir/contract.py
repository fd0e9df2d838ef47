"""An existing API contract (an OpenAPI or Swagger document) as the reviewer sees it.

The design IR (``Api``/``Operation``) describes APIs this tool designs; a contract is a
document someone else wrote, with every construct OpenAPI allows (``allOf``, split files,
vendor extensions). Its rules must judge the document as written and point at its lines,
so the contract keeps the parsed tree as it is and adds a normalised index over it:
operations with their parameters, request bodies and responses, each with its JSON
pointer. Nothing is copied: the index holds references into the tree.

Positions are looked up lazily (``Locator``), for all findings of a file at once: a 13 MB
JSON document is parsed by the C decoder and only the nodes that carry a finding are ever
located.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urldefrag, urljoin

Pointer = tuple[str | int, ...]
Version = Literal["2.0", "3.0", "3.1"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def pointer_text(pointer: Pointer) -> str:
    """RFC 6901 form of ``pointer``.

    >>> pointer_text(("paths", "/pets/{id}", "get"))
    '/paths/~1pets~1{id}/get'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in pointer)


def parse_pointer(fragment: str) -> Pointer:
    """The parts of an RFC 6901 pointer (the fragment of a ``$ref``, without ``#``).

    >>> parse_pointer("/components/schemas/Pet~1Cat")
    ('components', 'schemas', 'Pet/Cat')
    """
    if not fragment:
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in fragment.lstrip("/").split("/"))


def fragment_pointer(fragment: str) -> Pointer:
    """The pointer a ``$ref``'s URI fragment names: percent-decoded first (RFC 6901, section 6), then split.

    >>> fragment_pointer("/components/schemas/Pet%20Info")
    ('components', 'schemas', 'Pet Info')
    """
    return parse_pointer(unquote(fragment) if "%" in fragment else fragment)


class Locator(Protocol):
    """Finds the line and column of nodes of one parsed file."""

    def locate_many(self, pointers: Iterable[Pointer]) -> dict[Pointer, tuple[int, int]]:
        """Line and column (from 1) of each pointer's node, or of its nearest ancestor found."""
        ...


@dataclass(frozen=True)
class SourceFile:
    """One parsed file of a contract: its tree and how to find positions in it."""

    name: str
    tree: Any
    locator: Locator = field(repr=False)
    #: The file's text, to measure the token a finding points at (its end position).
    text: str = field(default="", repr=False)


@dataclass(frozen=True)
class Node:
    """A node of the contract with where it is: the file and the pointer inside it."""

    value: Any
    file: str
    pointer: Pointer

    def child(self, key: str | int) -> Node | None:
        """The child at ``key`` (not following ``$ref``), or None."""
        value = self.value
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            return Node(value[key], self.file, (*self.pointer, key))
        if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            return Node(value[key], self.file, (*self.pointer, key))
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default


@dataclass(frozen=True)
class MediaBody:
    """A body in one media type: its schema and examples (already resolved)."""

    media_type: str
    schema: Node | None
    examples: tuple[Node, ...] = ()


@dataclass(frozen=True)
class ContractResponse:
    """One declared response of an operation."""

    status: str
    node: Node
    bodies: tuple[MediaBody, ...]
    headers: tuple[str, ...]

    @property
    def is_error(self) -> bool:
        return self.status[:1] in {"4", "5"}


@dataclass(frozen=True)
class ContractParameter:
    """One parameter of an operation (path-level ones merged in), resolved."""

    name: str
    location: str
    required: bool
    node: Node
    schema: Node | None


@dataclass(frozen=True)
class ContractOperation:
    """One operation of the document, normalised across OpenAPI 2.0, 3.0 and 3.1."""

    path: str
    method: str
    node: Node
    parameters: tuple[ContractParameter, ...]
    request_bodies: tuple[MediaBody, ...]
    request_required: bool
    responses: tuple[ContractResponse, ...]
    security: list[dict[str, list[str]]] | None = field(default=None, repr=False)
    #: Operations of its callbacks (the API calls them), with each callback's name; their ``path`` is the callback's expression.
    callbacks: tuple[tuple[str, ContractOperation], ...] = field(default=(), repr=False)

    @property
    def label(self) -> str:
        """How a finding names the operation: ``GET /pets/{id}``."""
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None

    def response(self, status: str) -> ContractResponse | None:
        return next((r for r in self.responses if r.status == status), None)


@dataclass(frozen=True)
class Reference:
    """One ``$ref`` of the contract: where it is, what it says, what it stands for, and whether OpenAPI allows it there."""

    node: Node
    ref: str
    kind: str
    allowed: bool = True


@dataclass
class ApiContract:
    """One API document (and the files its ``$ref``s reach), indexed for review.

    Every ``$ref`` is resolved once by the importer, wherever OpenAPI lets one stand (and
    where it does not, as the author meant it); ``resolve`` answers from that table, so a
    node is reached the same way whichever file it lives in.
    """

    name: str
    version: Version
    root: SourceFile
    files: dict[str, SourceFile]
    operations: list[ContractOperation] = field(default_factory=list)
    #: Operations of ``webhooks`` (OpenAPI 3.1), the webhook's name in place of a path.
    webhooks: list[ContractOperation] = field(default_factory=list)
    unresolved: list[tuple[Node, str]] = field(default_factory=list, repr=False)
    references: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    #: Every ``$ref`` met by the importer's walk, in document order.
    refs: list[Reference] = field(default_factory=list, repr=False)
    #: OpenAPI 3.1 schema resources: absolute ``$id`` URIs (and ``uri#anchor``) to the node that declares them.
    identifiers: dict[str, tuple[str, Pointer]] = field(default_factory=dict, repr=False)
    #: The base URI of each file (its absolute path as a ``file:`` URI when read from disk).
    uris: dict[str, str] = field(default_factory=dict, repr=False)
    #: Where each ``$ref`` node (file, pointer) leads, filled by the importer's walk.
    resolved: dict[tuple[str, Pointer], Node] = field(default_factory=dict, repr=False)
    #: Indexes rules derive from the contract and share (every schema of it, say), computed once per review.
    derived: dict[str, Any] = field(default_factory=dict, repr=False)
    _nodes: dict[tuple[str, Pointer], Node | None] = field(default_factory=dict, repr=False)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Held by the IR as it is: a contract is a read-only index, not data to validate."""
        from pydantic_core import core_schema

        return core_schema.is_instance_schema(cls)

    @property
    def document(self) -> dict[str, Any]:
        tree = self.root.tree
        return tree if isinstance(tree, dict) else {}

    def top(self, key: str) -> Node | None:
        return Node(self.root.tree, self.root.name, ()).child(key)

    @property
    def misplaced(self) -> list[Reference]:
        """References where the document's OpenAPI version does not allow one."""
        return [r for r in self.refs if not r.allowed]

    def resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        """Follow ``$ref`` until a node that is not a reference; None when one does not resolve."""
        while node is not None and isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            if depth > 32:
                return None
            node = self.target(node.value["$ref"], node.file, node.pointer)
            depth += 1
        return node

    def node(self, file: str, pointer: Pointer) -> Node | None:
        """The node at ``pointer`` in ``file`` (as loaded), or None; list indexes in its pointer are ints."""
        key = (file, pointer)
        if key not in self._nodes:
            self._nodes[key] = self._read_node(file, pointer)
        return self._nodes[key]

    def _read_node(self, file: str, pointer: Pointer) -> Node | None:
        source = self.files.get(file)
        if source is None:
            return None
        value = source.tree
        for part in pointer:
            if isinstance(value, dict) and str(part) in value:
                value = value[str(part)]
            elif isinstance(value, list) and str(part).isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return Node(value, file, tuple(int(p) if isinstance(v, list) else str(p) for p, v in _walk_parents(source.tree, pointer)))

    def target(self, ref: str, file: str, pointer: Pointer | None = None) -> Node | None:
        """The node ``ref`` names, written at ``pointer`` in ``file``; None when it does not exist.

        The importer's table answers for every ``$ref`` it walked; others are resolved here:
        a relative file and a percent-encoded JSON pointer, or (OpenAPI 3.1) an ``$id`` or
        ``$anchor`` in scope.
        """
        if pointer is not None:
            known = self.resolved.get((file, pointer))
            if known is not None:
                return known
        found = self.locate_target(ref, file, pointer or ())
        return self.node(*found) if found is not None else None

    def locate_target(self, ref: str, file: str, pointer: Pointer) -> tuple[str, Pointer] | None:
        """Where ``ref`` leads, as (file, pointer), without reading the node."""
        if self.identifiers:
            base = self.base_uri(file, pointer)
            absolute, fragment = urldefrag(urljoin(base, ref))
            resource = self.identifiers.get(absolute)
            if resource is None:
                name = next((n for n, uri in self.uris.items() if uri == absolute), None)
                resource = (name, ()) if name is not None else None
            if resource is not None:
                if fragment and not fragment.startswith("/"):
                    return self.identifiers.get(f"{absolute}#{fragment}")
                return resource[0], (*resource[1], *fragment_pointer(fragment))
        where, _, fragment = ref.partition("#")
        name = self.resolve_file(unquote(where) if "%" in where else where, file) if where else file
        if name is None or name not in self.files:
            return None
        if fragment and not fragment.startswith("/"):
            return self.identifiers.get(f"{self.uris.get(name, name)}#{fragment}")
        return name, fragment_pointer(fragment)

    def base_uri(self, file: str, pointer: Pointer) -> str:
        """The base URI in scope at ``pointer``: the file's, changed by each enclosing ``$id``."""
        source = self.files.get(file)
        base = self.uris.get(file, file)
        value = source.tree if source is not None else None
        for part in pointer:
            if isinstance(value, dict) and isinstance(value.get("$id"), str):
                base = urljoin(base, value["$id"])
            if isinstance(value, dict):
                value = value.get(str(part))
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return base
        if isinstance(value, dict) and isinstance(value.get("$id"), str):
            base = urljoin(base, value["$id"])  # a $ref beside an $id is read against that $id
        return base

    def resolve_file(self, where: str, file: str) -> str | None:
        """The loaded file a relative reference from ``file`` names (the importer fills ``files``)."""
        return _joined(file, where)

    def schemas(self) -> Iterator[Node]:
        """The named schemas of the document: components.schemas (definitions in 2.0), and the schemas that are whole files of
        their own (``$ref: schemas/Pet.yaml``), as a description split into files names them."""
        holder = self.top("definitions") if self.version == "2.0" else _child_path(self.top("components"), "schemas")
        seen: set[tuple[str, Pointer]] = set()
        if holder is not None and isinstance(holder.value, dict):
            for name in holder.value:
                child = holder.child(name)
                if child is not None:
                    target = self.resolve(child)
                    seen.add((target.file, target.pointer) if target is not None else (child.file, child.pointer))
                    yield child
        for reference in self.refs:
            target = self.resolved.get((reference.node.file, reference.node.pointer))
            if reference.kind == "schema" and target is not None and not target.pointer and (target.file, ()) not in seen:
                seen.add((target.file, ()))
                yield target


def _walk_parents(tree: Any, pointer: Pointer) -> Iterator[tuple[str | int, Any]]:
    """Each part of ``pointer`` with the container it indexes (to type list indexes as ints)."""
    value = tree
    for part in pointer:
        yield part, value
        value = value[int(part)] if isinstance(value, list) else value[str(part)]


def _child_path(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        if node is None:
            return None
        node = node.child(key)
    return node


def _joined(file: str, relative: str) -> str:
    """``relative`` read from the folder of ``file``, normalised without touching the disk.

    >>> _joined("api/main.yaml", "../common/errors.yaml")
    'common/errors.yaml'
    """
    import posixpath

    if "://" in relative:
        return relative
    folder = posixpath.dirname(file)
    return posixpath.normpath(posixpath.join(folder, relative))
