"""The normalization record lists every table the DDL holds that stores no fact of its own (a count a feed's cut-off reads,
an event-fed copy), each with who keeps it, read from the tables generated; entity tables, many-to-many links, renditions
and the messaging tables are facts stored once and are not listed.

Specs of different shapes: a board fed through another service's graph (counts per watched member beside the graph and
beside its copy), a catalogue with genres, covers and plays counted in another service (a copy of ids; links and
renditions stay unlisted), and a one-service shelf with links and covers only (nothing listed: every fact stored once).
"""

from __future__ import annotations

import pytest
from tests.design.helpers import spec_of
from tests.design.test_fanout_steps import BOARD

from backend_architect.design.held_copies import held_copies, own_fact_tables
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Decision

#: Tracks with genres and covers; plays live in their own service and check tracks past the copy threshold.
CHARTS = """
system: jukebox
entities:
  Track:
    fields: {title: string(120), cover: {type: blob, avg_bytes: 1MB, media: {renditions: [thumb], thumbnails: true}}}
    many_to_many: {genres: Genre}
    rows: 2M
  Genre: {fields: {name: string(40)}, rows: 300}
  Play: {append_only: true, fields: {track: ref(Track)}}
use_cases:
  - {name: add track, actor: label, writes: [Track], rate: 100/day}
  - {name: play track, actor: listener, writes: [Play], rate: 2k/s}
  - {name: top tracks, actor: listener, reads: [Play], top: {by: count, field: track, k: 20, window: 1h}, rate: 300/s}
  - {name: tracks of genre, actor: listener, reads: [Track], filter: [genres], rate: 20/s}
"""

#: One service: books on shelves with covers, nothing hot enough for a copy.
SHELF = """
system: shelf
entities:
  Book:
    fields: {title: string(200), cover: {type: blob, avg_bytes: 500KB, media: {renditions: [thumb], thumbnails: true}}}
    many_to_many: {labels: Label}
    rows: 100k
  Label: {fields: {name: string(40)}, rows: 1k}
use_cases:
  - {name: add book, actor: owner, writes: [Book], rate: 50/day}
  - {name: books with label, actor: owner, reads: [Book], filter: [labels], rate: 2/s}
"""

CASES = [
    pytest.param(BOARD, {"watches_per_watched", "known_watches_per_watched", "known_watches"}, id="counts-beside-graph-and-copy"),
    pytest.param(CHARTS, {"known_tracks"}, id="copy-with-links-and-renditions"),
    pytest.param(SHELF, set(), id="links-and-renditions-only"),
]


def _record(decisions: list[Decision]) -> Decision:
    return next(d for d in decisions if d.id == "normalization")


@pytest.mark.parametrize(("text", "derived"), CASES)
def test_record_lists_every_derived_table_ok(text: str, derived: set[str]) -> None:
    """Every table outside the home of its own facts is in the record's exceptions, and the record says every fact is stored
    once only where there is none."""
    spec = spec_of(text)
    arch, analysis = design_with_analysis(spec)
    generated = {t.name for s in arch.datastores for t in s.tables}
    outside = generated - own_fact_tables(spec, arch)
    assert outside == derived
    record = _record(arch.decisions)
    for name in outside:
        assert f"{name} in " in record.choice, name
    assert ("so every fact is stored once" in record.rationale) == (not outside)
    listed = {c.name for c in held_copies(spec, analysis, arch)}
    assert outside <= listed


def test_count_table_names_its_keepers_ok() -> None:
    """A count the fan-out cut-off reads is listed with the writes that move it and the worker that reads it."""
    spec = spec_of(BOARD)
    arch, analysis = design_with_analysis(spec)
    count = next(c for c in held_copies(spec, analysis, arch) if c.name == "watches_per_watched")
    said = count.said()
    assert "kept by 'watch member' at " in said
    assert "'stop watching' at " in said
    assert "by board-fanout" in said


def test_links_and_renditions_are_own_facts_ok() -> None:
    """A many-to-many link and a media field's renditions hold facts stored nowhere else: never listed as copies."""
    spec = spec_of(SHELF)
    arch, _ = design_with_analysis(spec)
    generated = {t.name for s in arch.datastores for t in s.tables}
    assert {"book_labels", "books_cover_renditions"} <= generated
    assert generated <= own_fact_tables(spec, arch)
