"""The decomposition benchmark's inputs stay valid: every spec loads, its truth partitions exactly its entities, and the scores are right."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from backend_architect.spec.load import load_spec_bytes
from conftest import ROOT

BENCHMARK = ROOT / "benchmarks" / "decomposition"


def _runner() -> ModuleType:
    loaded = importlib.util.spec_from_file_location("decomposition_run", BENCHMARK / "run.py")
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def _systems() -> list[str]:
    run = _runner()
    return [*run.SYSTEMS, *run.HELD_OUT]


def test_every_system_folder_is_scored_ok() -> None:
    """A system added to the folder but left out of the runner (or the reverse) would silently skew the means."""
    folders = sorted(p.name for p in BENCHMARK.iterdir() if (p / "spec.yaml").is_file())
    assert sorted(_systems()) == folders


@pytest.mark.parametrize("system", _systems())
def test_truth_partitions_the_spec_entities_ok(system: str) -> None:
    """Each entity of the spec is owned by exactly one real service in truth.yaml."""
    path: Path = BENCHMARK / system / "spec.yaml"
    spec = load_spec_bytes(path.read_bytes(), str(path)).spec
    owned = yaml.safe_load((BENCHMARK / system / "truth.yaml").read_text())
    entities = [e for members in owned.values() for e in members]
    assert sorted(entities) == sorted(spec.entities)
    assert spec.services is None, "the benchmark must not tell the engine the answer"


def test_scores_match_their_definitions_ok() -> None:
    """MoJoFM and the adjusted Rand index agree with their documented examples."""
    run = _runner()
    failures, tried = doctest.testmod(run)
    assert tried >= 4
    assert failures == 0
    truth = {"a": "1", "b": "1", "c": "2", "d": "2"}
    assert run.mojofm({"a": "x", "b": "y", "c": "z", "d": "z"}, truth) == 50.0  # one join saves one of two operations
    assert run.adjusted_rand(dict.fromkeys(truth, "all"), truth) == 0.0
