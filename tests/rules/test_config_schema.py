"""The JSON Schema of ``.backend-architect.yaml``: published as committed, and agreeing with the loader.

Every documented configuration is valid under the schema and loads; every wrong one is
refused by both. The schema is checked by ``jsonschema``, the loader by ``load_config``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from backend_architect.errors import InputError
from backend_architect.rules.config import load_config
from backend_architect.rules.config_schema import CONFIG_SCHEMA_ID, config_json_schema
from backend_architect.rules.registry import RULES
from conftest import ROOT

CUSTOM = {"code": "HOUSE001", "name": "no-description", "title": "t", "given": "$.paths[*][get]", "then": [{"field": "description", "function": "truthy"}]}


def _validator() -> jsonschema.Draft202012Validator:
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _loads(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / ".backend-architect.yaml"
    path.write_text(yaml.safe_dump(document))
    load_config(path, RULES)


def _documented() -> list[Any]:
    """Every configuration the README and the modules' docs show: YAML blocks and the pyproject table."""
    readme = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL):
        document = yaml.safe_load(block)
        if isinstance(document, dict) and {"select", "rules", "ignore"} & set(document):
            found.append(pytest.param(document, id=f"README yaml {len(found)}"))
    for block in re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL):
        table = tomllib.loads(block).get("tool", {}).get("backend-architect")
        if table is not None:
            found.append(pytest.param(table, id=f"README pyproject {len(found)}"))
    custom_doc = (ROOT / "src" / "backend_architect" / "rules" / "custom.py").read_text()
    (block,) = re.findall(r"```yaml\n(.*?)```", custom_doc, flags=re.DOTALL)
    found.append(pytest.param(yaml.safe_load(block), id="custom rules doc"))
    return found


def test_committed_config_schema_is_the_command_output_ok() -> None:
    """docs/config.schema.json is exactly what `schema --config` prints, and carries the published $id."""
    result = subprocess.run([sys.executable, "-m", "backend_architect.cli", "schema", "--config"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (ROOT / "docs" / "config.schema.json").read_text() == result.stdout
    published = json.loads(result.stdout)
    assert published["$id"] == CONFIG_SCHEMA_ID == "urn:backend-architect:config:v1"
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_config_schema_names_every_config_key_ok() -> None:
    """Every key the loader reads is in the schema (in both spellings where it has a hyphen), and only those."""
    properties = set(config_json_schema()["properties"])
    assert properties == {
        "select", "extend-select", "extend_select", "ignore", "preview", "pg-version", "pg_version",
        "rules", "custom-rules", "custom_rules", "plugins", "diff",
    }  # fmt: skip


@pytest.mark.parametrize("document", _documented())
def test_documented_configs_are_valid_ok(document: Any, tmp_path: Path) -> None:
    """A configuration the documentation shows passes the schema and loads."""
    _validator().validate(document)
    if "plugins" not in document:  # the README's plugin module is an example name, not an importable module
        _loads(tmp_path, document)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"extend_select": ["API035"], "pg_version": 16, "custom-rules": [CUSTOM], "diff": {"check_version": True}}, id="underscore and hyphen"),
        pytest.param({"rules": {"API036": False, "missing-rate-limit": "info"}}, id="YAML 1.1 off"),
        pytest.param({"ignore": ["API036", {"where": "public.audit_*", "rules": ["SQL001"]}]}, id="ignore by place"),
        pytest.param({"select": None, "preview": True}, id="select null"),
        pytest.param({}, id="empty"),
    ],
)
def test_natural_configs_are_valid_ok(document: dict[str, Any], tmp_path: Path) -> None:
    """The spellings the loader accepts are accepted by the schema too."""
    _validator().validate(document)
    _loads(tmp_path, document)


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        pytest.param({"selec": ["API"]}, "", id="unknown key"),
        pytest.param({"select": "API"}, "/select", id="select not a list"),
        pytest.param({"pg-version": 8}, "/pg-version", id="pg-version too old"),
        pytest.param({"pg_version": 31}, "/pg_version", id="pg_version too new"),
        pytest.param({"rules": {"API036": "loud"}}, "/rules/API036", id="unknown level"),
        pytest.param({"ignore": [{"paths": "/internal/*"}]}, "/ignore/0", id="unknown ignore key"),
        pytest.param({"diff": {"check-version": "maybe"}}, "/diff/check-version", id="check-version not a bool"),
        pytest.param({"diff": {"accept": "x.yaml"}}, "/diff", id="unknown diff key"),
        pytest.param({"plugins": "my_rules:RULES"}, "/plugins", id="plugins not a list"),
        pytest.param({"custom_rules": [{**CUSTOM, "code": "API001"}]}, "/custom_rules/0/code", id="built-in code"),
        pytest.param({"custom_rules": [{**CUSTOM, "code": "DES900"}]}, "/custom_rules/0/code", id="design critic code"),
        pytest.param({"custom_rules": [{**CUSTOM, "code": "HOUSE1"}]}, "/custom_rules/0/code", id="code without three digits"),
        pytest.param({"custom_rules": [{**CUSTOM, "then": []}]}, "/custom_rules/0/then", id="no assertion"),
        pytest.param({"custom_rules": [{**CUSTOM, "severity": "fatal"}]}, "/custom_rules/0/severity", id="unknown severity"),
        pytest.param({"custom_rules": [{**CUSTOM, "then": [{"function": "matches"}]}]}, "/custom_rules/0/then/0/function", id="unknown function"),
        pytest.param({"custom_rules": [{k: v for k, v in CUSTOM.items() if k != "given"}]}, "/custom_rules/0", id="no given"),
    ],
)
def test_wrong_configs_are_refused_err(document: dict[str, Any], pointer: str, tmp_path: Path) -> None:
    """A wrong configuration fails the schema at the key that is wrong, and the loader refuses it too."""
    errors = list(_validator().iter_errors(document))
    assert errors, document
    assert pointer in {"".join(f"/{p}" for p in e.absolute_path) for e in errors}, [e.message for e in errors]
    with pytest.raises(InputError):
        _loads(tmp_path, document)
