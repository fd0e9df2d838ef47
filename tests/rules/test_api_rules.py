"""API design rules over OpenAPI documents, with helpers that cannot pass vacuously."""

from __future__ import annotations

import re
import textwrap

import pytest

from backend_architect.importers.openapi import import_openapi_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.api.examples import invalid_example
from backend_architect.rules.api.methods import body_on_get_or_delete, create_not_201, unpaginated_collection
from backend_architect.rules.api.paths import path_not_kebab_case, verb_in_path
from backend_architect.rules.api.schemas import open_request_body, unbounded_request_input
from backend_architect.rules.api.security import missing_auth_errors, unsecured_operation
from backend_architect.rules.api.structure import path_parameter_mismatch, unresolved_reference
from backend_architect.rules.model import Rule
from backend_architect.rules.registry import API_RULES, review


def contracts(*documents: str) -> Architecture:
    """An architecture holding each YAML document as one API contract."""
    return Architecture(system="t", contracts=[import_openapi_text(textwrap.dedent(d), f"api{i}.yaml") for i, d in enumerate(documents)])


def split(example: str) -> list[str]:
    return [part for part in re.split(r"^---$", example, flags=re.MULTILINE) if part.strip()]


def assert_findings(arch: Architecture, rule: Rule) -> str:
    """Fail unless ``rule`` finds something; return the findings (located) as text."""
    findings = review(arch, (rule,))
    assert findings, f"{rule.code} found nothing"
    assert {f.code for f in findings} == {rule.code}
    return "\n".join(f"{f.location}: {f.where}: {f.message}" for f in findings)


def assert_clean(arch: Architecture, rule: Rule) -> None:
    """Fail if ``rule`` finds anything."""
    findings = review(arch, (rule,))
    assert not findings, findings


def _doc_section(rule: Rule, start: str, end: str | None) -> str:
    doc = rule.doc
    body = doc.split(start, 1)[1]
    if end is not None:
        body = body.split(end, 1)[0]
    return body.split("\n## ", 1)[0]


@pytest.mark.parametrize("rule", API_RULES, ids=[r.code for r in API_RULES])
def test_documented_example_triggers_rule_err(rule: Rule) -> None:
    """Each rule's documented Example triggers it: the docs cannot drift from the code."""
    example = _doc_section(rule, "## Example", "Use instead:")
    assert_findings(contracts(*split(example)), rule)


@pytest.mark.parametrize("rule", API_RULES, ids=[r.code for r in API_RULES])
def test_documented_fix_is_clean_ok(rule: Rule) -> None:
    """Each rule's documented "Use instead" passes it."""
    fixed = _doc_section(rule, "Use instead:", None)
    assert_clean(contracts(*split(fixed)), rule)


PETS = """\
openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
paths:
  /v1/pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PetCreate'}
            example: {kind: cat, name: Tom, lives: 9}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              example: {id: 1, kind: cat, name: Tom, lives: 9, nickname: null}
components:
  schemas:
    PetCreate:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog'}}
    Pet:
      allOf:
        - {$ref: '#/components/schemas/Cat'}
        - type: object
          required: [id]
          properties:
            id: {type: integer, format: int64, readOnly: true}
            nickname: {type: string, nullable: true, enum: [Kitty, Rex]}
    Cat:
      type: object
      required: [kind, name, id]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        kind: {type: string}
        name: {type: string}
        lives: {type: integer, format: int32}
    Dog:
      type: object
      required: [kind, name]
      properties:
        kind: {type: string}
        name: {type: string}
"""


def test_openapi_semantics_are_not_false_positives_ok() -> None:
    """A discriminator picks one oneOf variant, readOnly ids are not required in requests, nullable admits null past enum."""
    assert_clean(contracts(PETS), invalid_example)


