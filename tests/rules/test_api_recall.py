"""What the OpenAPI review must catch: examples everywhere (with formats), nullable, required names, ambiguous paths, scopes."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api.examples import invalid_example
from backend_architect.rules.api.path_templates import ambiguous_paths, invalid_path_key
from backend_architect.rules.api.schema_validity import ineffective_nullable, required_property_undefined
from backend_architect.rules.api.security import scopes_on_non_oauth_scheme
from backend_architect.rules.model import Finding, Rule
from backend_architect.rules.registry import review


def _review(rule: Rule, document: str) -> list[Finding]:
    return review(Architecture(system="t", contracts=[import_openapi_text(textwrap.dedent(document), "api.yaml")]), (rule,))


def _op(fragment: str, version: str = "3.0.3") -> str:
    """A document with one GET operation; ``fragment`` is YAML of the operation's fields."""
    head = f"openapi: {version}\ninfo: {{title: T, version: '1'}}\npaths:\n  /v1/pets/{{pet_id}}:\n    get:\n"
    return head + textwrap.indent(textwrap.dedent(fragment), "      ")


PARAM = "parameters: [{{name: pet_id, in: path, required: true, schema: {schema}, example: {example}}}]\nresponses: {{'200': {{description: ok}}}}\n"
BODY = (
    "responses:\n  '200':\n    description: ok\n"
    "    content: {{application/json: {{schema: {{type: object, properties: {{at: {schema}}}}}, example: {{at: {example}}}}}}}\n"
)
HEADER = "responses:\n  '200':\n    description: ok\n    headers: {{X-At: {{schema: {schema}, example: {example}}}}}\n"


@pytest.mark.parametrize(
    ("template", "schema", "example", "fires"),
    [
        pytest.param(PARAM, "{type: string, format: uuid}", "7", True, id="parameter-type"),
        pytest.param(PARAM, "{type: string, format: uuid}", "not-a-uuid", True, id="parameter-uuid"),
        pytest.param(PARAM, "{type: string, format: uuid}", "3fa85f64-5717-4562-b3fc-2c963f66afa6", False, id="parameter-uuid-ok"),
        pytest.param(BODY, "{type: string, format: date-time}", "yesterday", True, id="body-date-time"),
        pytest.param(BODY, "{type: string, format: date-time}", "'2024-05-01T10:00:00Z'", False, id="body-date-time-ok"),
        pytest.param(BODY, "{type: string, format: email}", "nobody", True, id="body-email"),
        pytest.param(BODY, "{type: string, format: email}", "a@example.com", False, id="body-email-ok"),
        pytest.param(BODY, "{type: string, format: uri}", "/relative/path", True, id="body-uri"),
        pytest.param(BODY, "{type: string, format: uri}", "'https://example.com/a'", False, id="body-uri-ok"),
        pytest.param(HEADER, "{type: integer}", "soon", True, id="header-type"),
        pytest.param(HEADER, "{type: integer}", "3", False, id="header-ok"),
    ],
)
def test_examples_are_validated_where_they_are_err(template: str, schema: str, example: str, fires: bool) -> None:
    """Parameter, media-type and header examples are checked, formats included."""
    assert bool(_review(invalid_example, _op(template.format(schema=schema, example=example)))) is fires


@pytest.mark.parametrize(
    ("version", "schema", "fires"),
    [
        pytest.param("3.0.3", "{type: object, properties: {age: {type: integer, example: old}}}", True, id="30-property-example"),
        pytest.param("3.0.3", "{type: object, properties: {age: {type: integer, example: 3}}}", False, id="30-property-example-ok"),
        pytest.param("3.1.0", "{type: object, properties: {age: {type: integer, examples: [3, old]}}}", True, id="31-examples-array"),
        pytest.param("3.1.0", "{type: object, examples: [{age: 3}], properties: {age: {type: integer}}}", False, id="31-examples-ok"),
    ],
)
def test_schema_examples_are_validated_err(version: str, schema: str, fires: bool) -> None:
    """A schema's own example (3.0) or examples (3.1) is checked against that schema."""
    document = f"openapi: {version}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents: {{schemas: {{Pet: {schema}}}}}\n"
    assert bool(_review(invalid_example, document)) is fires


def test_example_finding_points_at_the_offending_property_err() -> None:
    """The finding is located at the property that breaks the schema, inside the example."""
    document = _op(BODY.format(schema="{type: string, format: email}", example="nobody"))
    [finding] = _review(invalid_example, document)
    assert finding.pointer is not None
    assert finding.pointer.endswith("/example/at")


