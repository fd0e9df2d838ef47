"""A get naming its item's many-to-many target in ``reads`` answers the item's link list, as its create sets it.

``get video`` reading ``[Video, Tag]`` answers the video with ``tags``: the targets' unique names where the service holds
them, else their ids (``design/link_writes.py``), at most ``max_per_parent``, read by one index range of the link table on
the item's key. The contract's schema, its example, the request's store steps and the database's reads say the same; a
get whose reads do not name the target answers none.
"""

from __future__ import annotations

import textwrap
from functools import cache

import pytest

from backend_architect.design.pipeline import design
from backend_architect.ir.model import Architecture, Operation
from backend_architect.ir.store_steps import store_steps
from backend_architect.spec.load import load_spec_bytes

# a searched relation by unique names: the get shows the labels a search matched on
PHOTOS = """\
system: gallery
scale: {daily_active: 2M}
entities:
  Label: {fields: {label: {type: string(40), unique: true}}, avg_per_parent: 6, max_per_parent: 30}
  Photo:
    fields: {caption: string(200), width: int, height: int}
    many_to_many: {labels: Label}
    growth: 1M/day
use_cases:
  - {name: post photo, writes: [Photo, Photo.labels], rate: 1M/day}
  - {name: view photo, kind: get, reads: [Photo, Label], rate: 100M/day}
  - {name: search photos, reads: [Photo, Label], search: [caption, labels], page: cursor, rate: 10M/day}
"""

# a target with no unique name: the links are answered as the ids the create takes
RECIPES = """\
system: pantry
scale: {daily_active: 300k}
entities:
  Ingredient: {fields: {kind: "enum[dairy, grain, fruit, other]", grams: int}, avg_per_parent: 8}
  Recipe:
    fields: {title: string(160), minutes: int}
    many_to_many: {ingredients: Ingredient}
    growth: 20k/day
use_cases:
  - {name: write recipe, writes: [Recipe, Recipe.ingredients], rate: 20k/day}
  - {name: open recipe, kind: get, reads: [Recipe, Ingredient], rate: 5M/day}
"""

# two relations, one named by the get's reads: only that one is answered
COURSES = """\
system: school
scale: {daily_active: 100k}
entities:
  Topic: {fields: {slug: {type: string(60), unique: true}}, avg_per_parent: 3, max_per_parent: 10}
  Room: {fields: {code: string(10), seats: int}, avg_per_parent: 2}
  Course:
    fields: {title: string(120), credits: int}
    many_to_many: {topics: Topic, rooms: Room}
    growth: 500/day
use_cases:
  - {name: create course, writes: [Course, Course.topics, Course.rooms], rate: 500/day}
  - {name: get course, kind: get, reads: [Course, Topic], rate: 1M/day}
"""

CASES = [
    pytest.param(PHOTOS, "view photo", "labels", "photo_labels", "label", id="searched-by-name"),
    pytest.param(RECIPES, "open recipe", "ingredients", "recipe_ingredients", None, id="by-id"),
    pytest.param(COURSES, "get course", "topics", "course_topics", "slug", id="one-of-two-relations"),
]


@cache
def designed(text: str) -> Architecture:
    return design(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec)


def _get(arch: Architecture, use_case: str) -> Operation:
    return next(op for api in arch.apis for op in api.operations if use_case in op.use_cases and op.kind == "get")


@pytest.mark.parametrize(("text", "use_case", "relation", "table", "label"), CASES)
def test_get_answers_the_link_list_ok(text: str, use_case: str, relation: str, table: str, label: str | None) -> None:
    """The get's schema holds the relation as names or ids, required, capped; its example lists them; the link table is read."""
    arch = designed(text)
    op = _get(arch, use_case)
    link = next(e for e in op.embeds if e.relation == "links")
    assert (link.name, link.table, link.label) == (relation, table, label)
    schema = next(s for api in arch.apis for s in api.schemas if s.name == op.response_schema)
    prop = next(p for p in schema.properties if p.name == relation)
    assert (prop.type, prop.required, prop.max_items) == ("array", True, link.max_items)
    assert prop.links is not None
    assert (prop.links.by == "name") == (label is not None)
    example = op.example_response
    assert isinstance(example, dict)
    assert isinstance(example.get(relation), list)
    assert example[relation]
    flow = next(f for f in arch.flows if f.use_case == use_case)
    assert any(table in s.text and s.phase == "read" for s in store_steps(arch, flow))
    reads = {k for f in arch.figures if f.key.startswith("db.reads.peak") for k in f.inputs}
    assert any(k.endswith(f"_{table}") for k in reads)


def test_relation_not_named_in_reads_is_not_answered_ok() -> None:
    """A get whose reads name one target of two answers that relation only."""
    op = _get(designed(COURSES), "get course")
    assert [e.name for e in op.embeds if e.relation == "links"] == ["topics"]
