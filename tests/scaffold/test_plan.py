"""How design decisions become code: owners, filters, types, patterns and imports, as tables of cases."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from backend_architect.ir.model import Api, Architecture, Column, ForeignKey, Operation, Parameter, Table
from backend_architect.scaffold.context import ModuleContext
from backend_architect.scaffold.files import prune_imports
from backend_architect.scaffold.joins import locate
from backend_architect.scaffold.plan_api import ParamPlan
from backend_architect.scaffold.plan_data import Gap, owner_column, table_plan
from backend_architect.scaffold.plan_reads import filter_plan
from backend_architect.scaffold.pytypes import annotation, parameter_annotation
from backend_architect.scaffold.tests_data import where_values

STATIC_TYPES = Path(__file__).resolve().parents[2] / "src" / "backend_architect" / "scaffold" / "static" / "python" / "core" / "types.py"


def _table(name: str, entity: str, *columns: tuple[str, str, str | None]) -> Table:
    return Table(
        name=name,
        entity=entity,
        columns=[Column(name="id", type="uuid"), *(Column(name=n, type=t, source_field=f) for n, t, f in columns)],  # type: ignore[arg-type]
        primary_key=["id"],
    )


def _op(**kwargs: Any) -> Operation:
    base: dict[str, Any] = {"operation_id": "op", "method": "get", "path": "/x", "summary": "x", "kind": "get", "tag": "x"}
    return Operation(**{**base, **kwargs})


@pytest.mark.parametrize(
    ("table", "actors", "expected"),
    [
        pytest.param(_table("customers", "Customer", ("email", "varchar", "email")), ["customer"], "id", id="the-actors-own-record"),
        pytest.param(_table("orders", "Order", ("customer_id", "uuid", "customer")), ["customer"], "customer_id", id="references-the-actor"),
        pytest.param(_table("memberships", "Membership", ("user_id", "uuid", "user")), ["visitor", "user"], "user_id", id="second-actor-matches"),
        pytest.param(_table("books", "Book", ("author_id", "uuid", "author")), ["staff"], None, id="no-column-names-the-actor"),
        pytest.param(_table("notes", "Note", ("customer", "varchar", "customer")), ["customer"], None, id="a-field-named-like-the-actor-is-not-an-id"),
    ],
)
def test_owner_column_ok(table: Table, actors: list[str], expected: str | None) -> None:
    """The owner of a row is the actor's own record, or the column that references the actor."""
    assert owner_column(_op(owner_only=True), table_plan(table, None), table, actors) == expected


def _param(name: str, location: str = "query") -> ParamPlan:
    return ParamPlan(name, location, name, "str", "None")


def _ctx(*tables: Table) -> ModuleContext:
    """A module holding ``tables``, for planning one operation against them."""
    plans = {t.name: table_plan(t, None) for t in tables}
    api = Api(service="svc", title="svc")
    return ModuleContext(Architecture(system="s"), api, {}, {t.name: t for t in tables}, plans, {}, {}, "handoff.json")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("status", ("status", "eq"), id="equality-on-a-column"),
        pytest.param("recorded_at_from", ("recorded_at", "ge"), id="time-range-start"),
        pytest.param("recorded_at_to", ("recorded_at", "lt"), id="time-range-end"),
        pytest.param("min_value", ("value", "ge"), id="number-lower-bound"),
        pytest.param("max_value", ("value", "lt"), id="number-upper-bound"),
    ],
)
def test_list_filter_maps_to_column_ok(name: str, expected: tuple[str, str]) -> None:
    """Each designed query parameter filters the column it names, by equality or as one end of a range."""
    table = _table("readings", "Reading", ("status", "varchar", "status"), ("recorded_at", "timestamptz", "recorded_at"), ("value", "numeric", "value"))
    op = _op(kind="list", parameters=[Parameter(name=name, location="query")])
    found = filter_plan(_ctx(table), op, _param(name), table)
    assert (found.column, found.op, found.at.via) == (*expected, ())


