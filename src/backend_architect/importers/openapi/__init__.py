"""OpenAPI 3.0/3.1 and Swagger 2.0 documents → ``ApiContract``s for the reviewer.

``import_openapi`` reads one document (or every document of a folder), loads the files
its relative ``$ref``s reach, and indexes its operations. What a reference may reach is a
security decision, not a convenience: a reviewer running on a server must not become a file
reader or an SSRF proxy, so references to URLs, absolute paths and files outside the
document's folder are refused unless the caller allows them (``allow_external``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from backend_architect.errors import InputError, InputErrors, Location
from backend_architect.importers import files_inside
from backend_architect.importers.openapi.index import index_operations, index_webhooks
from backend_architect.importers.openapi.source import MAX_FILE_BYTES, parse_source, read_source
from backend_architect.importers.openapi.walk import walk_references
from backend_architect.ir.contract import ApiContract, Pointer, SourceFile, Version, parse_pointer, pointer_text

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class RefPolicy:
    """What a ``$ref`` may reach besides the document's own folder."""

    allow_external: bool = False
    root: Path | None = None


#: Operations one document may hold: 10,000 review in about six seconds; past that a review is refused, not slow.
MAX_OPERATIONS = 10_000


def import_openapi(target: str | Path, *, allow_external: bool = False) -> list[ApiContract]:
    """The API documents at ``target`` (a file, or a folder of them), each indexed for review."""
    path = Path(target)
    if path.is_dir():
        contracts = []
        for candidate in files_inside(path, sorted(p for p in path.rglob("*") if p.suffix in _DOCUMENT_SUFFIXES and p.is_file())):
            source = read_source(candidate, str(candidate))
            if isinstance(source.tree, dict) and ("openapi" in source.tree or "swagger" in source.tree):
                contracts.append(_contract(source, RefPolicy(allow_external, path.resolve()), candidate))
        if not contracts:
            raise InputError(Location(str(path)), "no OpenAPI or Swagger document in this folder")
        return contracts
    source = read_source(path, str(target))
    return [_contract(source, RefPolicy(allow_external, path.resolve().parent), path)]


def import_openapi_text(text: str, name: str = "<openapi>") -> ApiContract:
    """One document given as text; it may only use references inside itself."""
    source = parse_source(text.encode(), name)
    return _contract(source, RefPolicy(False, None), None)


def document_version(source: SourceFile) -> Version:
    """Which OpenAPI the document is written in, from its ``openapi``/``swagger`` field."""
    tree = source.tree
    if not isinstance(tree, dict):
        raise InputError(Location(source.name), "an OpenAPI document is a mapping with an 'openapi' (or 'swagger') field")
    declared = str(tree.get("openapi", tree.get("swagger", "")))
    for prefix, version in (("3.1", "3.1"), ("3.0", "3.0"), ("2.0", "2.0")):
        if declared.startswith(prefix):
            return version  # type: ignore[return-value]
    key = "openapi" if "openapi" in tree else "swagger" if "swagger" in tree else None
    where = source.locator.locate_many([(key,)])[(key,)] if key else (1, 1)
    if key is None:
        raise InputError(Location(source.name, *where), "not an OpenAPI document: no 'openapi' or 'swagger' field")
    raise InputError(Location(source.name, *where), f"unsupported version {declared!r}: expected OpenAPI 3.0, 3.1 or Swagger 2.0")


