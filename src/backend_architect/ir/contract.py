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


@dataclass
class ApiContract:
    """One API document (and the files its ``$ref``s reach), indexed for review."""

    name: str
    version: Version
    root: SourceFile
    files: dict[str, SourceFile]
    operations: list[ContractOperation] = field(default_factory=list)
    #: Operations of ``webhooks`` (OpenAPI 3.1), the webhook's name in place of a path.
    webhooks: list[ContractOperation] = field(default_factory=list)
    unresolved: list[tuple[Node, str]] = field(default_factory=list, repr=False)
    references: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

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

    def resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        """Follow ``$ref`` until a node that is not a reference; None when one does not resolve."""
        while node is not None and isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            if depth > 32:
                return None
            node = self.target(node.value["$ref"], node.file)
            depth += 1
        return node

    def target(self, ref: str, file: str) -> Node | None:
        """The node ``ref`` names, from a node in ``file``; None when it does not exist."""
        where, _, fragment = ref.partition("#")
        name = self.resolve_file(where, file) if where else file
        source = self.files.get(name) if name else None
        if source is None or name is None:
            return None
        value = source.tree
        pointer = parse_pointer(fragment)
        for part in pointer:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and isinstance(part, str) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return Node(value, name, tuple(int(p) if isinstance(v, list) else p for p, v in _walk_parents(source.tree, pointer)))

    def resolve_file(self, where: str, file: str) -> str | None:
        """The loaded file a relative reference from ``file`` names (the importer fills ``files``)."""
        return _joined(file, where)

    def schemas(self) -> Iterator[Node]:
        """The named schemas of the document (components.schemas or definitions)."""
        holder = self.top("definitions") if self.version == "2.0" else _child_path(self.top("components"), "schemas")
        if holder is not None and isinstance(holder.value, dict):
            for name in holder.value:
                child = holder.child(name)
                if child is not None:
                    yield child


def _walk_parents(tree: Any, pointer: Pointer) -> Iterator[tuple[str | int, Any]]:
    """Each part of ``pointer`` with the container it indexes (to type list indexes as ints)."""
    value = tree
    for part in pointer:
        yield part, value
        value = value[int(part)] if isinstance(value, list) else value[part]


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
