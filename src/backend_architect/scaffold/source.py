"""The finished design a project is scaffolded from: the hand-off's IR, the contracts and the migrations.

Everything is read from the design's output folder (or taken from a design made in the same
run); nothing is re-derived. The OpenAPI documents must be the ones the IR renders, so the
contract the service serves is the one its code was generated from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backend_architect.errors import InputError, Location
from backend_architect.ir.model import Architecture
from backend_architect.render.openapi import render_openapi
from backend_architect.render.yaml_text import to_yaml

#: Largest contract document read from a design folder.
MAX_CONTRACT_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Design:
    """A design's IR with the files the scaffold copies: contracts and migrations, per service."""

    architecture: Architecture
    openapi: dict[str, str]
    asyncapi: dict[str, str]
    #: service -> {file name: text}, in version order.
    migrations: dict[str, dict[str, str]]
    origin: str


def from_files(architecture: Architecture, files: dict[str, str], origin: str = "design") -> Design:
    """A design from its rendered files (``design --scaffold`` hands them over without a round trip to disk)."""
    openapi = {p.removeprefix("openapi/").removesuffix(".yaml"): t for p, t in files.items() if p.startswith("openapi/") and p.endswith(".yaml")}
    asyncapi = {p.removeprefix("asyncapi/").removesuffix(".yaml"): t for p, t in files.items() if p.startswith("asyncapi/") and p.endswith(".yaml")}
    migrations: dict[str, dict[str, str]] = {}
    for path, text in sorted(files.items()):
        parts = path.split("/")
        if len(parts) == 4 and parts[0] == "schema" and parts[2] == "migrations" and parts[3].endswith(".sql"):
            migrations.setdefault(parts[1], {})[parts[3]] = text
    design = Design(architecture, openapi, asyncapi, migrations, origin)
    _check(design)
    return design


def load_design(folder: str | Path) -> Design:
    """Read a design output folder; every problem is an ``InputError`` naming the file."""
    from backend_architect.api import load_previous

    root = Path(folder)
    if not root.is_dir():
        raise InputError(Location(str(root)), "not a folder: scaffold takes the output folder of 'backend-architect design'")
    previous = load_previous(root)
    files: dict[str, str] = dict(previous.migrations)
    for kind in ("openapi", "asyncapi"):
        for path in sorted((root / kind).glob("*.yaml")):
            if path.is_symlink() or not path.is_file():
                continue
            if path.stat().st_size > MAX_CONTRACT_BYTES:
                raise InputError(Location(str(path)), f"larger than {MAX_CONTRACT_BYTES // 2**20} MiB")
            try:
                files[f"{kind}/{path.name}"] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(Location(str(path)), f"cannot read: {exc}") from None
    return from_files(previous.architecture, files, str(root))


def _check(design: Design) -> None:
    """Every service has its contract and migrations, and each contract is the one the IR renders."""
    arch = design.architecture
    base = Path(design.origin)
    if not arch.apis:
        raise InputError(Location(str(base / "handoff.json")), "the design has no APIs: nothing to scaffold")
    for api in arch.apis:
        path = str(base / "openapi" / f"{api.service}.yaml")
        text = design.openapi.get(api.service)
        if text is None:
            raise InputError(Location(path), f"missing: the hand-off designs an API for {api.service}")
        if text != to_yaml(render_openapi(api, arch)):
            line = _first_difference(text, to_yaml(render_openapi(api, arch)))
            raise InputError(Location(path, line), "differs from the contract the hand-off's IR renders; design again rather than editing the contract by hand")
    for store in arch.datastores:
        if store.service and not design.migrations.get(store.service):
            raise InputError(Location(str(base / "schema" / store.service / "migrations")), f"no migrations for {store.service}'s datastore")


def _first_difference(left: str, right: str) -> int:
    for number, (a, b) in enumerate(zip(left.splitlines(), right.splitlines(), strict=False), start=1):
        if a != b:
            return number
    return min(len(left.splitlines()), len(right.splitlines())) + 1
