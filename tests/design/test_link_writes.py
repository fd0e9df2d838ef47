"""A create naming a many-to-many relation sets it in its body, and every record of the write says so.

``writes: [Video, Video.tags]`` on a create of Video (``many_to_many: [Tag]``) takes the tags in the
request (the targets' unique names, missing ones made, or their ids), at most ``max_per_parent``,
optional; the join rows commit with the row; the join table's rows a day, its inserts and the table's
writes count the links; the DDL comment and the operation's description say who writes them (the
ninth trial run's netflix agent made tags a text column: the upload contract had no way to set them).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import design_spec
from backend_architect.design.analysis import analyse
from backend_architect.ir.model import Architecture, Figure, Table
from backend_architect.spec.load import load_spec_bytes
from design.formulas import recompute

#: Tags named by their unique name, counted per video (the trial's shape, smaller): names, stated bounds.
CLIPS = """\
system: clips
scale: {users: 1M, daily_active: 100k, rates: average, peak_factor: 2}
entities:
  User: {fields: {email: {type: email, unique: true}}}
  Tag:
    avg_per_parent: 5
    max_per_parent: 20
    fields: {name: {type: string(40), unique: true}}
  Video:
    many_to_many: [Tag]
    fields: {uploader: ref(User), title: string(200)}
use_cases:
  - {name: upload video, actor: creator, kind: create, writes: [Video, Video.tags], rate: 100k/day}
  - {name: get video, actor: viewer, kind: get, reads: [Video], rate: 1M/day}
"""

#: A target without a unique name (sent by id), no counts stated (one link a row, 100 at most), a relation named in a mapping.
RECIPES = """\
system: recipes
scale: {users: 200k, daily_active: 20k, rates: average, peak_factor: 3}
entities:
  Cook: {fields: {email: {type: email, unique: true}}}
  Ingredient: {fields: {label: string(80), calories: int}}
  Recipe:
    many_to_many: {needs: Ingredient}
    fields: {cook: ref(Cook), title: string(120)}
use_cases:
  - {name: publish recipe, actor: cook, writes: [Recipe, Recipe.needs], rate: 10k/day}
  - {name: get recipe, actor: cook, kind: get, reads: [Recipe], rate: 200k/day}
"""

#: A replace that sets the relation, and a create of the same entity that does not name it.
ARTICLES = """\
system: press
scale: {users: 50k, daily_active: 5k}
entities:
  Author: {fields: {email: {type: email, unique: true}}}
  Topic:
    max_per_parent: 8
    fields: {slug: {type: string(60), unique: true}}
  Article:
    many_to_many: [Topic]
    fields: {author: ref(Author), headline: string(200)}
use_cases:
  - {name: draft article, actor: author, kind: create, writes: [Article], rate: 2k/day}
  - {name: rewrite article, actor: author, kind: replace, writes: [Article, Article.topics], rate: 1k/day}
"""

#: The link entity form: links that carry fields of their own, required, written as the create's parts.
PLAYLISTS = """\
system: playlists
scale: {users: 100k, daily_active: 10k}
entities:
  Listener: {fields: {email: {type: email, unique: true}}}
  Song: {fields: {title: string(200)}}
  Playlist: {fields: {owner: ref(Listener), name: string(100)}}
  Entry:
    part_of: Playlist
    avg_per_parent: 12
    max_per_parent: 500
    fields: {song: ref(Song), position: int}
use_cases:
  - {name: create playlist, actor: listener, writes: [Playlist, Entry], rate: 5k/day}
"""


@cache
def _design(text: str) -> tuple[Architecture, dict[str, Any], dict[str, str]]:
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    documents = {p: yaml.safe_load(t) for p, t in result.files.items() if p.startswith("openapi/")}
    return result.architecture, documents, dict(result.files)


def _operation(documents: dict[str, Any], use_case: str) -> dict[str, Any]:
    for document in documents.values():
        for item in document["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and use_case in op.get("x-use-cases", []):
                    return dict(op)
    raise AssertionError(f"no operation for {use_case}")


def _body(documents: dict[str, Any], use_case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request schema of ``use_case``'s operation, and its example."""
    op = _operation(documents, use_case)
    content = op["requestBody"]["content"]["application/json"]
    name = content["schema"]["$ref"].rsplit("/", 1)[1]
    schema = next(d["components"]["schemas"][name] for d in documents.values() if name in d.get("components", {}).get("schemas", {}))
    return schema, content["example"]


def _table(arch: Architecture, name: str) -> Table:
    return next(t for s in arch.datastores for t in s.tables if t.name == name)


def _figure(arch: Architecture, key: str) -> Figure:
    found = next((f for f in arch.figures if f.key == key), None)
    assert found is not None, f"no figure {key}"
    return found


