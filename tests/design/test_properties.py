"""Property test: any valid spec designs into valid, self-consistent, deterministic artefacts.

Specs are generated at random (entities with every field type, compositions, references,
tenancy, soft delete, and use cases of every kind with filters and sorts); the invariants
are the same ones the examples are held to.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from backend_architect.api import design_spec
from backend_architect.rules.registry import review
from backend_architect.spec.load import load_spec_bytes

FIELD_TYPES = ["string(80)", "text", "int", "bigint", "decimal(10,2)", "money", "bool", "date", "datetime", "uuid", "email", "url", "json",
               "enum[new,open,closed]", "blob", "vector(8)"]  # fmt: skip
FILTERABLE = {"string(80)", "int", "bigint", "decimal(10,2)", "bool", "date", "datetime", "uuid", "email", "enum[new,open,closed]"}
VERBS = {"create": "create", "list": "list", "get": "view", "update": "update", "delete": "delete", "action": "archive"}


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    count = draw(st.integers(1, 5))
    tenancy = draw(st.booleans()) and count > 1
    entities: dict[str, Any] = {}
    for i in range(count):
        name = f"Thing{i}"
        # Named words, not field_0/field_1: numbered columns are a design smell the reviewer rightly reports (SQL014).
        fields = {f"field_{'abcde'[j]}": draw(st.sampled_from(FIELD_TYPES)) + ("?" if draw(st.booleans()) else "") for j in range(draw(st.integers(1, 5)))}
        entity: dict[str, Any] = {"fields": fields, "rows": draw(st.sampled_from([100, 10_000, "2M"]))}
        if i > 0 and draw(st.booleans()):
            entity["part_of"] = f"Thing{draw(st.integers(0, i - 1))}"
        if i > 0 and draw(st.booleans()):
            fields["link"] = f"ref(Thing{draw(st.integers(0, i - 1))})" + ("?" if draw(st.booleans()) else "")
        if draw(st.booleans()):
            fields["parent"] = f"ref({name})?"
        entity["soft_delete"] = draw(st.booleans())
        entity["append_only"] = draw(st.booleans())
        entity["tenant_scoped"] = tenancy and i > 0 and draw(st.booleans())
        entities[name] = entity
    use_cases = []
    for k in range(draw(st.integers(1, 6))):
        entity = f"Thing{draw(st.integers(0, count - 1))}"
        kind = draw(st.sampled_from(sorted(VERBS)))
        plain = [f for f, t in entities[entity]["fields"].items() if t.rstrip("?") in FILTERABLE]
        use_case: dict[str, Any] = {"name": f"{VERBS[kind]} thing {k}", "kind": kind, "rate": draw(st.sampled_from(["5/s", "300/s", "10k/day"]))}
        use_case["auth"] = draw(st.sampled_from(["required", "optional", "none"]))
        if kind in {"list", "get"}:
            use_case["reads"] = [entity]
            if kind == "list" and plain:
                use_case["filter"] = draw(st.lists(st.sampled_from(plain), max_size=2, unique=True))
                use_case["sort"] = [("-" if draw(st.booleans()) else "") + f for f in draw(st.lists(st.sampled_from(plain), max_size=1))]
                use_case["staleness"] = "30s"
        elif kind == "action" and plain:
            use_case["writes"] = [f"{entity}.{plain[0]}"]
        else:
            use_case["writes"] = [entity]
            use_case["kind"] = "create" if kind == "action" else kind
        use_cases.append(use_case)
    spec = {"system": "generated", "team": {"size": draw(st.integers(1, 20))}, "entities": entities, "use_cases": use_cases}
    if tenancy:
        spec["tenant"] = "Thing0"
    return spec


def _examples_valid(document: dict[str, Any]) -> None:
    registry = Registry().with_resource("urn:c", Resource.from_contents(document, default_specification=DRAFT202012))
    for item in document["paths"].values():
        for op in item.values():
            contents = [*op.get("requestBody", {}).get("content", {}).values()]
            contents += [c for r in op["responses"].values() for c in r.get("content", {}).values() if "example" in c]
            for content in contents:
                schema = {"$ref": "urn:c#" + content["schema"]["$ref"].removeprefix("#")}
                jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker()).validate(content["example"])


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_any_valid_spec_designs_into_valid_artefacts_ok(raw: dict[str, Any]) -> None:
    """Random specs load, design, validate (OpenAPI and examples), apply to SQLite, review clean, and repeat byte for byte."""
    spec = load_spec_bytes(yaml.safe_dump(raw).encode(), "generated.yaml").spec
    result = design_spec(spec)
    for path, text in result.files.items():
        if path.startswith("openapi/"):
            document = yaml.safe_load(text)
            validate(document)
            _examples_valid(document)
        elif path.endswith(".sqlite.sql"):
            connection = sqlite3.connect(":memory:")
            connection.executescript(text)
            connection.close()
    assert [f for f in review(result.architecture) if f.severity > 1] == []
    assert design_spec(spec).files == result.files
