"""A shard key chosen among filters used equally often is the same whatever the hash seed: the one the spec names first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from design.helpers import design_of, table

VISITS = """\
system: fitness
scale: {rates: peak}
entities:
  Athlete: {rows: 10M, fields: {name: string(60)}}
  Gym: {rows: 100k, fields: {name: string(60)}}
  Visit: {growth: 900M/day, fields: {athlete: ref(Athlete), gym: ref(Gym), minutes: int}}
use_cases:
  - {name: check in, kind: create, writes: [Visit], rate: 12k/s}
  - {name: my visits at a gym, kind: list, reads: [Visit], filter: [athlete, gym], rate: 2k/s}
"""

READINGS = """\
system: meters
scale: {rates: peak}
entities:
  Site: {rows: 50k, fields: {name: string(60)}}
  Meter: {rows: 2M, fields: {serial: string(30)}}
  Reading: {append_only: true, fields: {site: ref(Site), meter: ref(Meter), watts: int}}
use_cases:
  - {name: record reading, kind: create, writes: [Reading], rate: 20k/s}
  - {name: readings of a meter at a site, kind: list, reads: [Reading], filter: [site, meter], rate: 500/s}
"""

BIDS = """\
system: auctions
scale: {rates: peak}
entities:
  Lot: {rows: 5M, fields: {title: string(100)}}
  Bidder: {rows: 1M, fields: {name: string(60)}}
  Bid: {fields: {lot: ref(Lot), bidder: ref(Bidder), amount: money}}
use_cases:
  - {name: place bid, kind: create, writes: [Bid], rate: 9k/s}
  - {name: bids on a lot, kind: list, reads: [Bid], filter: [lot], rate: 1k/s}
  - {name: bids by a bidder, kind: list, reads: [Bid], filter: [bidder], rate: 1k/s}
"""


@pytest.mark.parametrize(
    ("text", "name", "key"),
    [
        pytest.param(VISITS, "visits", "athlete_id", id="one-read-two-filters"),
        pytest.param(READINGS, "readings", "site_id", id="append-only-log"),
        pytest.param(BIDS, "bids", "lot_id", id="two-reads-one-filter-each"),
    ],
)
def test_tied_filters_pick_the_first_named_ok(text: str, name: str, key: str) -> None:
    """Filters used by as many reads as each other give the key the spec names first, not the one a set's order puts first."""
    sharding = table(design_of(text), name).sharding
    assert sharding is not None
    assert sharding.key == key


def test_tied_key_same_under_two_hash_seeds_ok(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same design for a spec whose shard key is a tie."""
    spec = tmp_path / "visits.yaml"
    spec.write_text(VISITS)
    written = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "backend_architect.cli", "design", str(spec), "-o", str(out)], check=True, env=env, capture_output=True)
        written.append((out / "design.md").read_text())
    assert written[0] == written[1]
