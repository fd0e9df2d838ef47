"""A cached read's invalidating writes are every request writing a row it returns: the item, its embedded children, their
counters and votes, each request once however many of those tables it writes.

Specs of different shapes, written as a user would: a forum thread page embedding its posts, liked far more often than the
thread is edited; a product page embedding reviews voted helpful; a recipe page whose comments also stamp the recipe (one
request writing two of the page's tables).
"""

from __future__ import annotations

import pytest

from backend_architect.design.analysis import analyse
from backend_architect.design.patterns._cache_writes import invalidating_writes
from backend_architect.ir.model import Architecture, Decision, Figure
from design.helpers import design_of, spec_of

FORUM = """
system: forum
scale: {rates: peak}
entities:
  User: {fields: {name: string(80)}}
  Thread: {fields: {author: ref(User), title: string(200), body: text}}
  Post: {fields: {thread: ref(Thread), author: ref(User), body: text, likes: {type: int, default: 0}}}
use_cases:
  - {name: start thread, actor: user, writes: [Thread], rate: 2/s}
  - {name: edit thread, actor: user, kind: update, writes: [Thread.title, Thread.body], rate: 1/s}
  - {name: reply to thread, actor: user, writes: [Post], rate: 30/s}
  - {name: like post, actor: user, kind: action, writes: [Post.likes], rate: 40/s}
  - {name: view thread, actor: user, kind: get, reads: [Thread, Post], rate: 900/s, staleness: 30s}
"""

SHOP = """
system: shop
scale: {rates: peak}
entities:
  Customer: {fields: {name: string(80)}}
  Product: {fields: {name: string(120), price: money}}
  Review: {fields: {product: ref(Product), author: ref(Customer), stars: int, helpful: {type: int, default: 0}}}
use_cases:
  - {name: add product, actor: merchant, writes: [Product], rate: 1/s}
  - {name: change price, actor: merchant, kind: update, writes: [Product.price], rate: 3/s}
  - {name: write review, actor: customer, writes: [Review], rate: 10/s}
  - {name: mark review helpful, actor: customer, kind: action, writes: [Review.helpful], rate: 25/s}
  - {name: view product, actor: customer, kind: get, reads: [Product, Review], rate: 2000/s, staleness: 60s}
"""

RECIPES = """
system: recipes
scale: {rates: peak}
entities:
  Cook: {fields: {name: string(80)}}
  Recipe: {fields: {author: ref(Cook), title: string(200), last_comment_at: datetime?}}
  Comment: {fields: {recipe: ref(Recipe), author: ref(Cook), body: string(500)}}
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe], rate: 2/s}
  - {name: comment on recipe, actor: cook, writes: [Comment, Recipe.last_comment_at], rate: 8/s}
  - {name: view recipe, actor: cook, kind: get, reads: [Recipe, Comment], rate: 600/s, staleness: 30s}
"""


def _record(arch: Architecture, use_case: str) -> Decision:
    return next(d for d in arch.decisions if d.id == f"cache.{use_case}")


def _hit(arch: Architecture, use_case: str) -> Figure:
    return next(f for f in arch.figures if f.key.startswith("cache.hit_ratio.") and f.key.endswith(use_case))


@pytest.mark.parametrize(
    ("text", "use_case", "expected"),
    [
        pytest.param(FORUM, "view-thread", 2 + 1 + 30 + 40, id="thread-with-posts-and-likes"),
        pytest.param(SHOP, "view-product", 1 + 3 + 10 + 25, id="product-with-reviews-and-votes"),
        pytest.param(RECIPES, "view-recipe", 2 + 8, id="recipe-comment-stamps-recipe-counted-once"),
    ],
)
def test_every_write_to_what_the_page_holds_invalidates_ok(text: str, use_case: str, expected: float) -> None:
    """The record's writes and the hit ratio's invalidating writes count every request writing the item or its children, once."""
    arch = design_of(text)
    record = _record(arch, use_case)
    assert record.inputs["writes_per_s"] == pytest.approx(expected), record.inputs
    hit = _hit(arch, use_case)
    assert hit.inputs["invalidating_writes_per_s"] == pytest.approx(expected), hit.inputs


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        pytest.param(FORUM, ["Thread"], 3.0, id="the-item-alone"),
        pytest.param(FORUM, ["Thread", "Post"], 73.0, id="item-and-children"),
        pytest.param(RECIPES, ["Recipe", "Comment"], 10.0, id="one-request-two-tables"),
    ],
)
def test_invalidating_writes_union_of_writers_ok(text: str, entities: list[str], expected: float) -> None:
    """``invalidating_writes`` sums the requests writing any of the tables, each request once."""
    arch = design_of(text)
    assert invalidating_writes(arch, entities) == pytest.approx(expected)
    spec = spec_of(text)
    writers = {u.name for u in analyse(spec).use_cases if u.is_write and set(u.writes) & set(entities)}
    assert writers, "the spec has writers of the page's rows"