@pytest.mark.parametrize(
    ("text", "use_case", "prop", "item", "most", "example"),
    [
        pytest.param(CLIPS, "upload video", "tags", {"type": "string", "minLength": 1, "maxLength": 40}, 20, ["jazz", "live"], id="names-stated-bound"),
        pytest.param(RECIPES, "publish recipe", "needs", {"type": "string", "format": "uuid"}, 100, None, id="ids-default-bound"),
        pytest.param(ARTICLES, "rewrite article", "topics", {"type": "string", "minLength": 1, "maxLength": 60}, 8, ["jazz", "live"], id="replace-by-slug"),
    ],
)
def test_create_body_takes_links_ok(text: str, use_case: str, prop: str, item: dict[str, Any], most: int, example: list[str] | None) -> None:
    """The write's request takes the relation as a set of names or ids, optional, bounded, with an example, in a valid contract."""
    _, documents, _ = _design(text)
    for document in documents.values():
        validate(document)
    schema, sample = _body(documents, use_case)
    links = schema["properties"][prop]
    assert links["type"] == "array"
    assert links["items"] == item
    assert links["uniqueItems"] is True
    assert links["maxItems"] == most
    assert prop not in schema.get("required", [])
    assert links["description"].endswith("written with it in one transaction.")
    assert len(sample[prop]) == 2
    assert len(set(sample[prop])) == 2
    if example is not None:
        assert sample[prop] == example
    else:
        assert all(len(value) == 36 for value in sample[prop])


def test_create_without_relation_sends_no_links_ok() -> None:
    """A create that does not name the relation (draft article) takes no links; the replace naming it does."""
    _, documents, _ = _design(ARTICLES)
    draft, _ = _body(documents, "draft article")
    assert "topics" not in draft["properties"]
    assert "Replaces the Article's `topics` by slug" in _operation(documents, "rewrite article")["description"]
    assert analyse(load_spec_bytes(ARTICLES.encode()).spec).use_cases[0].links == ()


@pytest.mark.parametrize(
    ("text", "use_case", "said"),
    [
        pytest.param(CLIPS, "upload video", "Sets the Video's `tags` by name, inserting each Tag whose name is not yet known", id="names"),
        pytest.param(RECIPES, "publish recipe", "Sets the Recipe's `needs` by Ingredient id, an unknown id answering 422", id="ids"),
    ],
)
def test_operation_says_links_commit_with_row_ok(text: str, use_case: str, said: str) -> None:
    """The operation's description says how the links are named and that the join rows commit with the row."""
    _, documents, _ = _design(text)
    description = _operation(documents, use_case)["description"]
    assert said in description
    assert "rows in one transaction." in description


@pytest.mark.parametrize(
    ("text", "join", "creates_a_day", "per_row", "parent"),
    [
        pytest.param(CLIPS, "video_tags", 100_000, 5.0, "videos", id="stated-avg"),
        pytest.param(RECIPES, "recipe_needs", 10_000, 1.0, "recipes", id="default-avg"),
    ],
)
def test_join_table_sized_from_creates_ok(text: str, join: str, creates_a_day: float, per_row: float, parent: str) -> None:
    """The join table grows by creates x links a row, holds the parent's rows x links today, and its writes and rows a day say so."""
    arch, _, files = _design(text)
    table = _table(arch, join)
    assert table.rows_per_day == pytest.approx(creates_a_day * per_row, rel=1e-6)
    assert table.rows_now == pytest.approx(_table(arch, parent).rows_now * per_row, rel=1e-6)
    rows = _figure(arch, f"storage.rows_per_day.{join}")
    assert rows.value == pytest.approx(table.rows_per_day)
    assert recompute(rows) == pytest.approx(rows.value)
    assert rows.inputs["links_per_row"] == per_row
    writes = _figure(arch, f"qps.peak.write.table.{join}")
    assert recompute(writes) == pytest.approx(writes.value)
    assert writes.value == pytest.approx(creates_a_day / 86_400 * arch_peak_factor(text) * per_row, rel=1e-3)
    ddl = next(v for k, v in files.items() if k.endswith(".postgresql.sql") and f".{join} (" in v)
    comment = next(line for line in ddl.splitlines() if line.startswith("COMMENT ON TABLE") and f".{join} IS" in line)
    assert f"set by {', '.join(table.created_by)} with each" in comment
    assert table.created_by


def test_replace_writes_links_without_growing_ok() -> None:
    """A replace swaps the row's links: the join table takes its writes but does not grow by it."""
    arch, _, _ = _design(ARTICLES)
    assert _table(arch, "article_topics").rows_per_day == 0
    writes = _figure(arch, "qps.peak.write.table.article_topics")
    assert writes.value == pytest.approx(1_000 / 86_400 * arch_peak_factor(ARTICLES), rel=1e-3)


def arch_peak_factor(text: str) -> float:
    return analyse(load_spec_bytes(text.encode()).spec).peak_factor


def test_unstated_counts_are_assumptions_ok() -> None:
    """Links a row and the most a create sets, when the target does not state them, are written down as assumptions."""
    arch, _, _ = _design(RECIPES)
    said = [a for a in arch.assumptions if a.startswith("entities.Ingredient.")]
    assert any("avg_per_parent: not given; a Recipe sets 1 needs link(s)" in a for a in said)
    assert any("max_per_parent: not given; a Recipe create takes at most 100 needs" in a for a in said)
    stated, _, _ = _design(CLIPS)
    assert not [a for a in stated.assumptions if a.startswith(("entities.Tag.avg_per_parent", "entities.Tag.max_per_parent"))]


