"""How design decisions become code: owners, filters, types, patterns and imports, as tables of cases."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from backend_architect.errors import InputError
from backend_architect.ir.model import Column, Operation, Parameter, Table
from backend_architect.scaffold.files import prune_imports
from backend_architect.scaffold.plan_api import ParamPlan, list_details
from backend_architect.scaffold.plan_data import owner_column, table_plan
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
    filters, *_ = list_details(op, (_param(name),), table_plan(table, None), table, "handoff.json")
    assert [(f.column, f.op) for f in filters] == [expected]


def test_list_filter_without_column_err() -> None:
    """A query parameter that matches no column is refused at generation, not silently ignored."""
    table = _table("readings", "Reading", ("status", "varchar", "status"))
    op = _op(kind="list", parameters=[Parameter(name="colour", location="query")])
    with pytest.raises(InputError, match="colour matches no column"):
        list_details(op, (_param("colour"),), table_plan(table, None), table, "handoff.json")


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
