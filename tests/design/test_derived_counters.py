"""A normalisation record saying each fact is stored once names the derived counters it keeps beside their rows (a thread's
reply count, a post's likes) as its exception, and says nothing of them where a design keeps none."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes

#: A forum: a thread counts its replies, kept by each reply's create.
FORUM = """\
system: forum
entities:
  Member: {fields: {name: string(80)}, rows: 100k}
  Thread:
    fields:
      author: ref(Member)
      title: string(150)
      reply_count: {type: int, default: 0, generated: true}
  Reply: {fields: {thread: ref(Thread), author: ref(Member), body: text}, rows: 5M}
use_cases:
  - {name: start thread, actor: member, kind: create, writes: [Thread], rate: 2k/day}
  - {name: reply to thread, actor: member, kind: create, writes: [Reply], rate: 20k/day}
"""

#: Recipes rated by cooks: two counters on one recipe, one kept by ratings, one by reviews.
RECIPES = """\
system: recipes
entities:
  Cook: {fields: {name: string(80)}, rows: 1M}
  Recipe:
    fields:
      cook: ref(Cook)
      title: string(200)
      rating: {type: decimal, default: 0, generated: true}
      review_count: {type: int, default: 0, generated: true}
  Review: {fields: {recipe: ref(Recipe), cook: ref(Cook), stars: int, body: text}, rows: 10M}
use_cases:
  - {name: add recipe, actor: cook, kind: create, writes: [Recipe], rate: 1k/day}
  - {name: review recipe, actor: cook, kind: create, writes: [Review], rate: 30k/day}
  - {name: list recipes of cook, actor: cook, kind: list, reads: [Recipe], filter: [cook], rate: 100k/day}
"""

#: A clinic: no counter anywhere, so the record claims no exception.
CLINIC = """\
system: vet-clinic
entities:
  Owner: {fields: {name: string(120)}, rows: 200k}
  Visit: {fields: {owner: ref(Owner), starts_at: datetime}, rows: 1M}
use_cases:
  - {name: book visit, actor: owner, kind: create, writes: [Visit], rate: 2k/day}
  - {name: list visits, actor: owner, kind: list, reads: [Visit], filter: [owner], rate: 20k/day}
"""


@pytest.mark.parametrize(
    ("text", "named"),
    [
        pytest.param(FORUM, ["Thread.reply_count"], id="forum-one-counter"),
        pytest.param(RECIPES, ["Recipe.rating", "Recipe.review_count"], id="recipes-two-counters"),
        pytest.param(CLINIC, [], id="clinic-none"),
    ],
)
def test_normalization_names_derived_counters_ok(text: str, named: list[str]) -> None:
    """The normalisation choice names every derived counter as an exception to 'each fact stored once', and none where none is kept."""
    arch = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")).architecture
    record = next(d for d in arch.decisions if d.id == "normalization")
    for counter in named:
        assert counter in record.choice, record.choice
    assert ("exception" in record.choice) == bool(named), record.choice
