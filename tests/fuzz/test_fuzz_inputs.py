"""Fuzzing the input surfaces: the spec loader (then design), the OpenAPI importer and the SQL importers (then review).

Each case is a mutation of a valid input (values replaced by hostile scalars: NaN, infinities,
400-digit numbers, control characters, quotes; keys added; text cut and spliced). Every case
must be answered or refused at a line and column of its input (``outcome.py``): zero crashes,
zero hangs, and whatever the loader accepts, design can take. Hypothesis runs derandomized
with bounded examples, so the suite is deterministic and takes seconds; ``corpus/`` keeps the
inputs that once crashed, as regression cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend_architect.api import design_spec, review_text
from backend_architect.errors import InputError
from backend_architect.importers.sql import import_sql_text
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec_bytes
from fuzz.outcome import answered_or_located

CORPUS = Path(__file__).parent / "corpus"


def fuzz(examples: int) -> settings:
    """Derandomized (the same cases every run), bounded, with no example database: deterministic and quick."""
    return settings(max_examples=examples, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)


HOSTILE_SCALARS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(
        [
            10**400,
            -(10**400),
            2**63,
            2**64,
            0,
            -1,
            "9" * 400,
            "9" * 5000,
            "1e400",
            ".nan",
            "-.inf",
            "0/s",
            "1e400/s",
            "99999999999999999999999999999999999999999/s",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    st.sampled_from(["'", '"', "$$", "/*", "--", "`", "\\", "{", "[", "&a", "*a", "!!python/object", "%", "\u202e", "a" * 300]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)

BASE_SPEC: dict[str, Any] = {
    "system": "shop",
    "scale": {"daily_active": "20k", "growth_per_year": "30%", "retention_years": 3, "peak_factor": 3},
    "external": {"stripe": {"kind": "payment", "latency_ms": 300, "rate_limit": "100/s"}},
    "entities": {
        "Customer": {"fields": {"email": {"type": "string(200)", "unique": True, "pii": True}}, "rows": "50k"},
        "Order": {
            "fields": {"customer": "ref(Customer)", "total": "money", "status": "enum[open,paid]"},
            "rows": "2M",
            "growth": "5k/day",
            "retention": "365d",
        },
    },
    "use_cases": [
        {"name": "list orders", "reads": ["Order"], "filter": ["customer", "status"], "sort": ["-created_at"], "rate": "200/s", "staleness": "30s"},
        {"name": "place order", "writes": ["Order"], "calls": ["stripe"], "rate": "10/s", "avg_fanout": 2},
    ],
}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], new)
    return copy


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three of its values replaced by hostile scalars or structures."""
    document = base
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)[1:]
        path = draw(st.sampled_from(paths))
        document = _replaced(document, path, draw(st.one_of(HOSTILE_SCALARS, st.dictionaries(st.text(max_size=8), HOSTILE_SCALARS, max_size=2))))
    return document