@pytest.mark.parametrize(
    ("version", "schema", "fires"),
    [
        pytest.param("3.1.0", "{type: string, nullable: true}", True, id="31-nullable"),
        pytest.param("3.0.3", "{nullable: true, allOf: [{$ref: '#/components/schemas/B'}]}", True, id="303-without-type"),
        pytest.param("3.0.0", "{nullable: true, allOf: [{$ref: '#/components/schemas/B'}]}", False, id="300-composed"),
        pytest.param("3.0.0", "{nullable: true, description: anything}", True, id="300-alone"),
        pytest.param("3.0.3", "{type: string, nullable: true}", False, id="30-with-type"),
        pytest.param("3.1.0", "{type: [string, 'null']}", False, id="31-null-type"),
    ],
)
def test_nullable_without_effect_err(version: str, schema: str, fires: bool) -> None:
    """`nullable` is reported where the document's version gives it no meaning."""
    document = f"openapi: {version}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents: {{schemas: {{A: {schema}, B: {{type: object}}}}}}\n"
    assert bool(_review(ineffective_nullable, document)) is fires


@pytest.mark.parametrize(
    ("schema", "fires"),
    [
        pytest.param("{type: object, required: [nmae], properties: {name: {type: string}}}", True, id="typo"),
        pytest.param("{type: object, required: [name], properties: {name: {type: string}}}", False, id="defined"),
        pytest.param("{allOf: [{$ref: '#/components/schemas/Base'}, {type: object, required: [id], properties: {x: {type: string}}}]}", False, id="allof-base"),
        pytest.param(
            "{type: object, properties: {status: {type: string}, conclusion: {type: string}},"
            " anyOf: [{properties: {status: {enum: [done]}}, required: [conclusion]}]}",
            False,
            id="github-anyof-part",
        ),
        pytest.param("{type: object, required: [x], patternProperties: {'^x': {type: string}}, properties: {y: {type: string}}}", False, id="pattern"),
    ],
)
def test_required_property_never_defined_err(schema: str, fires: bool) -> None:
    """A required name no property defines is reported; names an allOf base or the whole defines are not."""
    base = "Base: {type: object, properties: {id: {type: string}}}"
    document = f"openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents: {{schemas: {{A: {schema}, {base}}}}}\n"
    assert bool(_review(required_property_undefined, document)) is fires


@pytest.mark.parametrize(
    ("left", "right", "fires"),
    [
        pytest.param("/pets/{id}", "/pets/{name}", True, id="identical"),
        pytest.param("/{entity}/me", "/books/{id}", True, id="ambiguous"),
        pytest.param("/pets/mine", "/pets/{id}", False, id="concrete-first"),
        pytest.param("/pets/{id}", "/pets/{id}/toys", False, id="different-length"),
    ],
)
def test_ambiguous_paths_err(left: str, right: str, fires: bool) -> None:
    """Templates that match the same URL with no order between them are reported."""
    document = f"openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths:\n  '{left}': {{}}\n  '{right}': {{}}\n"
    assert bool(_review(ambiguous_paths, document)) is fires


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        pytest.param("/files/{file_id}#update_shared_link", True, id="box-fragment"),
        pytest.param("/pets?species=cat", True, id="query"),
        pytest.param("pets", True, id="no-slash"),
        pytest.param("/pets", False, id="path"),
    ],
)
def test_path_key_is_a_path_err(path: str, fires: bool) -> None:
    """Path keys start with '/' and carry neither a query nor a fragment."""
    document = f"openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths:\n  '{path}': {{}}\n"
    assert bool(_review(invalid_path_key, document)) is fires


@pytest.mark.parametrize(
    ("version", "scheme", "fires"),
    [
        pytest.param("3.0.3", "{type: http, scheme: bearer}", True, id="30-http-scopes"),
        pytest.param("3.0.3", "{type: apiKey, in: header, name: X-Key}", True, id="30-apikey-scopes"),
        pytest.param("3.1.0", "{type: http, scheme: bearer}", False, id="31-roles-allowed"),
        pytest.param("3.0.3", "{type: oauth2, flows: {implicit: {authorizationUrl: 'https://a.example/auth', scopes: {'pets:read': r}}}}", False, id="oauth2"),
    ],
)
def test_scopes_on_non_oauth_scheme_err(version: str, scheme: str, fires: bool) -> None:
    """In 3.0 only oauth2 and openIdConnect requirements list scopes; one finding per scheme, however many operations."""
    document = (
        f"openapi: {version}\ninfo: {{title: T, version: '1'}}\nsecurity: [{{s: ['pets:read']}}]\n"
        f"components: {{securitySchemes: {{s: {scheme}}}}}\npaths:\n"
        "  /a: {get: {security: [{s: ['pets:read']}], responses: {'200': {description: ok}}}}\n"
        "  /b: {get: {security: [{s: ['pets:read']}], responses: {'200': {description: ok}}}}\n"
    )
    assert len(_review(scopes_on_non_oauth_scheme, document)) == (1 if fires else 0)