def test_list_filter_without_column_err() -> None:
    """A query parameter that matches no column and names no spec field is a gap (the operation answers 501), never ignored."""
    table = _table("readings", "Reading", ("status", "varchar", "status"))
    op = _op(kind="list", parameters=[Parameter(name="colour", location="query")])
    with pytest.raises(Gap, match="colour matches no column"):
        filter_plan(_ctx(table), op, _param("colour"), table)


def _links() -> tuple[Table, Table, Table]:
    questions = _table("questions", "Question", ("title", "varchar", "title"))
    tags = _table("tags", "Tag", ("name", "varchar", "name"))
    link = Table(
        name="question_tags",
        columns=[Column(name="question_id", type="uuid"), Column(name="tag_id", type="uuid")],
        primary_key=["question_id", "tag_id"],
        foreign_keys=[ForeignKey(name="fk", columns=["tag_id"], ref_table="tags", ref_columns=["id"], relation="tag_id")],
    )
    return questions, tags, link


@pytest.mark.parametrize(
    ("spec_ref", "expected"),
    [
        pytest.param("Tag.name", ("tags", "name", ["questions.id=question_tags.question_id", "question_tags.tag_id=tags.id"]), id="through-a-link-table"),
        pytest.param("title", ("questions", "title", []), id="own-field"),
        pytest.param("tags", ("question_tags", "tag_id", ["questions.id=question_tags.question_id"]), id="many-to-many-relation"),
    ],
)
def test_joined_field_located_ok(spec_ref: str, expected: tuple[str, str, list[str]]) -> None:
    """A filter on another entity's field reads it through the references between the tables: foreign keys, then <entity>_id columns."""
    questions, tags, link = _links()
    found = locate([questions, tags, link], questions, spec_ref)
    assert found is not None
    hops = [f"{h.left_table}.{h.left_column}={h.right_table}.{h.right_column}" for h in found.via]
    assert (found.table, found.column, hops) == expected


def test_join_avoids_the_filtered_reference_ok() -> None:
    """Follow.follower on tweets joins through the follow's other reference (followee), never the one it filters by."""
    users = _table("users", "User", ("handle", "varchar", "handle"))
    tweets = _table("tweets", "Tweet", ("author_id", "uuid", "author"))
    follows = Table(
        name="follows",
        entity="Follow",
        columns=[
            Column(name="id", type="uuid"),
            Column(name="follower_id", type="uuid", source_field="follower"),
            Column(name="followee_id", type="uuid", source_field="followee"),
        ],
        primary_key=["id"],
        foreign_keys=[
            ForeignKey(name="a", columns=["follower_id"], ref_table="users", ref_columns=["id"], relation="follower_id"),
            ForeignKey(name="b", columns=["followee_id"], ref_table="users", ref_columns=["id"], relation="followee_id"),
        ],
    )
    tweets = tweets.model_copy(
        update={"foreign_keys": [ForeignKey(name="c", columns=["author_id"], ref_table="users", ref_columns=["id"], relation="author_id")]}
    )
    found = locate([users, tweets, follows], tweets, "Follow.follower")
    assert found is not None
    assert found.column == "follower_id"
    assert [h.right_column for h in found.via] == ["id", "followee_id"]


