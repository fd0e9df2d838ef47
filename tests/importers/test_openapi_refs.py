"""Every $ref followed wherever a document can hold one, located in the file that holds it; misplaced ones reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.importers.openapi import import_openapi, import_openapi_text
from backend_architect.ir.contract import ApiContract
from backend_architect.ir.model import Architecture
from backend_architect.rules.api.structure import reference_not_allowed, unresolved_reference
from backend_architect.rules.registry import API_RULES, review


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    return folder / next(iter(files))


def _codes(contract: ApiContract) -> list[str]:
    return [f.code for f in review(Architecture(system="t", contracts=[contract]), API_RULES)]


OPERATION = """\
    summary: List pets
    parameters: [{$ref: '../params.yaml#/limit'}]
    responses:
      '200':
        $ref: '../responses.yaml#/Pets'
"""
PARAMS = "limit: {name: limit, in: query, schema: {type: integer, maximum: 100}}\n"
RESPONSES = """\
Pets:
  description: The pets.
  headers:
    RateLimit: {$ref: 'headers.yaml#/RateLimit'}
  content:
    application/json:
      schema: {type: array, maxItems: 100, items: {type: string}}
      examples:
        two: {$ref: 'examples.yaml#/Two'}
  links:
    first: {$ref: 'links.yaml#/First'}
"""
SHARED = {
    "params.yaml": PARAMS,
    "responses.yaml": RESPONSES,
    "headers.yaml": "RateLimit: {schema: {type: string}}\n",
    "examples.yaml": "Two: {value: [rex, tom]}\n",
    "links.yaml": "First: {operationId: listPets}\n",
}


def _main(paths: str, version: str = "3.0.3") -> str:
    return f"openapi: {version}\ninfo: {{title: Pets, version: 1.0.0}}\npaths:\n{textwrap.indent(textwrap.dedent(paths), '  ')}"


@pytest.mark.parametrize(
    ("paths", "extra"),
    [
        pytest.param("/v1/pets:\n  get: {$ref: 'ops/list.yaml'}\n", {"ops/list.yaml": OPERATION}, id="operation-in-another-file"),
        pytest.param("/v1/pets: {$ref: 'ops/pets.yaml'}\n", {"ops/pets.yaml": "get:\n" + textwrap.indent(OPERATION, "  ")}, id="path-item-in-another-file"),
    ],
)
def test_every_reference_position_is_followed_ok(tmp_path: Path, paths: str, extra: dict[str, str]) -> None:
    """Operations, path items, parameters, responses, headers, examples and links in other files are all read."""
    main = _write(tmp_path, {"api.yaml": _main(paths), **SHARED, **extra})
    [contract] = import_openapi(main)
    [operation] = contract.operations
    assert [p.name for p in operation.parameters] == ["limit"]
    [response] = operation.responses
    assert response.headers == ("ratelimit",)
    assert [e.value for e in response.bodies[0].examples] == [["rex", "tom"]]
    assert contract.unresolved == []
    assert {r.kind for r in contract.refs} >= {"parameter", "response", "header", "example", "link"}
    assert "API002" not in _codes(contract)  # the operation's responses are seen


def test_findings_inside_a_referenced_file_point_into_it_ok(tmp_path: Path) -> None:
    """A finding about an operation written in another file is located in that file, at its line."""
    operation = "responses:\n  '200': {description: The pets.}\n"
    main = _write(tmp_path, {"api.yaml": _main("/v1/pets:\n  get: {$ref: 'ops/list.yaml'}\n"), "ops/list.yaml": operation})
    findings = review(Architecture(system="t", contracts=import_openapi(main)), API_RULES)
    summary = next(f for f in findings if f.code == "API034")
    assert summary.location is not None
    assert summary.location.file == str(tmp_path / "ops" / "list.yaml")
    [misplaced] = [f for f in findings if f.code == "API006"]
    assert misplaced.location is not None
    assert (misplaced.location.file, misplaced.location.line) == (str(main), 5)


@pytest.mark.parametrize(
    "ref",
    [
        pytest.param("#/components/schemas/Pet%20Info", id="percent-encoded-space"),
        pytest.param("#/components/schemas/Pet%20Info/properties/na%6De", id="percent-encoded-letter"),
        pytest.param("#/components/schemas/a~1b", id="escaped-slash"),
    ],
)
def test_percent_encoded_pointer_fragments_resolve_ok(ref: str) -> None:
    """A fragment is percent-decoded before it is read as a JSON pointer (RFC 6901, section 6)."""
    document = f"""\
        openapi: 3.0.3
        info: {{title: Pets, version: 1.0.0}}
        paths: {{}}
        components:
          schemas:
            'Pet Info': {{type: object, properties: {{name: {{type: string}}}}}}
            'a/b': {{type: string}}
            Holder: {{$ref: '{ref}'}}
        """
    contract = import_openapi_text(textwrap.dedent(document))
    assert contract.unresolved == []


ID_DOCUMENT = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
paths: {}
components:
  schemas:
    Pet:
      $id: 'https://example.com/schemas/pet'
      type: object
      properties:
        tag: {$ref: 'tag'}
    Tag: {$id: 'https://example.com/schemas/tag', type: string}
    Owner: {$anchor: owner, type: object}
    Holder: {$ref: 'https://example.com/schemas/pet'}
    OwnerRef: {$ref: '#owner'}
"""


