"""The review configuration as JSON Schema, for editors (``# yaml-language-server: $schema=...``).

Published beside the spec's (``urn:backend-architect:spec:v1``) under the same scheme of
names, ``urn:backend-architect:config:v1``, and committed as ``docs/config.schema.json``.
The loader (``rules/config.py``) stays the authority: it also checks that every rule name
and selector exists, which a schema cannot know about plugins. The schema says what the
loader accepts and no more, so a file an editor marks clean is one the loader reads.
"""

from __future__ import annotations

import json
from typing import Any

from backend_architect.rules.config import ReviewConfig
from backend_architect.rules.custom import BUILTIN_FAMILIES

CONFIG_SCHEMA_ID = "urn:backend-architect:config:v1"
#: A rule's code (``SQL003``, ``HOUSE001``) or its kebab-case name, as ``rules:`` keys them.
RULE_KEY = r"^([A-Z]{2,10}\d{3}|[a-z][a-z0-9]*(-[a-z0-9]+)*)$"
#: Codes a custom rule may not take: the built-in families (``rules/custom.py`` refuses them).
BUILTIN_CODE = rf"^({'|'.join(sorted(BUILTIN_FAMILIES))})\d{{3}}$"


def _both_spellings(node: dict[str, Any]) -> None:
    """Keys written with a hyphen are read with an underscore too (``extend-select``, ``extend_select``): list both."""
    properties = node.get("properties", {})
    for name in [n for n in properties if "-" in n]:
        twin = name.replace("-", "_")
        properties[twin] = {**properties[name], "description": f"Same as '{name}'."}


def _levels(node: dict[str, Any]) -> None:
    """``rules: {API036: off}``: YAML 1.1 readers (PyYAML among them) hand the loader ``false`` for a bare ``off``."""
    rules = node["properties"]["rules"]
    rules["additionalProperties"] = {"enum": ["off", "info", "warning", "error", False]}
    rules["propertyNames"] = {"pattern": RULE_KEY}
    rules["examples"] = [{"API036": "off", "missing-rate-limit": "warning"}]


def _custom_codes(node: dict[str, Any]) -> None:
    code = node["$defs"]["CustomRule"]["properties"]["code"]
    code["not"] = {"pattern": BUILTIN_CODE}


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``.backend-architect.yaml`` and of the ``[tool.backend-architect]`` table."""
    schema = ReviewConfig.model_json_schema(mode="validation", by_alias=True)
    schema["properties"].pop("source", None)  # where the loader read the file from; never written in it
    for definition in [schema, *schema["$defs"].values()]:
        _both_spellings(definition)
    _levels(schema)
    _custom_codes(schema)
    schema["title"] = "backend-architect review configuration"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = CONFIG_SCHEMA_ID
    return schema


def config_json_schema_text() -> str:
    return json.dumps(config_json_schema(), indent=2) + "\n"