def test_joined_field_out_of_reach_err() -> None:
    """A field of an entity this module does not hold is a gap naming the service that holds it."""
    questions, _tags, _link = _links()
    with pytest.raises(Gap, match="Tag rows"):
        _ctx(questions).locate(questions, "Tag.name", "filter tag:")


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param({"type": "string", "format": "uuid"}, "Uuid", id="uuid"),
        pytest.param({"type": ["string", "null"], "format": "date-time"}, "DateTime | None", id="nullable-date-time"),
        pytest.param({"type": "string", "maxLength": 17}, "Annotated[Text, Field(max_length=17)]", id="bounded-text"),
        pytest.param({"type": "string", "format": "email", "maxLength": 320}, "Annotated[Email, Field(max_length=320)]", id="email"),
        pytest.param({"type": "string", "enum": ["a", "b"]}, "Literal['a', 'b']".replace("'", '"'), id="enum"),
        pytest.param({"type": "string", "format": "decimal", "pattern": "^-?\\d{1,8}$"}, 'Annotated[Decimal, decimal_text("^-?\\\\d{1,8}$")]', id="decimal"),
        pytest.param({"type": "integer", "format": "int64", "minimum": 0}, "Annotated[Int64, Field(ge=0)]", id="bounded-int64"),
        pytest.param({"type": "integer"}, "Integer", id="integer"),
        pytest.param({"type": "object", "additionalProperties": True}, "JsonObject", id="free-object"),
        pytest.param({"$ref": "#/components/schemas/Money"}, "Money", id="reference"),
    ],
)
def test_body_annotation_ok(schema: dict[str, Any], expected: str) -> None:
    """Each contract schema becomes the type that accepts exactly what it allows."""
    assert annotation(schema, {}).replace("\\\\", "\\") == expected.replace("\\\\", "\\")


def test_query_integer_is_parsed_from_text_ok() -> None:
    """Query parameters arrive as text: integers parse leniently there (a body's do not), within the declared bounds."""
    assert parameter_annotation({"type": "integer", "format": "int32"}) == "Annotated[int, Field(ge=-2147483648, le=2147483647)]"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        pytest.param(None, {}, id="no-predicate"),
        pytest.param("deleted_at IS NULL", {}, id="soft-delete-only"),
        pytest.param("deleted_at IS NULL AND state = 'firing'", {"state": "firing"}, id="constant-text"),
        pytest.param("active = true AND level = 3 AND ratio = 0.5", {"active": True, "level": 3, "ratio": 0.5}, id="constants-of-other-types"),
        pytest.param("name = 'O''Brien'", {"name": "O'Brien"}, id="quoted-quote"),
    ],
)
def test_where_values_ok(where: str | None, expected: dict[str, Any]) -> None:
    """Seeded rows satisfy a partial index's constant predicate, read from its SQL."""
    assert where_values(where) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("from a import b, c  # prune\nx = c\n", "from a import c\nx = c\n", id="keeps-used-names"),
        pytest.param("import os\n\nfrom a import b  # prune\n\nx = 1\n", "import os\n\nx = 1\n", id="drops-unused-line-and-its-gap"),
        pytest.param("from a import z, B, CONST  # prune\nprint(z, B, CONST)\n", "from a import CONST, B, z\nprint(z, B, CONST)\n", id="sorted-as-isort"),
    ],
)
def test_prune_imports_ok(source: str, expected: str) -> None:
    """Generated imports name exactly what the module uses, in isort's order."""
    assert prune_imports(source) == expected


def _static_types() -> Any:
    spec = importlib.util.spec_from_file_location("scaffold_static_types", STATIC_TYPES)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        pytest.param(r"^\d{2}$", "12", True, id="ascii-digits"),
        pytest.param(r"^\d{2}$", "١٢", False, id="other-digits-are-not-ecma-digits"),
        pytest.param(r"^\d{2}$", "12\n", False, id="dollar-ends-the-input"),
        pytest.param(r"^[A-Z]{3}$", "EUR", True, id="class"),
        pytest.param(r"[$]", "a$", True, id="dollar-in-a-class-is-literal"),
        pytest.param(r"b", "abc", True, id="unanchored-searches"),
    ],
)
def test_contract_patterns_follow_ecma_ok(pattern: str, text: str, matches: bool) -> None:
    """The generated service reads a contract's pattern as JSON Schema does (ECMA-262), not as Python's re would."""
    assert bool(_static_types()._ecma(pattern).search(text)) is matches