def test_link_entity_with_fields_is_required_part_ok() -> None:
    """A link entity with fields of its own, written as the create's part, is a required array of its create shape, at most max_per_parent."""
    arch, documents, _ = _design(PLAYLISTS)
    schema, sample = _body(documents, "create playlist")
    entries = schema["properties"]["entries"]
    assert "entries" in schema["required"]
    assert entries["minItems"] == 1
    assert entries["maxItems"] == 500
    assert set(sample["entries"][0]) == {"song_id", "position"}
    assert _table(arch, "entries").rows_per_day == pytest.approx(5_000 * 12, rel=1e-6)


def test_tag_avg_per_parent_needs_a_link_err() -> None:
    """avg_per_parent on an entity nobody links many-to-many, and without a parent, is still refused."""
    from backend_architect.errors import InputError

    with pytest.raises(InputError, match="avg_per_parent needs a parent"):
        load_spec_bytes(CLIPS.replace("    many_to_many: [Tag]\n", "").replace(", Video.tags", "").encode(), "spec.yaml")


#: Uploads at a rate that shards the join table apart from the videos (by video_id, videos by uploader_id).
SHARDED = CLIPS.replace("{users: 1M, daily_active: 100k, rates: average, peak_factor: 2}", "{users: 500M, daily_active: 100M, retention_years: 5}").replace(
    "rate: 100k/day}", "rate: 10M/day}"
)


def test_links_apart_from_row_say_so_everywhere_ok() -> None:
    """Where the join rows live on other shards, the operation, the body and the cross-shard decision all say they follow by relay."""
    arch, documents, _ = _design(SHARDED)
    assert _table(arch, "video_tags").sharding is not None
    description = _operation(documents, "upload video")["description"]
    assert "video_tags (at most 20) rows in one request; not in one transaction" in description
    schema, _ = _body(documents, "upload video")
    assert schema["properties"]["tags"]["description"].endswith("written with it in one request, not one transaction (other shards).")
    decision = next(d for d in arch.decisions if d.subject == "writes across shards")
    assert "'upload video'" in decision.choice
    assert "video_tags" in decision.choice
    assert "tags rows on the unsharded primary" in decision.choice, "names not yet known insert tags rows where the tags live"


@pytest.mark.parametrize(
    ("text", "use_case", "written", "each"),
    [pytest.param(CLIPS, "upload-video", ", Video.tags", "name", id="names"), pytest.param(RECIPES, "publish-recipe", ", Recipe.needs", None, id="ids")],
)
def test_request_bytes_count_links_ok(text: str, use_case: str, written: str, each: str | None) -> None:
    """The bytes a create sends in count its links: the key, then links_per_row names (their average) or ids (39 bytes each)."""
    assert written in text
    arch, _, _ = _design(text)
    bare, _, _ = _design(text.replace(written, ""))
    body, without = (_figure(a, f"bandwidth.in.{use_case}").inputs["body_bytes"] for a in (arch, bare))
    use = next(u for u in analyse(load_spec_bytes(text.encode()).spec).use_cases if u.id == use_case)
    _, per_row = use.link_rows[0]
    name = next(c for c in _table(arch, "tags").columns if c.name == each) if each else None
    assert body - without == pytest.approx(8 + per_row * (name.avg_bytes + 3 if name is not None else 39))


@pytest.mark.parametrize(
    ("target", "by"),
    [
        pytest.param("Tag: {fields: {name: {type: string(40), unique: true}, color: string(7)?}}", "name", id="name-and-optional"),
        pytest.param("Tag: {fields: {name: {type: string(40), unique: true}, weight: {type: int, default: 1}}}", "name", id="name-and-default"),
        pytest.param("Tag: {fields: {name: {type: string(40), unique: true}, owner: ref(User)}}", "id", id="name-and-required-ref"),
        pytest.param("Tag: {fields: {name: {type: string(40)}}}", "id", id="name-not-unique"),
        pytest.param("Tag: {fields: {name: {type: string(40), unique: true}, color: string(7)}}", "id", id="name-and-required-field"),
    ],
)
def test_names_only_where_a_name_makes_the_row_ok(target: str, by: str) -> None:
    """A target is sent by name only when its unique name alone can make a row (other fields nullable or defaulted); else by id."""
    text = CLIPS.replace("  Tag:\n    avg_per_parent: 5\n    max_per_parent: 20\n    fields: {name: {type: string(40), unique: true}}\n", f"  {target}\n")
    assert target in text
    _, documents, _ = _design(text)
    items = _body(documents, "upload video")[0]["properties"]["tags"]["items"]
    assert items.get("format") == ("uuid" if by == "id" else None)
    assert ("maxLength" in items) == (by == "name")
