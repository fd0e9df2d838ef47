"""Every events catalog is valid AsyncAPI 3.0 by AsyncAPI's own JSON Schema (from the npm registry)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from backend_architect.api import DesignResult

SCHEMA = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"


def validator() -> jsonschema.Draft7Validator:
    if not SCHEMA.exists():
        pytest.fail("AsyncAPI's schemas are not installed: run the README's test command (it runs npm ci in tests/js)")
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def test_asyncapi_documents_are_valid_ok(example: DesignResult) -> None:
    """Each service with events has an AsyncAPI 3.0 document that validates, with a channel per event it publishes."""
    documents = {p: yaml.safe_load(t) for p, t in example.files.items() if p.startswith("asyncapi/")}
    assert documents, "every example publishes events"
    check = validator()
    for path, document in documents.items():
        errors = [f"{path}: {'/'.join(map(str, e.path))}: {e.message}" for e in check.iter_errors(document)]
        assert errors == []
    for event in example.architecture.events:
        document = documents[f"asyncapi/{event.producer}.yaml"]
        assert document["operations"][f"publish{event.name}"]["action"] == "send"


def test_asyncapi_schema_rejects_invalid_document_ok() -> None:
    """The schema really rejects an AsyncAPI 2.x-style operation in a 3.0 document."""
    broken: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "operations": {"x": {"action": "publish", "channel": {"$ref": "#/channels/a"}}},
    }
    assert list(validator().iter_errors(broken))