def test_31_id_and_anchor_resolve_ok() -> None:
    """3.1 schemas reach each other by $id (absolute, and relative inside an $id) and by $anchor; nothing is fetched."""
    contract = import_openapi_text(ID_DOCUMENT)
    assert contract.unresolved == []
    holder = contract.resolve(next(s for s in contract.schemas() if s.pointer[-1] == "Holder"))
    assert holder is not None
    assert holder.pointer == ("components", "schemas", "Pet")
    pet = holder.child("properties")
    assert pet is not None
    tag = contract.resolve(pet.child("tag"))
    assert tag is not None
    assert tag.pointer == ("components", "schemas", "Tag")


def test_31_anchor_is_not_an_anchor_in_30_err() -> None:
    """An anchor reference in a document without that anchor is an unresolved reference."""
    document = ID_DOCUMENT.replace("Owner: {$anchor: owner, type: object}", "Owner: {type: object}")
    text = [f.message for f in review(Architecture(system="t", contracts=[import_openapi_text(document)]), (unresolved_reference,))]
    assert text == ["$ref '#owner' does not resolve"]


@pytest.mark.parametrize(
    ("document", "fires"),
    [
        pytest.param(_main("/v1/pets:\n  get: {$ref: '#/x-op'}\n") + "x-op: {responses: {'200': {description: ok}}}\n", True, id="30-operation"),
        pytest.param(_main("/v1/pets:\n  get: {$ref: '#/x-op'}\n", "3.1.0") + "x-op: {responses: {'200': {description: ok}}}\n", True, id="31-operation"),
        pytest.param(
            _main("/v1/pets:\n  get:\n    responses:\n      '200':\n        description: ok\n        content: {application/json: {$ref: '#/x-m'}}\n")
            + "x-m: {schema: {type: string}}\n",
            True,
            id="media-type",
        ),
        pytest.param(
            _main("/v1/pets:\n  get:\n    responses: {$ref: '#/x-r'}\n") + "x-r: {'200': {description: ok}}\n",
            True,
            id="responses-map",
        ),
        pytest.param(
            _main(
                "/v1/pets:\n  get:\n    responses:\n      '200':\n        description: ok\n"
                "        content: {application/json: {schema: {type: object}, examples: {a: {value: {$ref: '#/x-v'}}}}}\n"
            )
            + "x-v: {}\n",
            True,
            id="example-value",
        ),
        pytest.param(
            "swagger: '2.0'\ninfo: {title: P, version: '1'}\npaths:\n  /v1/pets:\n    get:\n      responses:\n"
            "        '200': {description: ok, headers: {X-Rate: {$ref: '#/x-h'}}}\nx-h: {type: string}\n",
            True,
            id="swagger-response-header",
        ),
        pytest.param(_main("/v1/pets: {$ref: '#/x-p'}\n") + "x-p: {get: {responses: {'200': {description: ok}}}}\n", False, id="path-item"),
        pytest.param(
            _main("/v1/pets:\n  get:\n    parameters: [{$ref: '#/components/parameters/q'}]\n    responses: {'200': {$ref: '#/components/responses/ok'}}\n")
            + "components:\n  parameters: {q: {name: q, in: query, schema: {$ref: '#/components/schemas/Q'}}}\n"
            "  responses: {ok: {description: ok}}\n  schemas: {Q: {type: string}}\n",
            False,
            id="parameter-response-schema",
        ),
        pytest.param(
            "openapi: 3.1.0\ninfo: {title: P, version: '1'}\npaths:\n  /v1/pets: {$ref: '#/components/pathItems/pets'}\n"
            "components:\n  pathItems:\n    pets: {get: {responses: {'200': {description: ok}}}}\n",
            False,
            id="31-components-path-item",
        ),
    ],
)
def test_reference_where_the_version_allows_none_err(document: str, fires: bool) -> None:
    """A $ref is reported where its OpenAPI version does not allow one, and nowhere else; it is followed either way."""
    contract = import_openapi_text(document)
    findings = review(Architecture(system="t", contracts=[contract]), (reference_not_allowed,))
    assert bool(findings) is fires, findings
    assert contract.unresolved == []