def _contract(source: SourceFile, policy: RefPolicy, path: Path | None) -> ApiContract:
    version = document_version(source)
    paths = source.tree.get("paths") if isinstance(source.tree, dict) else None
    declared = sum(len(_METHODS & set(item)) for item in paths.values() if isinstance(item, dict)) if isinstance(paths, dict) else 0
    _refuse_past_limit(source, declared)  # before references are followed: a refusal costs no more than the parse
    contract = ApiContract(name=source.name, version=version, root=source, files={source.name: source})
    files = _Files(contract, policy, path)
    walk_references(contract, files.load)
    if files.refused:
        raise InputErrors(files.refused)
    for reference in contract.refs:
        target = contract.resolved.get((reference.node.file, reference.node.pointer))
        if target is not None:
            key = (target.file, pointer_text(target.pointer))
            contract.references[key] = contract.references.get(key, 0) + 1
    contract.operations = index_operations(contract)
    _refuse_past_limit(source, len(contract.operations))  # path items that were references count too
    contract.webhooks = index_webhooks(contract)
    return contract


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _refuse_past_limit(source: SourceFile, operations: int) -> None:
    if operations > MAX_OPERATIONS:
        paths = source.locator.locate_many([("paths",)]).get(("paths",), (1, 1))
        raise InputError(
            Location(source.name, *paths),
            f"{operations:,} operations: a review takes at most {MAX_OPERATIONS:,} (GitHub's whole API has about 1,100); split the document",
        )


def _uri(name: str, on_disk: Path | None) -> str:
    """The base URI of a file: its absolute path when it was read from disk, so relative references join as paths do."""
    return on_disk.as_uri() if on_disk is not None else "file:///" + quote(name.lstrip("/"))


class _Files:
    """The files a contract's references reach, loaded on first use; references the policy refuses are collected, located."""

    def __init__(self, contract: ApiContract, policy: RefPolicy, path: Path | None) -> None:
        self.contract = contract
        self.policy = policy
        on_disk = path.resolve() if path is not None else None
        self.disk: dict[str, Path | None] = {contract.root.name: on_disk}
        contract.uris[contract.root.name] = _uri(contract.root.name, on_disk)
        self.refused: list[InputError] = []

    def load(self, where: str, origin: str, at: Pointer) -> str | None:
        """The name of the file ``where`` names from ``origin`` (loading it), or None when it is refused or missing."""
        contract = self.contract
        name = contract.resolve_file(where, origin)
        if name in contract.files:
            return name
        problem = _refusal(where, self.disk.get(origin), self.policy)
        if problem:
            source = contract.files[origin]
            line, col = source.locator.locate_many([(*at, "$ref")])[(*at, "$ref")]
            self.refused.append(InputError(Location(origin, line, col), problem))
            return None
        loaded = _load(where, self.disk.get(origin), name or where)
        if loaded is None:
            return None  # reported as an unresolved reference, with its position
        file, on_disk = loaded
        contract.files[file.name] = file
        contract.uris[file.name] = _uri(file.name, on_disk) if not _URL.match(where) else where
        self.disk[file.name] = on_disk
        return file.name


def _refusal(where: str, origin: Path | None, policy: RefPolicy) -> str | None:
    """Why a reference to ``where`` is refused, or None when it may be followed."""
    if policy.allow_external:
        return None
    if _URL.match(where):
        return f"$ref to a URL ({where}) is not followed; pass --allow-external-refs to allow it"
    if where.startswith(("/", "\\")) or os.path.isabs(where):
        return f"$ref to an absolute path ({where}) is not followed; pass --allow-external-refs to allow it"
    if origin is None or policy.root is None:
        return f"$ref to another file ({where}) needs the document to be read from disk"
    resolved = (origin.parent / where).resolve()
    if not resolved.is_relative_to(policy.root):
        return f"$ref leaves the document's folder ({where}); pass --allow-external-refs to allow it"
    return None


def _load(where: str, origin: Path | None, name: str) -> tuple[SourceFile, Path | None] | None:
    if _URL.match(where):
        return _fetch(where)
    base = origin.parent if origin is not None else Path()
    on_disk = (base / where).resolve()
    if not on_disk.is_file():
        return None
    return read_source(on_disk, name), on_disk


def _fetch(url: str) -> tuple[SourceFile, Path | None] | None:
    """A document from a URL the user allowed; bounded in time and size."""
    import urllib.request

    if not url.startswith(("https://", "http://")):
        return None
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            raw = response.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return parse_source(raw, url), None


__all__ = ["import_openapi", "import_openapi_text", "parse_pointer"]
