"""Generated artefacts match the golden files under tests/golden/<example>/.

Refresh after an intended change with ``BA_UPDATE_GOLDENS=1`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend_architect.api import DesignResult
from conftest import EXAMPLE_IDS, designed

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("BA_UPDATE_GOLDENS") == "1"


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_outputs_match_goldens_ok(name: str) -> None:
    """Every file of the design equals its golden copy, and no golden file is stale."""
    result: DesignResult = designed(name)
    folder = GOLDEN / name
    if UPDATE:
        for old in folder.rglob("*"):
            if old.is_file():
                old.unlink()
        for relative, text in result.files.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    expected = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}
    assert expected, f"no golden files for {name}; run with BA_UPDATE_GOLDENS=1"
    assert sorted(result.files) == sorted(expected), "the set of generated files changed"
    for relative, text in result.files.items():
        assert text == expected[relative], f"{name}/{relative} differs from its golden file"
