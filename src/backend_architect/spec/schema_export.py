"""The spec language as JSON Schema, for editors (``# yaml-language-server: $schema=...``)."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from backend_architect.spec.field_types import TYPE_SYNTAX
from backend_architect.spec.model import Spec


class _SpecSchema(GenerateJsonSchema):
    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        return {"type": "string"}


def _field_type_schema(node: dict[str, Any]) -> None:
    """Field types are written as strings in the compact grammar; say so, not the parsed shape."""
    definitions = node.get("$defs", {})
    if "FieldType" in definitions:
        definitions["FieldType"] = {
            "type": "string",
            "description": "Compact type: " + "; ".join(TYPE_SYNTAX.values()) + ". A trailing '?' makes it nullable.",
            "examples": ["string(100)", "decimal(12,2)", "enum[draft,published]", "ref(User)", "datetime?"],
        }
    fields = definitions.get("EntitySpec", {}).get("properties", {}).get("fields", {})
    for pattern, long_form in fields.get("patternProperties", {}).items():
        fields["patternProperties"][pattern] = {"anyOf": [{"$ref": "#/$defs/FieldType"}, long_form]}


def _external_names(node: dict[str, Any]) -> None:
    """``external`` may also be a plain list of system names."""
    external = node["properties"]["external"]
    names = {"type": "array", "items": {"type": "string"}}
    node["properties"]["external"] = {
        "anyOf": [{k: v for k, v in external.items() if k not in {"description", "title"}}, names],
        "description": external.get("description", ""),
    }


def _page_word(node: dict[str, Any]) -> None:
    """``page`` may also be just its style: ``page: offset``."""
    page = node.get("$defs", {}).get("UseCaseSpec", {}).get("properties", {}).get("page")
    if page is not None:
        description = page.pop("description", "")
        page.pop("default", None)
        node["$defs"]["UseCaseSpec"]["properties"]["page"] = {"anyOf": [{"enum": ["cursor", "offset", "none"]}, page], "description": description}


#: Words that also take a short form: ``deliver: realtime``, ``presence: true``, ``top: 10``, ``traverse: Follow.followee``.
_SHORT_FORMS: dict[tuple[str, str], dict[str, Any]] = {
    ("UseCaseSpec", "deliver"): {"anyOf": [{"enum": ["realtime", "push", "poll"]}, {"const": True}]},
    ("EntitySpec", "presence"): {"const": True},
    ("UseCaseSpec", "top"): {"type": "integer", "minimum": 1},
    ("UseCaseSpec", "traverse"): {"type": "string"},
}


def _short_forms(node: dict[str, Any]) -> None:
    """The words of issue 15 that read a short form as their long one say so in the schema too."""
    for (model, key), short in _SHORT_FORMS.items():
        found = node.get("$defs", {}).get(model, {}).get("properties", {}).get(key)
        if found is not None and "anyOf" in found:
            found["anyOf"] = [short, *found["anyOf"]]


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec language."""
    schema = Spec.model_json_schema(schema_generator=_SpecSchema, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _field_type_schema(schema)
    _external_names(schema)
    _page_word(schema)
    _short_forms(schema)
    return schema


def spec_json_schema_text() -> str:
    return json.dumps(spec_json_schema(), indent=2, sort_keys=False) + "\n"
