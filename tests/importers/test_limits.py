"""Inputs past the stated limits are refused at once with where and why, rather than reviewed for minutes."""

from __future__ import annotations

import json
import time

import pytest

from backend_architect.api import review_text
from backend_architect.errors import InputError
from backend_architect.importers import openapi as openapi_importer
from backend_architect.importers.sql import statements

PATH_ITEM = {"get": {"responses": {"200": {"description": "ok"}}}, "delete": {"responses": {"204": {"description": "ok"}}}}


def test_document_past_the_operation_limit_is_refused_at_paths_err(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document with more operations than a review takes is refused at its paths key, before references are followed."""
    monkeypatch.setattr(openapi_importer, "MAX_OPERATIONS", 5)
    paths = {
        f"/v1/things{i}": {"get": {"responses": {"200": {"description": "ok"}}}, "delete": {"responses": {"204": {"description": "ok"}}}} for i in range(3)
    }
    document = json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}, indent=1)
    with pytest.raises(InputError, match="6 operations: a review takes at most 5") as info:
        review_text("openapi", document, "big.json")
    assert (info.value.location.file, info.value.location.line) == ("big.json", 7)


def test_document_at_the_operation_limit_is_reviewed_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the limit the review runs."""
    monkeypatch.setattr(openapi_importer, "MAX_OPERATIONS", 6)
    paths = {
        f"/v1/things{i}": {"get": {"responses": {"200": {"description": "ok"}}}, "delete": {"responses": {"204": {"description": "ok"}}}} for i in range(3)
    }
    assert review_text("openapi", json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}), "big.json")


def test_schema_past_the_parse_tree_limit_is_refused_where_it_passes_err(monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema whose parse tree passes the limit is refused at the statement that passes it, without reading the rest."""
    monkeypatch.setattr(statements, "MAX_TREE_CHARS", 20_000)
    text = "".join(f"CREATE TABLE t{n} (id int PRIMARY KEY, {', '.join(f'c{c} int' for c in range(10))});\n" for n in range(200))
    started = time.perf_counter()
    with pytest.raises(InputError, match="too large to review here") as info:
        review_text("sql", text, "big.sql")
    assert time.perf_counter() - started < 2
    assert info.value.location.file == "big.sql"
    assert 1 < info.value.location.line < 200


def test_real_schemas_are_far_below_the_parse_tree_limit_ok() -> None:
    """MusicBrainz, the largest corpus schema, uses a sixth of the limit."""
    from pglast import parser

    from conftest import ROOT

    text = (ROOT.parent / "shared" / "corpora" / "sql" / "musicbrainz-all.sql").read_text()
    assert len(parser.parse_sql_json(text)) * 6 < statements.MAX_TREE_CHARS
