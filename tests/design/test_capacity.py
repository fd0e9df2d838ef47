"""Capacity: every figure equals its stated formula evaluated over its inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_architect.api import DesignResult, design_file
from backend_architect.ir.model import Figure
from design.formulas import recompute

#: Specs of other shapes than the examples: few cached keys, a sharded aggregate with its parts, history past one primary.
SPECS = sorted((Path(__file__).parent / "specs").glob("*.yaml"))


def _disagreements(figures: list[Figure]) -> list[str]:
    """Each figure whose value is not its formula over its inputs, or whose formula cannot be read."""
    wrong = []
    for figure in figures:
        expected = recompute(figure)
        if expected is None:
            if not figure.formula.startswith("decided by the spec author"):
                wrong.append(f"{figure.key}: formula not readable: {figure.formula}")
        elif figure.value != pytest.approx(expected, rel=1e-9, abs=1e-12):
            wrong.append(f"{figure.key} = {figure.value} but {figure.formula} over {dict(figure.inputs)} = {expected}")
    return wrong


def test_figures_recompute_from_inputs_ok(example: DesignResult) -> None:
    """Every figure of an example equals its stated formula applied to its inputs."""
    assert example.architecture.figures
    assert _disagreements(example.architecture.figures) == []


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_figures_recompute_from_inputs_other_shapes_ok(path: Path) -> None:
    """Every figure of a spec of another shape equals its stated formula applied to its inputs."""
    figures = design_file(path).architecture.figures
    assert figures
    assert _disagreements(figures) == []


def test_formula_value_disagreement_err() -> None:
    """A value that is not its formula over its inputs (a hot share the value ignores) is reported."""
    inputs = {"keys": 1.0, "hot_share": 0.2, "entry_bytes": 2048.0}
    ignored = Figure(key="cache.bytes.x", quantity="q", value=2048.0, unit="bytes", formula="keys x hot_share x entry_bytes", inputs=inputs)
    said = ignored.model_copy(update={"formula": "ceil(keys x hot_share) x entry_bytes"})
    prose = ignored.model_copy(update={"formula": "the usual amount"})
    assert _disagreements([said]) == []
    assert len(_disagreements([ignored, prose])) == 2


def test_rates_convert_with_stated_peak_factor_ok(example: DesignResult) -> None:
    """Each rated use case has an average and a peak figure, and peak >= average."""
    figures = {f.key: f.value for f in example.architecture.figures}
    for use_case in example.spec.use_cases:
        if use_case.rate is None:
            continue
        key = use_case.name.lower().replace(" ", "-")
        assert figures[f"qps.peak.{key}"] >= figures[f"qps.avg.{key}"] > 0


def test_datastore_size_is_sum_of_tables_ok(example: DesignResult) -> None:
    """A datastore's size is the sum of its tables' sizes."""
    figures = {f.key: f.value for f in example.architecture.figures}
    for store in example.architecture.datastores:
        tables = sum(figures[f"bytes.1y.{t.name}"] for t in store.tables)
        assert figures[f"bytes.1y.datastore.{store.name}"] == pytest.approx(tables)
