"""Documented examples run: the README's spec designs, and its library snippet works."""

from __future__ import annotations

import re
from pathlib import Path

from backend_architect import design_spec, load_spec_bytes
from conftest import ROOT


def _blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), flags=re.DOTALL)


def test_readme_spec_designs_ok() -> None:
    """The spec shown in the README is valid and designs into contracts and DDL."""
    specs = [b for b in _blocks(ROOT / "README.md", "yaml") if b.startswith("system:")]
    assert specs
    for text in specs:
        result = design_spec(load_spec_bytes(text.encode(), "README.md").spec)
        assert any(p.startswith("openapi/") for p in result.files)


def test_readme_library_snippet_runs_ok(tmp_path: Path, monkeypatch: object) -> None:
    """The README's Python snippet runs as written (from the project root)."""
    (code,) = _blocks(ROOT / "README.md", "python")
    monkeypatch.chdir(ROOT)  # type: ignore[attr-defined]
    code = code.replace('"out/"', repr(str(tmp_path)))
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "design.md").is_file()


def test_api_conventions_doc_is_generated_ok() -> None:
    """docs/api-conventions.md is exactly what the generator's own constants produce."""
    from backend_architect.conventions import render_api_conventions

    assert (ROOT / "docs" / "api-conventions.md").read_text() == render_api_conventions()


def test_rules_doc_is_generated_ok() -> None:
    """docs/rules.md (where SARIF's helpUri points) is exactly what the rule registry produces."""
    from backend_architect.rules.catalogue import render_rules_markdown
    from backend_architect.rules.registry import RULES

    assert (ROOT / "docs" / "rules.md").read_text() == render_rules_markdown(RULES)
