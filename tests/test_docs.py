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


def test_spec_reference_spellings_are_generated_ok() -> None:
    """docs/spec.md's "Other spellings" table is exactly what the loader's alias tables say."""
    from backend_architect.spec.reference import END, START, render_spellings

    text = (ROOT / "docs" / "spec.md").read_text()
    block = text[text.index(START) : text.index(END) + len(END)]
    assert block == render_spellings()


def test_spec_reference_documents_every_key_ok() -> None:
    """Every key of every part of the spec language is named in docs/spec.md (in backticks), so the reference cannot drift from the models."""
    from backend_architect.spec import model

    text = (ROOT / "docs" / "spec.md").read_text()
    parts = [
        model.Spec,
        model.ScaleSpec,
        model.TeamSpec,
        model.ConstraintsSpec,
        model.ExternalSpec,
        model.EntitySpec,
        model.FieldSpec,
        model.UseCaseSpec,
        model.PageSpec,
        model.DecisionOverride,
    ]
    missing = sorted({f"{part.__name__}.{key}" for part in parts for key in part.model_fields if f"`{key}`" not in text and f"`{key}:" not in text})
    assert missing == []


def test_spec_reference_examples_load_ok() -> None:
    """Every complete spec (a block starting with 'system:') and every entities/use_cases example in docs/spec.md loads."""
    blocks = _blocks(ROOT / "docs" / "spec.md", "yaml")
    entities = next(b for b in blocks if b.startswith("entities:"))
    use_cases = next(b for b in blocks if b.startswith("use_cases:"))
    spec = (
        "system: reference\nexternal: [stripe, postmark]\n"
        + entities
        + "  Customer: {fields: {email: email}}\n  Tag: {fields: {name: string}}\n  Order2: {fields: {status: string}}\n"
        + use_cases.replace("writes: [Order.status]", "writes: [Order.status]")
    )
    assert load_spec_bytes(spec.encode(), "docs/spec.md").spec.system == "reference"


def test_rules_doc_is_generated_ok() -> None:
    """docs/rules.md (where SARIF's helpUri points) is exactly what the rule registry produces."""
    from backend_architect.rules.catalogue import render_rules_markdown
    from backend_architect.rules.registry import RULES

    assert (ROOT / "docs" / "rules.md").read_text() == render_rules_markdown(RULES)
