"""Shared fixtures: the bundled examples, their designs, and a real PostgreSQL server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_architect.api import DesignResult, design_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
#: The real schemas and API documents shared beside the repository (read from there, never copied in).
CORPORA = ROOT.parent / "shared" / "corpora"
needs_corpora = pytest.mark.skipif(not (CORPORA / "sql").is_dir(), reason=f"the shared corpora are not at {CORPORA}")
EXAMPLE_IDS = [p.stem for p in EXAMPLES]

sys.path.insert(0, str(Path(__file__).resolve().parent))

_designs: dict[str, DesignResult] = {}


def designed(name: str) -> DesignResult:
    """The design of a bundled example, computed once per test session."""
    if name not in _designs:
        _designs[name] = design_file(ROOT / "examples" / f"{name}.yaml")
    return _designs[name]


@pytest.fixture(params=EXAMPLE_IDS)
def example(request: pytest.FixtureRequest) -> DesignResult:
    return designed(request.param)


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A throwaway PostgreSQL server on loopback, for the whole session."""
    from pg_server import start_server

    server = start_server()
    try:
        yield server
    finally:
        server.stop()
