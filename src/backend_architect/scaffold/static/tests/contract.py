"""The served contract as a checker: every answer a test receives must be one the contract documents."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from design import CONTRACT_DIR, OPERATIONS


@cache
def document(module: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONTRACT_DIR / "openapi" / f"{module}.yaml").read_text(encoding="utf-8"))
    return loaded


@cache
def _registry(module: str) -> Registry:
    return Registry().with_resource("urn:contract", DRAFT202012.create_resource(document(module)))


def _resolve(module: str, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document(module)
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation_spec(op_id: str) -> dict[str, Any]:
    op = OPERATIONS[op_id]
    spec: dict[str, Any] = document(op["module"])["paths"][op["contract_path"]][op["method"]]
    return spec


def validate(op_id: str, response: httpx.Response) -> None:
    """The status is declared for the operation, the media type is the declared one, the body matches its schema."""
    op = OPERATIONS[op_id]
    responses = operation_spec(op_id)["responses"]
    status = str(response.status_code)
    assert status in responses, f"{op_id}: status {status} is not in the contract ({sorted(responses)}): {response.text[:500]}"
    declared = _resolve(op["module"], responses[status])
    content = declared.get("content")
    if not content:
        assert not response.content, f"{op_id}: {status} declares no body"
        return
    media = response.headers.get("content-type", "").split(";")[0]
    assert media in content, f"{op_id}: {status} answered {media}, the contract says {sorted(content)}"
    schema = {"$ref": "urn:contract#" + _pointer(content[media]["schema"]["$ref"])} if "$ref" in content[media]["schema"] else content[media]["schema"]
    validator = Draft202012Validator(schema, registry=_registry(op["module"]), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, f"{op_id}: {status} body breaks the contract: {errors[0].message} at {list(errors[0].path)}"


def _pointer(ref: str) -> str:
    return re.sub(r"^#", "", ref)
