"""A description split over files diffs exactly like its bundled copy (real corpora, split at two levels).

Stripe's description is split the two ways teams split theirs — one file per path item, and
one file per operation — with every reference rewritten to point back into the main file.
Each split copy and the bundled one are diffed against the same modified bundled copy; the
breaking changes must be the same, change for change.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from backend_architect.api import diff_paths
from backend_architect.diff.model import Impact
from backend_architect.importers.openapi.source import read_source
from conftest import CORPORA

STRIPE = CORPORA / "openapi" / "stripe-spec3.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
needs_stripe = pytest.mark.skipif(not STRIPE.is_file(), reason=f"the shared corpora are not at {CORPORA}")


def _pointed(value: Any, prefix: str) -> Any:
    """``value`` with every internal reference ``#/...`` made to point into ``prefix`` (the main file, from elsewhere)."""
    if isinstance(value, dict):
        return {k: (prefix + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _pointed(v, prefix)) for k, v in value.items()}
    if isinstance(value, list):
        return [_pointed(v, prefix) for v in value]
    return value


def split_path_items(document: dict[str, Any], folder: Path) -> Path:
    """One file per path item under ``paths/``; the main file keeps the rest."""
    main = dict(document)
    main["paths"] = {}
    (folder / "paths").mkdir(parents=True)
    for i, (path, item) in enumerate(document["paths"].items()):
        name = f"paths/p{i:04d}.json"
        (folder / name).write_text(json.dumps(_pointed(item, "../main.json")))
        main["paths"][path] = {"$ref": name}
    (folder / "main.json").write_text(json.dumps(main))
    return folder / "main.json"


def split_operations(document: dict[str, Any], folder: Path) -> Path:
    """One file per operation under ``operations/``; path items keep their shared parameters."""
    main = dict(document)
    main["paths"] = {}
    (folder / "operations").mkdir(parents=True)
    for i, (path, item) in enumerate(document["paths"].items()):
        kept = {}
        for key, value in item.items():
            if key in METHODS:
                name = f"operations/o{i:04d}-{key}.json"
                (folder / name).write_text(json.dumps(_pointed(value, "../main.json")))
                kept[key] = {"$ref": name}
            else:
                kept[key] = value
        main["paths"][path] = kept
    (folder / "main.json").write_text(json.dumps(main))
    return folder / "main.json"


def modified(document: dict[str, Any]) -> dict[str, Any]:
    """A later version with breaking changes of several families: removed paths, new required parameters, narrowed schemas."""
    changed = copy.deepcopy(document)
    for i, path in enumerate(list(changed["paths"])):
        if i % 15 == 0:
            del changed["paths"][path]
            continue
        for method, op in changed["paths"][path].items():
            if method in METHODS and i % 7 == 0:
                op.setdefault("parameters", []).append({"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}})
    for name in sorted(changed["components"]["schemas"])[::9]:
        schema = changed["components"]["schemas"][name]
        required = schema.get("required")
        if isinstance(required, list) and required and isinstance(schema.get("properties"), dict):
            schema["properties"].pop(required[0], None)
            schema["required"] = required[1:]
        elif isinstance(schema.get("properties"), dict) and schema["properties"]:
            schema["required"] = sorted(schema["properties"])[:1]
    return changed


def breaking(old: Path, new: Path) -> set[tuple[str, str, str]]:
    return {(c.where, c.code, c.message) for c in diff_paths(old, new).changes if c.impact is Impact.BREAKING}


Corpus = tuple[Path, dict[str, Any], set[tuple[str, str, str]]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Stripe's description, a modified copy (as JSON), and the breaking changes between the bundled document and it."""
    folder = tmp_path_factory.mktemp("stripe")
    document = read_source(STRIPE, str(STRIPE)).tree
    bundled, later = folder / "bundled.json", folder / "later.json"
    bundled.write_text(json.dumps(document))
    later.write_text(json.dumps(modified(document)))
    return later, document, breaking(bundled, later)


@needs_stripe
def test_split_by_path_item_diffs_like_bundled_ok(corpus: Corpus, tmp_path: Path) -> None:
    """Path items in their own files: the same breaking changes as the bundled document."""
    later, document, expected = corpus
    assert len(expected) > 300
    assert breaking(split_path_items(document, tmp_path / "by-path"), later) == expected


@needs_stripe
def test_split_by_operation_diffs_like_bundled_ok(corpus: Corpus, tmp_path: Path) -> None:
    """Operations in their own files: the same breaking changes as the bundled document."""
    later, document, expected = corpus
    assert breaking(split_operations(document, tmp_path / "by-operation"), later) == expected
