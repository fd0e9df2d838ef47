"""A read that must be current is cached when it is the newest page of a parent's append-mostly rows, and every write of them updates the page."""

from __future__ import annotations

import pytest

from backend_architect.design.capacity import row_bytes
from design.helpers import design_of, table

SPEC = """\
system: tickets
scale: {{rates: peak}}
entities:
  Ticket:
    fields: {{title: string(100)}}
    rows: 1M
  Note:
    part_of: Ticket
    fields: {{body: string(500), posted_at: datetime, score: int}}
{note_extra}
use_cases:
  - {{name: list notes of a ticket, actor: agent, kind: list, reads: Note, filter: ticket, sort: {sort}, page: {{limit: 20}}, rate: {reads}{read_extra}}}
  - {{name: add note, actor: agent, kind: create, writes: Note, rate: 100/s}}
{writes}
"""


def _spec(sort: str = "-posted_at", reads: str = "2000/s", read_extra: str = "", writes: str = "", note_extra: str = "") -> str:
    return SPEC.format(sort=sort, reads=reads, read_extra=read_extra, writes=writes, note_extra=note_extra)


@pytest.mark.parametrize(
    ("spec", "cached"),
    [
        pytest.param(_spec(), True, id="newest-first-written-by-requests"),
        pytest.param(_spec(reads="999/s"), False, id="just-below-a-twentieth-of-a-primary"),
        pytest.param(_spec(reads="1000/s"), True, id="at-a-twentieth-of-a-primary"),
        pytest.param(_spec(sort="-score"), False, id="ordered-by-a-score-that-moves"),
        pytest.param(_spec(sort="posted_at"), False, id="oldest-first"),
        pytest.param(_spec(read_extra=", cache: false"), False, id="cache-forbidden"),
        pytest.param(_spec(writes="  - {name: edit note, actor: agent, kind: update, writes: Note, rate: 11/s}"), False, id="updates-not-rare-beside-appends"),
        pytest.param(_spec(writes="  - {name: edit note, actor: agent, kind: update, writes: Note, rate: 10/s}"), True, id="rare-updates-at-the-share"),
        pytest.param(_spec(writes="  - {name: import notes, kind: job, writes: Note, schedule: hourly}"), False, id="a-job-writes-the-rows"),
    ],
)
def test_newest_page_per_parent_is_cached_write_through_ok(spec: str, cached: bool) -> None:
    """Only the shape whose every write can update the page is cached without staleness; every other one reads the database."""
    arch = design_of(spec)
    plan = next(c for c in arch.caches if c.use_case == "list notes of a ticket")
    assert plan.write_through is cached
    assert (plan.strategy == "cache-aside") is cached
    if cached:
        assert "write-through" in plan.invalidation
        assert "add note" in plan.invalidation
        assert "read-your-writes" in plan.rationale
        assert plan.l1_ttl_seconds is None  # a copy per instance would miss the writes
        assert plan.key is not None
        assert "{ticket_id}" in plan.key


def test_recent_page_figures_count_pages_per_parent_ok() -> None:
    """Keys are one page per parent; memory is hot parents x page rows x row bytes; appends cost no miss (w counts updates only)."""
    arch = design_of(_spec(writes="  - {name: edit note, actor: agent, kind: update, writes: Note, rate: 5/s}"))
    memory = next(f for f in arch.figures if f.key == "cache.bytes.list-notes-of-a-ticket")
    assert memory.inputs["keys"] == pytest.approx(1_000_000)
    assert memory.inputs["entry_bytes"] == 20 * row_bytes(table(arch, "notes"))
    assert memory.value == pytest.approx(200_000 * memory.inputs["entry_bytes"])
    hit = next(f for f in arch.figures if f.key == "cache.hit_ratio.list-notes-of-a-ticket")
    assert hit.inputs["invalidating_writes_per_s"] == pytest.approx(5)
    made = next(d for d in arch.decisions if d.id == "cache.list-notes-of-a-ticket")
    assert "write-through" in made.choice


def test_forbidding_the_recent_page_cache_reads_the_database_ok() -> None:
    """``decisions: cache.<use case>: forbid`` turns the write-through page off like any other cache."""
    extra = "decisions:\n  cache.list-notes-of-a-ticket: {forbid: true, reason: notes are audited reads}\n"
    arch = design_of(_spec(writes=extra))
    plan = next(c for c in arch.caches if c.use_case == "list notes of a ticket")
    assert plan.strategy == "none"
