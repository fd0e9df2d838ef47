"""Every generated contract is valid OpenAPI 3.1, and every example in it validates against its schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import yaml
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from backend_architect.api import DesignResult


def contracts(result: DesignResult) -> dict[str, dict[str, Any]]:
    return {path: yaml.safe_load(text) for path, text in result.files.items() if path.startswith("openapi/")}


def test_contracts_pass_openapi_validator_ok(example: DesignResult) -> None:
    """openapi-spec-validator accepts every contract of every example."""
    documents = contracts(example)
    assert documents, "every example exposes at least one API"
    for document in documents.values():
        assert document["openapi"] == "3.1.0"
        validate(document)


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for path, item in document["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                yield f"{method} {path} request {media}", content["schema"], content["example"]
            for status, response in op["responses"].items():
                for media, content in response.get("content", {}).items():
                    if "example" in content:
                        yield f"{method} {path} {status} {media}", content["schema"], content["example"]


def test_examples_match_their_schemas_ok(example: DesignResult) -> None:
    """Request, response and error examples all validate against their own schemas."""
    checked = 0
    for document in contracts(example).values():
        registry = Registry().with_resource("urn:contract", Resource.from_contents(document, default_specification=DRAFT202012))
        for where, schema, value in _examples(document):
            resolved = {"$ref": "urn:contract#" + schema["$ref"].removeprefix("#")} if "$ref" in schema else schema
            validator = jsonschema.Draft202012Validator(resolved, registry=registry, format_checker=jsonschema.FormatChecker())
            errors = [f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(value)]
            assert not errors, errors
            checked += 1
    operations = sum(len(api.operations) for api in example.architecture.apis)
    assert checked >= 2 * operations, "every operation has a success example and an error example"


def test_every_operation_documents_errors_ok(example: DesignResult) -> None:
    """Every operation declares problem+json errors, 429 and 500 at least, and its security."""
    for document in contracts(example).values():
        for item in document["paths"].values():
            for op in item.values():
                assert {"429", "500"} <= set(op["responses"])
                assert "security" in op
                assert op["operationId"]