def test_discriminated_example_is_checked_against_its_variant_err() -> None:
    """With the discriminator naming Dog, a Dog example missing its name is reported at the example's line."""
    text = assert_findings(contracts(PETS.replace("example: {kind: cat, name: Tom, lives: 9}", "example: {kind: dog}")), invalid_example)
    assert text == "api0.yaml:10:13: POST /v1/pets: application/json example: (root): 'name' is a required property"


def test_response_example_must_carry_required_read_only_ok() -> None:
    """readOnly is only forgiven in requests: a response example without its id is invalid."""
    broken = PETS.replace("example: {id: 1, kind: cat, name: Tom, lives: 9, nickname: null}", "example: {kind: cat, name: Tom}")
    assert "'id' is a required property" in assert_findings(contracts(broken), invalid_example)


SWAGGER = """\
swagger: '2.0'
info: {title: Pets, version: 1.0.0}
basePath: /v1
paths:
  /pets/{id}:
    get:
      responses:
        '200':
          description: The pet.
          schema: {$ref: '#/definitions/Pet'}
          examples: {application/json: {name: 3}}
definitions:
  Pet: {type: object, properties: {name: {type: string}}}
"""


def test_swagger_two_is_indexed_like_openapi_three_err() -> None:
    """Swagger 2.0's body schemas, examples and path parameters go through the same rules."""
    arch = contracts(SWAGGER)
    assert "3 is not of type 'string'" in assert_findings(arch, invalid_example)
    assert "'id' is in the template but not declared" in assert_findings(arch, path_parameter_mismatch)


def test_open_request_body_sees_closed_all_of_part_ok() -> None:
    """A body closed by one of its allOf parts is closed."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        post:
          requestBody:
            content:
              application/json:
                schema:
                  allOf:
                    - {type: object, properties: {name: {type: string, maxLength: 9}}}
                    - {type: object, additionalProperties: false}
          responses: {'201': {description: Created.}}
    """
    assert_clean(contracts(document), open_request_body)


def test_unbounded_input_accepts_anchored_bounded_pattern_ok() -> None:
    """A pattern anchored at both ends with bounded repetition bounds the string."""
    document = """\
    openapi: 3.1.0
    info: {title: Pay, version: 1.0.0}
    paths:
      /v1/payments:
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {amount: {type: string, pattern: '^\\d{1,12}(\\.\\d{1,2})?$'}}}
          responses: {'201': {description: Created.}}
    """
    assert_clean(contracts(document), unbounded_request_input)


def test_unbounded_input_reports_unanchored_pattern_err() -> None:
    """A pattern that does not anchor both ends leaves the length open."""
    document = """\
    openapi: 3.1.0
    info: {title: Pay, version: 1.0.0}
    paths:
      /v1/payments:
        post:
          requestBody:
            content: {application/json: {schema: {type: object, properties: {note: {type: string, pattern: '[a-z]+'}}}}}
          responses: {'201': {description: Created.}}
    """
    assert "note (string without maxLength)" in assert_findings(contracts(document), unbounded_request_input)


def test_inline_ignore_extension_silences_node_and_children_ok() -> None:
    """x-backend-architect-ignore on an operation drops that rule's findings there, and only there."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/getPets:
        x-backend-architect-ignore: [verb-in-path]
        get: {responses: {'200': {description: ok}}}
      /v1/listOwners:
        get: {responses: {'200': {description: ok}}}
    """
    text = assert_findings(contracts(document), verb_in_path)
    assert "/v1/listOwners" in text
    assert "getPets" not in text


def test_explicitly_public_operation_is_not_unsecured_ok() -> None:
    """`security: []` marks an operation public on purpose."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    security: [{bearer: []}]
    components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
    paths:
      /v1/health:
        get: {security: [], responses: {'200': {description: ok}}}
      /v1/pets:
        get: {responses: {'200': {description: ok}, '401': {description: no}}}
    """
    arch = contracts(document)
    assert_clean(arch, unsecured_operation)
    assert_clean(arch, missing_auth_errors)


