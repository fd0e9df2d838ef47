"""Every Mermaid diagram we write (files and blocks in design.md) parses with Mermaid's own parser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from backend_architect.api import DesignResult

JS = Path(__file__).resolve().parent.parent / "js"


def _mermaid_sources(result: DesignResult) -> dict[str, str]:
    sources = {path: text for path, text in result.files.items() if path.endswith(".mmd")}
    blocks = re.findall(r"```mermaid\n(.*?)```", result.files["design.md"], flags=re.DOTALL)
    sources.update({f"design.md#block{i}": block for i, block in enumerate(blocks)})
    return sources


def test_mermaid_diagrams_parse_ok(example: DesignResult, tmp_path: Path) -> None:
    """Mermaid 11 parses every architecture flowchart and ER diagram, and names its type."""
    if shutil.which("node") is None or not (JS / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is not installed: run the README's test command (it runs npm ci in tests/js)")
    sources = _mermaid_sources(example)
    files = []
    for i, (name, text) in enumerate(sorted(sources.items())):
        path = tmp_path / f"{i}.mmd"
        path.write_text(text)
        files.append((name, path))
    completed = subprocess.run(["node", str(JS / "parse_mermaid.mjs"), *(str(p) for _, p in files)], capture_output=True, text=True, timeout=120)
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(results) == len(files), completed.stderr
    failures = [f"{name}: {r['error']}" for (name, _), r in zip(files, results, strict=True) if not r["ok"]]
    assert not failures, failures
    types = {r["type"] for r in results}
    assert {"flowchart-v2", "er"} <= types


def test_mermaid_parser_rejects_broken_diagram_ok(tmp_path: Path) -> None:
    """The parser harness really fails on a broken diagram, so the test above can fail."""
    if shutil.which("node") is None or not (JS / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is not installed: run the README's test command")
    bad = tmp_path / "bad.mmd"
    bad.write_text("erDiagram\n    books {\n        uuid id PK PK PK\n")
    completed = subprocess.run(["node", str(JS / "parse_mermaid.mjs"), str(bad)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["ok"] is False


def test_mermaid_diagrams_of_written_shapes_parse_ok(tmp_path: Path) -> None:
    """Every diagram of the consistency table's designs (benchmark cases and written shapes: partly served reads, pushes,
    shards) parses too: message texts carry semicolons and hashes the examples never do."""
    from tests.design.test_document_consistency import RENDERED

    if shutil.which("node") is None or not (JS / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is not installed: run the README's test command")
    files = []
    for design, rendered in sorted(RENDERED.items()):
        sources = {path: text for path, text in rendered.items() if path.endswith(".mmd")}
        sources.update({f"design.md#block{i}": b for i, b in enumerate(re.findall(r"```mermaid\n(.*?)```", rendered["design.md"], flags=re.DOTALL))})
        for name, text in sorted(sources.items()):
            path = tmp_path / f"{len(files)}.mmd"
            path.write_text(text)
            files.append((f"{design}/{name}", path))
    completed = subprocess.run(["node", str(JS / "parse_mermaid.mjs"), *(str(p) for _, p in files)], capture_output=True, text=True, timeout=300)
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(results) == len(files), completed.stderr
    assert [f"{name}: {r['error'][:200]}" for (name, _), r in zip(files, results, strict=True) if not r["ok"]] == []
