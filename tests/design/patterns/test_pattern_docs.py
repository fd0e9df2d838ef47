"""The pattern registry: unique codes and names, known stages, and documentation with every heading a reader needs."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns import Pattern
from backend_architect.design.patterns.registry import PATTERNS, pattern_by_code
from backend_architect.design.pipeline import STAGES

HEADINGS = ("## When it applies", "## What it adds", "## What it costs", "## Alternatives", "## References")


def test_codes_and_names_unique_ok() -> None:
    """No two patterns share a code or a name, and each is found by either."""
    assert len({p.code for p in PATTERNS}) == len(PATTERNS)
    assert len({p.name for p in PATTERNS}) == len(PATTERNS)
    assert all(pattern_by_code(p.code) is p and pattern_by_code(p.name) is p for p in PATTERNS)


def test_every_stage_runs_in_the_pipeline_ok() -> None:
    """Each pattern's stage is a stage of the pipeline, so no registered pattern is silently skipped."""
    stages = {s.__name__.removeprefix("derive_") for s in STAGES}
    assert {p.stage for p in PATTERNS} <= stages


@pytest.mark.parametrize("found", PATTERNS, ids=[p.code for p in PATTERNS])
def test_documentation_has_every_heading_ok(found: Pattern) -> None:
    """The docstring has When it applies, What it adds, What it costs, Alternatives and References, in that order."""
    positions = [found.doc.find(h) for h in HEADINGS]
    assert -1 not in positions, found.code
    assert positions == sorted(positions), found.code