def test_ref_inside_an_example_value_is_data_ok() -> None:
    """A $ref deep inside an example's literal value (a JSON Schema shown as data) is neither followed nor reported."""
    document = _main(
        "/v1/schemas:\n  get:\n    responses:\n      '200':\n        description: ok\n"
        "        content: {application/json: {schema: {type: object}, example: {schema: {$ref: '#/nowhere'}}}}\n"
    )
    contract = import_openapi_text(document)
    assert contract.unresolved == []
    assert not {"API001", "API006"} & set(_codes(contract))


def test_references_in_extensions_are_uses_not_findings_ok() -> None:
    """GitHub's 3.0 description carries its webhooks in `x-webhooks`, Adyen's schemas an `x-anyOf` and discriminator mappings:
    what they name is used."""
    document = _main("/v1/pets:\n  get: {responses: {'200': {description: ok}}}\n") + (
        "x-webhooks:\n  pet-born: {post: {requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Born'}}}}}}\n"
        "components: {schemas: {Born: {type: object, properties: {at: {$ref: '#/components/schemas/At'}, kind: {$ref: '#/components/schemas/Kinds'}},"
        " x-anyOf: [{$ref: '#/components/schemas/Extra'}]}, At: {type: string}, Extra: {type: object},"
        " Kinds: {oneOf: [{type: object}], discriminator: {propertyName: k, mapping: {a: '#/components/schemas/A', b: B}}},"
        " A: {type: object}, B: {type: object}}}\n"
    )
    assert not {"API006", "API038"} & set(_codes(import_openapi_text(document)))


def test_reference_inside_an_example_value_that_names_a_component_err() -> None:
    """A $ref inside a literal example that names a component of the document is what the author meant: a use, and misplaced."""
    document = (
        _main(
            "/v1/repos:\n  get:\n    responses:\n      '200':\n        description: ok\n"
            "        content: {application/json: {schema: {type: array}, examples: {a: {value: [{repo: {$ref: '#/components/examples/Repo'}}]}}}}\n"
        )
        + "components: {examples: {Repo: {value: {name: x}}}}\n"
    )
    codes = _codes(import_openapi_text(document))
    assert "API006" in codes
    assert "API038" not in codes


def test_properties_written_as_a_reference_err(tmp_path: Path) -> None:
    """`properties: {$ref: ...}` (DigitalOcean's shape) is misplaced, and its properties are read: the required name is defined."""
    operation = _main(
        "/v1/pets:\n  post:\n    requestBody:\n      content:\n        application/json:\n"
        "          schema: {type: object, properties: {$ref: 'attributes.yaml#/pet'}, required: [name]}\n"
        "    responses: {'204': {description: ok}}\n"
    )
    main = _write(tmp_path, {"api.yaml": operation, "attributes.yaml": "pet: {name: {type: string}}\n"})
    codes = _codes(import_openapi(main)[0])
    assert "API006" in codes
    assert "API041" not in codes