def _text(document: Any, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(document, allow_nan=True, default=str).encode()
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


@st.composite
def spliced(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` cut and spliced at random places (truncation, duplication, inserted bytes)."""
    text = bytearray(raw)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if action == "cut":
            del text[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            text[at:at] = draw(st.sampled_from([b"'", b'"', b"\n  ", b": ", b"- ", b"{", b"]", b"&x ", b"*x", b"\t", b"\xff", b"#", b"\\", b"<<: *x\n"]))
        else:
            text[at:at] = text[at : at + draw(st.integers(1, 60))]
    return bytes(text)


def _spec_case(raw: bytes, name: str) -> None:
    loaded = answered_or_located(name, lambda: load_spec_bytes(raw, name))
    if not isinstance(loaded, InputError):
        # validate accepted it: design must take it (no exception at all, located or not)
        design_spec(loaded.spec)


@fuzz(60)
@given(document=mutated(BASE_SPEC), as_json=st.booleans())
def test_spec_values_fuzzed_are_designed_or_located_ok(document: Any, as_json: bool) -> None:
    """Specs with hostile values are designed or refused at a line and column; what loads, designs."""
    _spec_case(_text(document, as_json), "spec.json" if as_json else "spec.yaml")


@fuzz(60)
@given(raw=spliced(_text(BASE_SPEC, False)))
def test_spec_text_fuzzed_is_designed_or_located_ok(raw: bytes) -> None:
    """Spec text cut and spliced anywhere is designed or refused at a line and column."""
    _spec_case(raw, "spec.yaml")


BASE_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Pets", "version": "1.0.0"},
    "paths": {
        "/v1/pets": {
            "post": {
                "operationId": "createPet",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Pet"},
                            "example": {"name": "Rex", "tag": "dog", "age": 3},
                        }
                    }
                },
                "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            }
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 50, "pattern": "^[A-Za-z]+$"},
                    "tag": {"type": "string", "enum": ["dog", "cat"]},
                    "age": {"type": "integer", "format": "int32", "minimum": 0},
                },
                "patternProperties": {"^x-": {"type": "string"}},
                "additionalProperties": False,
            }
        }
    },
}


@fuzz(80)
@given(document=mutated(BASE_OPENAPI), as_json=st.booleans())
def test_openapi_values_fuzzed_are_reviewed_or_located_ok(document: Any, as_json: bool) -> None:
    """OpenAPI documents with hostile values (patterns, refs, numbers, types) are reviewed or refused at a line and column."""
    name = "openapi.json" if as_json else "openapi.yaml"
    answered_or_located(name, lambda: review_text("openapi", _text(document, as_json).decode("utf-8", "replace"), name))


@fuzz(60)
@given(raw=spliced(_text(BASE_OPENAPI, True)))
def test_openapi_text_fuzzed_is_reviewed_or_located_ok(raw: bytes) -> None:
    """OpenAPI JSON cut and spliced anywhere is reviewed or refused at a line and column."""
    answered_or_located("openapi.json", lambda: review_text("openapi", raw.decode("utf-8", "replace"), "openapi.json"))


SQL_PIECES = [
    "CREATE TABLE ",
    "ALTER TABLE ",
    "CREATE INDEX ix ON ",
    "CREATE UNIQUE INDEX ",
    " t ",
    '"Odd Name" ',
    "`b` ",
    "[c] ",
    "(",
    ")",
    ", ",
    "id int PRIMARY KEY",
    "x text DEFAULT 'a'",
    " REFERENCES t (id)",
    " CHECK (x > 0)",
    "'",
    '"',
    "`",
    "$$",
    "$x$",
    "/*",
    "*/",
    "--",
    "\n",
    ";",
    " ENGINE=InnoDB",
    " AUTOINCREMENT",
    " WITHOUT ROWID",
    "E'\\'",
    'U&"\\0041"',
    "\\set x 1\n",
    "COPY t FROM stdin;\n1\n\\.\n",
    "((((((((((",
    "1+" * 50,
    "\u00e9",
]


@fuzz(200)
@given(pieces=st.lists(st.sampled_from(SQL_PIECES), min_size=1, max_size=40), dialect=st.sampled_from([None, "postgresql", "sqlite", "mysql"]))
def test_sql_fuzzed_is_reviewed_with_located_problems_ok(pieces: list[str], dialect: str | None) -> None:
    """SQL made of quotes, comments, dollar quotes and DDL fragments is reviewed by every parser; every finding, SQL000 included, is located."""
    text = "".join(pieces)
    result = answered_or_located("schema.sql", lambda: review(import_sql_text(text, "schema.sql", dialect)))
    if not isinstance(result, InputError):
        for finding in result:
            if finding.code == "SQL000":
                assert finding.location is not None
                assert finding.location.file == "schema.sql"


def _corpus(kind: str) -> list[Any]:
    return [pytest.param(path, id=path.name) for path in sorted((CORPUS / kind).iterdir())]


@pytest.mark.parametrize("path", _corpus("spec"))
def test_spec_corpus_is_designed_or_located_ok(path: Path) -> None:
    """Every spec that once crashed or hung is now designed or refused at a line and column."""
    _spec_case(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", _corpus("openapi"))
def test_openapi_corpus_is_reviewed_or_located_ok(path: Path) -> None:
    """Every OpenAPI document that once crashed or hung is now reviewed or refused at a line and column."""
    answered_or_located(path.name, lambda: review_text("openapi", path.read_text(encoding="utf-8"), path.name))


@pytest.mark.parametrize("path", _corpus("sql"))
@pytest.mark.parametrize("dialect", [None, "sqlite", "mysql"])
def test_sql_corpus_is_reviewed_or_located_ok(path: Path, dialect: str | None) -> None:
    """Every SQL file that once crashed, hung or hid statements is now reviewed (problems located) or refused at a line and column."""
    text = path.read_bytes().decode("utf-8", "replace")
    answered_or_located(path.name, lambda: review(import_sql_text(text, path.name, dialect)))
