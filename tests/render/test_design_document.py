"""design.md states every figure the design computed: the capacity section loses none of handoff.json's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.render.markdown import CAPACITY_GROUPS
from backend_architect.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "benchmarks" / "system_design").glob("*/spec.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_capacity_section_lists_every_figure_ok(path: Path) -> None:
    """Each figure's quantity appears once in design.md's capacity section, whatever its key prefix."""
    result = design_spec(load_spec(path))
    document = result.files["design.md"]
    capacity = document[document.index("## Capacity") : document.index("\n## ", document.index("## Capacity") + 1)]
    missing = [f.key for f in result.architecture.figures if f"| {f.quantity} |" not in capacity]
    assert not missing, f"{path.name}: figures absent from design.md: {missing[:10]}"


def test_capacity_groups_end_with_a_catch_all_ok() -> None:
    """The last table has no prefix, so a figure of a new kind lands there rather than nowhere."""
    assert CAPACITY_GROUPS[-1][1] == ()
    assert all(prefixes for _, prefixes in CAPACITY_GROUPS[:-1])
