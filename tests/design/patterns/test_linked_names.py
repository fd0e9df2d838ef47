"""An indexer over a name on linked rows (``search: [title, Tag.name]``) gets the names: each event of a write setting or
changing such a link carries the linked rows' id and searched fields, and the link use cases' events reach the indexer.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture, Event
from backend_architect.spec.load import load_spec_bytes

#: A create sets its links by name in the body (``writes: [Recipe, Recipe.ingredients]``).
RECIPES = """\
system: cookbook
entities:
  Ingredient:
    fields: {name: {type: string(80), unique: true}}
    avg_per_parent: 8
    max_per_parent: 40
  Recipe:
    fields: {title: string(200), steps: text}
    many_to_many: [Ingredient]
    rows: 30M
    growth: 200k/day
use_cases:
  - {name: publish recipe, writes: [Recipe, Recipe.ingredients], rate: 200k/day}
  - {name: edit recipe, kind: update, writes: [Recipe], rate: 50k/day}
  - {name: find recipes, reads: [Recipe, Ingredient], search: [title, Ingredient.name], page: cursor, rate: 3k/s, consistency: eventual}
"""

#: Links made and unmade by use cases of their own, under a relation named apart from its target.
ARTICLES = """\
system: newsroom
entities:
  Label:
    fields: {label: {type: string(40), unique: true}}
    rows: 20k
  Article:
    fields: {headline: string(200), body: text}
    many_to_many: {labels: Label}
    rows: 80M
    growth: 100k/day
use_cases:
  - {name: write article, writes: [Article], rate: 100k/day}
  - {name: label article, writes: [Article.labels], rate: 300k/day}
  - {name: unlabel article, kind: delete, writes: [Article.labels], rate: 20k/day}
  - {name: search articles, reads: [Article, Label], search: [headline, Label.label], page: cursor, rate: 2k/s, consistency: eventual}
"""

#: Two many-to-many targets, only one of them searched: only its rows travel.
TRACKS = """\
system: jukebox
entities:
  Genre:
    fields: {title: {type: string(40), unique: true}}
    avg_per_parent: 2
  Mood:
    fields: {word: {type: string(40), unique: true}}
    avg_per_parent: 3
  Track:
    fields: {name: string(200), seconds: int}
    many_to_many: [Genre, Mood]
    rows: 90M
    growth: 300k/day
use_cases:
  - {name: upload track, writes: [Track, Track.genres, Track.moods], rate: 300k/day}
  - {name: search tracks, reads: [Track, Genre], search: [name, Genre.title], page: cursor, rate: 4k/s, consistency: eventual}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _indexed(arch: Architecture) -> dict[str, Event]:
    return {e.use_case: e for e in arch.events if "search-indexer" in e.consumers}


@pytest.mark.parametrize(
    ("text", "carrying", "part", "fields"),
    [
        pytest.param(RECIPES, ["publish recipe"], "ingredients", ["id", "name"], id="create-sets-links"),
        pytest.param(ARTICLES, ["label article", "unlabel article"], "labels", ["id", "label"], id="link-use-cases"),
        pytest.param(TRACKS, ["upload track"], "genres", ["id", "title"], id="one-of-two-targets"),
    ],
)
def test_events_setting_links_carry_the_searched_names_ok(text: str, carrying: list[str], part: str, fields: list[str]) -> None:
    """Every write setting a searched link reaches the indexer carrying the linked rows' id and searched fields."""
    arch = _design(text)
    events = _indexed(arch)
    for use_case in carrying:
        parts = {p.table: p for p in events[use_case].parts}
        assert part in parts, use_case
        assert [c.name for c in parts[part].columns] == fields


def test_rows_per_event_follow_the_links_a_write_sets_ok() -> None:
    """A create carries its average links (the target's avg_per_parent); a link use case carries the one link it makes."""
    assert next(p.rows for p in _indexed(_design(RECIPES))["publish recipe"].parts) == 8
    assert all(p.rows == 1 for e in _indexed(_design(ARTICLES)).values() for p in e.parts)


def test_unsearched_links_do_not_travel_err() -> None:
    """A linked target no search reads (moods), and a write setting no link (edit recipe), carry no linked rows."""
    assert "moods" not in {p.table for e in _indexed(_design(TRACKS)).values() for p in e.parts}
    assert _indexed(_design(RECIPES))["edit recipe"].parts == []
