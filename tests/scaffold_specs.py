"""The specs the scaffold is proven on: the bundled examples, the benchmark specs, and the spec of the shapes they leave out."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from backend_architect.api import DesignResult, design_file
from backend_architect.scaffold import ScaffoldResult, from_files, scaffold

ROOT = Path(__file__).resolve().parent.parent

SPECS = {
    **{p.stem: p for p in sorted((ROOT / "examples").glob("*.yaml"))},
    **{p.parent.name: p for p in sorted((ROOT / "benchmarks" / "system_design").glob("*/spec.yaml"))},
    **{p.stem: p for p in sorted((ROOT / "benchmarks" / "system_design").glob("*.yaml"))},
    "mechanisms": ROOT / "tests" / "scaffold" / "specs" / "mechanisms.yaml",
}

#: spec -> {operation: words of the reason it answers 501}; every other operation is generated.
GAPS: dict[str, dict[str, str]] = {
    "delivery": {"placeOrder": "domain.total_of_order: the parts carry no price"},
    # the past-cutoff filter compares the per-author follower counts (follows_per_followee), which the scaffold does not keep
    "twitter_timelines": {
        "viewHomeTimeline": "Follow rows, which live in service follows",
        "listFollowsForServices": "query parameter past_cutoff matches no column of follows",
    },
    # the question page answers its answers and comments, which other modules own: the scaffold makes no call for them
    "stackoverflow": {"viewQuestion": "(Answer rows), which live in service answers"},
    "uber": {"findNearbyCabs": "a point cabs does not hold"},
    "mechanisms": {"listArticlesOfPeopleIFollow": "Follow rows, which live in service social"},
}


@cache
def designed_spec(name: str) -> DesignResult:
    return design_file(SPECS[name])


def scaffold_spec(name: str, out: Path) -> ScaffoldResult:
    result = designed_spec(name)
    return scaffold(from_files(result.architecture, result.files, name), out)
