"""An id a client sends is an id the API gives out, and is keyed like every id that leaves the database.

A table of specs of different shapes: a many-to-many filter whose target has a unique name (taken by name),
one whose target has none (taken by id, so keyed UUIDv7 and listed where nothing else returns it), one whose
target another service holds (the critic flags it), a plain reference filter, and a body reference to another
service's entity.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of, table

from backend_architect.api import design_spec
from backend_architect.ir.id_inputs import inputs, returned, unlearnable
from backend_architect.ir.model import Architecture, Parameter
from backend_architect.rules.design.ids_learnable import input_id_never_returned
from backend_architect.spec.load import load_spec_bytes

NAMED_TAGS = """
system: qa
entities:
  Member: {fields: {handle: string(40)}}
  Label: {fields: {name: {type: string(35), unique: true}}, avg_per_parent: 3, max_per_parent: 5}
  Post:
    many_to_many: [Label]
    fields: {author: ref(Member), title: string(150)}
use_cases:
  - {name: browse posts by label, actor: visitor, auth: none, reads: [Post], filter: [labels], sort: [-created_at]}
  - {name: write post, actor: member, writes: [Post, Post.labels]}
  - {name: view post, actor: visitor, auth: none, kind: get, reads: [Post]}
"""

#: The same relation with no name to select a label by: the filter takes its id.
UNNAMED_TAGS = NAMED_TAGS.replace("Label: {fields: {name: {type: string(35), unique: true}}", "Label: {fields: {colour: string(12)}")
#: ... and a read of the labels, which gives their ids out.
UNNAMED_LISTED = UNNAMED_TAGS + "  - {name: list labels, actor: visitor, auth: none, reads: [Label]}\n"

#: The labels live in another service that answers none of them: this contract cannot list them, the critic says so.
REMOTE_LABELS = (
    UNNAMED_TAGS.replace("  - {name: write post, actor: member, writes: [Post, Post.labels]}\n", "")
    + "services:\n  labels: {owns: [Label]}\n  posts: {owns: [Member, Post]}\n"
)

#: A link made at its pair: the tag's id is in the path, although the tag has a unique name.
TAGGED_AT_THE_PAIR = """
system: blog
entities:
  Tag: {fields: {name: {type: string(40), unique: true}}}
  Article:
    fields: {title: string(200)}
    many_to_many: [Tag]
use_cases:
  - {name: write article, actor: author, writes: [Article]}
  - {name: tag article, actor: author, writes: [Article.tags]}
  - {name: browse articles by tag, actor: visitor, auth: none, reads: [Article], filter: [tags]}
"""

REF_FILTER = """
system: library
entities:
  Shelf: {fields: {code: string(10)}}
  Book: {fields: {shelf: ref(Shelf), title: string(200)}}
use_cases:
  - {name: books on shelf, actor: visitor, auth: none, reads: [Book], filter: [shelf]}
  - {name: shelve book, actor: librarian, writes: [Book]}
"""

OTHER_SERVICE = """
system: shop
entities:
  Warehouse: {fields: {city: string(80)}}
  Parcel: {fields: {warehouse: ref(Warehouse), weight: int}}
services:
  stock: {owns: [Warehouse]}
  shipping: {owns: [Parcel]}
use_cases:
  - {name: send parcel, actor: clerk, writes: [Parcel]}
  - {name: view parcel, actor: clerk, kind: get, reads: [Parcel]}
"""

SHAPES = {
    "many-to-many-named": NAMED_TAGS,
    "many-to-many-unnamed": UNNAMED_TAGS,
    "many-to-many-unnamed-listed": UNNAMED_LISTED,
    "many-to-many-in-another-service": REMOTE_LABELS,
    "link-path-with-a-named-target": TAGGED_AT_THE_PAIR,
    "reference-filter": REF_FILTER,
    "body-reference-to-another-service": OTHER_SERVICE,
}


def _query(arch: Architecture, use_case: str) -> list[Parameter]:
    op = next(o for a in arch.apis for o in a.operations if use_case in o.use_cases)
    return [p for p in op.parameters if p.location == "query" and p.name not in {"limit", "cursor", "sort"}]


def test_many_to_many_filter_takes_the_unique_name_ok() -> None:
    """A label with a unique name is selected by it (?label=), as the create sets it: no label id crosses the API."""
    arch = design_of(NAMED_TAGS)
    params = _query(arch, "browse posts by label")
    assert [(p.name, p.type, p.format, p.spec_ref, p.required) for p in params] == [("label", "string", None, "Label.name", True)]
    assert "Label" not in {i.entity for i in inputs(arch)}
    assert table(arch, "labels").key_strategy == "identity"


def test_many_to_many_filter_without_a_name_takes_the_id_ok() -> None:
    """A label with no unique name is selected by id: the id crosses the API, so it is keyed UUIDv7 like every exposed id."""
    arch = design_of(UNNAMED_TAGS)
    params = _query(arch, "browse posts by label")
    assert [(p.name, p.format) for p in params] == [("label_id", "uuid")]
    assert table(arch, "labels").key_strategy == "uuidv7"
    listed = [o for a in arch.apis for o in a.operations if o.entity == "Label" and o.kind == "list"]
    assert [(o.method, o.path, o.auth, o.paginated) for o in listed] == [("get", "/labels", "none", True)]


def test_a_target_the_spec_lists_gets_no_second_list_ok() -> None:
    """Where the spec already lists the labels, that read gives their ids out: no list is added beside it."""
    arch = design_of(UNNAMED_LISTED)
    listed = [o.use_cases for a in arch.apis for o in a.operations if o.entity == "Label" and o.kind == "list"]
    assert listed == [["list labels"]]
    keys = next(d for d in arch.decisions if d.id == "keys")
    assert "identity for labels" not in keys.choice


def test_link_path_makes_a_named_target_cross_the_api_ok() -> None:
    """A link made at its pair takes the tag's id in the path: keyed UUIDv7 and listed, while the list filters by name."""
    arch = design_of(TAGGED_AT_THE_PAIR)
    assert [p.name for p in _query(arch, "browse articles by tag")] == ["tag"]
    assert {(i.entity, i.where) for i in inputs(arch) if i.entity == "Tag"} == {("Tag", "path parameter tag_id")}
    assert table(arch, "tags").key_strategy == "uuidv7"
    assert "Tag" in returned(arch)


