"""A review does not depend on how a description is cut into files: the corpus documents, split by ``redocly split`` (one
file per path item and per component) and by an operation-level splitter (``get: {$ref: ...}``), review to the same
findings as the single file, each located in the file that now holds its node.

Splitting the whole corpus takes Redocly minutes (benchmarks/review_openapi.py does it); the tests split a
deterministic slice of each document: every k-th path item with every component it reaches.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from backend_architect.importers.openapi import import_openapi
from backend_architect.importers.openapi.source import read_source
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding
from backend_architect.rules.registry import API_RULES, review
from conftest import CORPORA, ROOT

REDOCLY = ROOT / "tests" / "js" / "node_modules" / ".bin" / "redocly"
needs_redocly = pytest.mark.skipif(not REDOCLY.exists() or not (CORPORA / "openapi").is_dir(), reason="needs tests/js (npm ci) and the corpora")
PATHS_PER_DOCUMENT = 12


def _splitter() -> Any:
    spec = importlib.util.spec_from_file_location("split_operations", ROOT / "benchmarks" / "split_operations.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reached(document: dict[str, Any], start: Any) -> set[tuple[str, str]]:
    """The components (kind, name) that ``start`` reaches through same-document references and discriminator mappings."""
    found: set[tuple[str, str]] = set()
    stack = [start]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            targets = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
            mapping = value.get("mapping") if isinstance(value.get("mapping"), dict) else {}
            targets += [v for v in mapping.values() if isinstance(v, str)]
            for ref in targets:
                parts = ref.split("/")
                if ref.startswith("#/components/") and len(parts) == 4 and (parts[2], parts[3]) not in found:
                    found.add((parts[2], parts[3]))
                    stack.append(document["components"].get(parts[2], {}).get(parts[3]))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _slice(source: Path) -> dict[str, Any]:
    """Every k-th path item of the document and the components they reach, as one self-contained document."""
    document = read_source(source, str(source)).tree
    paths = list(document["paths"])
    step = max(len(paths) // PATHS_PER_DOCUMENT, 1)
    kept = {p: document["paths"][p] for p in paths[::step][:PATHS_PER_DOCUMENT]}
    reached = _reached(document, kept)
    components = {k: v for k, v in document.get("components", {}).items() if k == "securitySchemes"}
    for kind, name in sorted(reached):
        components.setdefault(kind, {})[name] = document["components"][kind][name]
    return {**{k: v for k, v in document.items() if k not in {"paths", "components"}}, "paths": kept, "components": components}


def _findings(path: Path) -> list[Finding]:
    return review(Architecture(system="t", contracts=import_openapi(path)), API_RULES)


def _comparable(findings: list[Finding]) -> Counter[tuple[str, str]]:
    """What a finding says, whichever file holds its node; API006 counts the split's own `get: {$ref}` (not OpenAPI)."""
    return Counter((f.code, f.message) for f in findings if f.code != "API006")


def _located_in_their_files(findings: list[Finding]) -> None:
    """Each finding points into the file that holds its node, at a line naming that node's key."""
    for finding in findings:
        assert finding.location is not None
        assert finding.anchor is not None
        assert finding.location.file == finding.anchor[0]
        line = Path(finding.location.file).read_text().split("\n")[finding.location.line - 1]
        key = next((str(p) for p in reversed(finding.anchor[1]) if not isinstance(p, int)), None)
        if key is not None and finding.anchor[1] and not isinstance(finding.anchor[1][-1], int):
            assert key in line.replace("~1", "/") or json.dumps(key)[1:-1] in line, (finding, line)


@needs_redocly
@pytest.mark.parametrize("name", ["github-api.github.com.json", "stripe-spec3.yaml"])
def test_split_descriptions_review_the_same_ok(tmp_path: Path, name: str) -> None:
    """Path-item and operation-level splits of a real description give the single file's findings, located in the split files."""
    single = tmp_path / "single.json"
    document = _slice(CORPORA / "openapi" / name)
    single.write_text(json.dumps(document, indent=1))
    expected = _findings(single)
    assert expected, "the slice should have something to review"

    subprocess.run([str(REDOCLY), "split", str(single), "--outDir", str(tmp_path / "by-path")], check=True, capture_output=True, timeout=1200)
    by_path = _findings(tmp_path / "by-path" / "openapi.json")
    assert _comparable(by_path) == _comparable(expected)
    assert {Path(f.location.file).parent.name for f in by_path if f.location} >= {"paths"}
    _located_in_their_files(by_path)

    moved = _splitter().split(json.loads(single.read_text()), tmp_path / "by-operation")
    by_operation = _findings(tmp_path / "by-operation" / "openapi.json")
    assert _comparable(by_operation) == _comparable(expected)
    assert sum(f.code == "API006" for f in by_operation) == moved + sum(f.code == "API006" for f in expected)
    assert {Path(f.location.file).parent.name for f in by_operation if f.location} >= {"operations"}
    _located_in_their_files(by_operation)
    shutil.rmtree(tmp_path)