def test_unsecured_operation_in_secured_document_err() -> None:
    """Where the document secures some operations, one without a requirement is reported by name."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
    paths:
      /v1/pets:
        get: {security: [{bearer: []}], responses: {'200': {description: ok}}}
        post: {responses: {'201': {description: ok}}}
    """
    assert assert_findings(contracts(document), unsecured_operation).endswith(
        "POST /v1/pets: no security requirement applies and `security: []` does not mark it public"
    )


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        pytest.param("/v1/pets/{pet_id}:cancel", path_not_kebab_case, id="custom-method"),
        pytest.param("/v1/pets/search", verb_in_path, id="search-action"),
        pytest.param("/2024-06-01/pets", path_not_kebab_case, id="date-version"),
    ],
)
def test_path_conventions_accept_common_forms_ok(path: str, rule: Rule) -> None:
    """Custom methods, search sub-resources and date versions are not naming violations."""
    document = f"""\
    openapi: 3.1.0
    info: {{title: Pets, version: 1.0.0}}
    paths:
      '{path}':
        post: {{responses: {{'200': {{description: ok}}}}}}
    """
    assert_clean(contracts(document), rule)


def test_unpaginated_envelope_err() -> None:
    """An envelope whose `data` is an array is a list, even without a top-level array."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          responses:
            '200':
              description: ok
              content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}
    components:
      schemas:
        Page: {type: object, properties: {data: {type: array, items: {type: object}}}}
    """
    assert_findings(contracts(document), unpaginated_collection)


def test_empty_body_on_get_is_not_a_body_ok() -> None:
    """A declared body that admits only {} (as Stripe's GETs declare) is no body."""
    document = """\
    openapi: 3.0.0
    info: {title: Pets, version: 1.0.0}
    paths:
      /v1/pets:
        get:
          requestBody:
            content: {application/x-www-form-urlencoded: {schema: {type: object, properties: {}, additionalProperties: false}}}
          responses: {'200': {description: ok}}
    """
    assert_clean(contracts(document), body_on_get_or_delete)


def test_action_post_is_not_a_create_ok() -> None:
    """POST to an action (a singular or verb segment) need not answer 201."""
    document = """\
    openapi: 3.1.0
    info: {title: Tokens, version: 1.0.0}
    paths:
      /v1/applications/{id}/token/scoped:
        post: {responses: {'200': {description: ok}}}
    """
    assert_clean(contracts(document), create_not_201)


def test_unresolved_reference_points_at_the_ref_err() -> None:
    """The finding is at the line and column of the broken $ref, with its text."""
    document = """\
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Pet:
          $ref: '#/components/schemas/Animal'
    """
    assert (
        assert_findings(contracts(document), unresolved_reference)
        == "api0.yaml:7:7: /components/schemas/Pet: $ref '#/components/schemas/Animal' does not resolve"
    )


def test_generated_designs_review_clean_ok(example: object) -> None:
    """Every OpenAPI document the design command writes passes every API rule, info included."""
    files = example.files  # type: ignore[attr-defined]
    documents = [import_openapi_text(text, name) for name, text in sorted(files.items()) if name.startswith("openapi/")]
    assert documents
    findings = review(Architecture(system="t", contracts=documents), API_RULES)
    assert [f"{f.location}: {f.code} {f.message}" for f in findings] == []


def test_ambiguous_paths_compares_only_paths_sharing_literals_ok() -> None:
    """API007 compares a path with the earlier ones that agree with it segment by segment, not with every path: 3,000
    distinct resources give no candidate pair, and a templated path meets exactly the ones it could route."""
    from backend_architect.rules.api.path_templates import _candidates

    distinct = [(f"/v1/items{i}/{{id}}", None) for i in range(3_000)]
    assert list(_candidates(distinct)) == []  # type: ignore[arg-type]
    wild = [*distinct, ("/v1/{kind}/{id}", None)]
    assert len(list(_candidates(wild))) == 3_000  # type: ignore[arg-type]