def test_filter_alone_makes_the_target_cross_the_api_ok() -> None:
    """Only a filter takes the label's id (the create sets none): the key still counts it."""
    arch = design_of(UNNAMED_TAGS.replace("writes: [Post, Post.labels]", "writes: [Post]"))
    assert "Label" in {i.entity for i in inputs(arch)}
    assert table(arch, "labels").key_strategy == "uuidv7"


@pytest.mark.parametrize(
    ("shape", "unlearnt"),
    [
        pytest.param("many-to-many-named", set(), id="named"),
        pytest.param("many-to-many-unnamed", set(), id="unnamed-listed-by-the-engine"),
        pytest.param("many-to-many-unnamed-listed", set(), id="unnamed-listed-by-the-spec"),
        pytest.param("many-to-many-in-another-service", {"Label"}, id="held-by-another-service-that-returns-none"),
        pytest.param("link-path-with-a-named-target", set(), id="link-path-target-listed"),
        pytest.param("reference-filter", set(), id="reference-returned-with-the-row"),
        pytest.param("body-reference-to-another-service", set(), id="other-service-reference-returned-with-the-row"),
    ],
)
def test_critic_flags_an_id_no_response_gives_ok(shape: str, unlearnt: set[str]) -> None:
    """DES014 reports exactly the ids a filter or body takes that no response a client can call returns."""
    arch = design_of(SHAPES[shape])
    found = list(input_id_never_returned.check(arch))
    assert {f.message.split(" takes a ", 1)[1].split(" id", 1)[0] for f in found} == unlearnt
    assert all("no response a client can call returns" in f.message for f in found)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_id_sent_is_keyed_as_exposed_ok(shape: str) -> None:
    """Every entity whose id a client sends is keyed UUIDv7, and its key reason never says the id stays in the database."""
    arch = design_of(SHAPES[shape])
    by_entity = {t.entity: t for s in arch.datastores for t in s.tables if t.entity}
    for sent in inputs(arch):
        key = by_entity[sent.entity]
        assert key.key_strategy == "uuidv7", (shape, sent.said)
        assert "never leave" not in key.key_reason, (shape, sent.said)


def test_reference_filter_and_other_service_reference_are_returned_ok() -> None:
    """The shelf a filter takes and the warehouse a body names are given out by the rows that reference them."""
    assert "Shelf" in returned(design_of(REF_FILTER))
    arch = design_of(OTHER_SERVICE)
    assert {(i.entity, i.where) for i in inputs(arch)} >= {("Warehouse", "body warehouse_id")}
    assert "Warehouse" in returned(arch)


def test_critic_flags_the_list_taken_away_ok() -> None:
    """Without the list that gives the labels out, the filter and the create's links take ids no response returns."""
    arch = design_of(UNNAMED_TAGS)
    apis = [a.model_copy(update={"operations": [o for o in a.operations if o.entity != "Label"]}) for a in arch.apis]
    stripped = arch.model_copy(update={"apis": apis})
    assert sorted(f.where for f in input_id_never_returned.check(stripped)) == ["operation GET /v1/posts", "operation POST /v1/posts"]
    assert {i.where for i in unlearnable(stripped)} == {"query parameter label_id", "body labels"}


@pytest.mark.parametrize(
    ("shape", "line"),
    [
        pytest.param(
            "many-to-many-unnamed",
            "- Label: sent in `GET /v1/posts` (query label_id), `POST /v1/posts` (body labels); given out by `GET /v1/labels`",
            id="listed",
        ),
        pytest.param("many-to-many-in-another-service", "- Label: sent in `GET /v1/posts` (query label_id); no response gives it out", id="unlearnable"),
    ],
)
def test_record_states_the_rule_and_each_source_ok(shape: str, line: str) -> None:
    """design.md's API record says the naming rule and, per entity a client sends an id of, where it is sent and given out."""
    result = design_spec(load_spec_bytes(SHAPES[shape].encode(), "tags.yaml"))
    document = result.files["design.md"]
    assert "### Ids a client sends" in document
    assert "by the target's unique name where it has one" in document
    assert line in document
