"""Loading OpenAPI documents: versions, split files, positions, and hostile input refused with a location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_architect.errors import InputError
from backend_architect.importers.openapi import import_openapi, import_openapi_text
from backend_architect.importers.openapi.source import MAX_FILE_BYTES
from backend_architect.ir.model import Architecture
from backend_architect.rules.registry import API_RULES, review

MAIN = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
paths:
  /v1/pets:
    get:
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema: {$ref: 'schemas/pet.yaml#/Pet'}
              example: {name: 7}
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder / next(iter(files))


def test_split_document_resolves_relative_refs_ok(tmp_path: Path) -> None:
    """A $ref to a file beside the document is loaded, and the example is validated against the schema there."""
    main = _write(tmp_path, {"api.yaml": MAIN, "schemas/pet.yaml": "Pet: {type: object, properties: {name: {type: string}}}\n"})
    [contract] = import_openapi(main)
    assert sorted(contract.files) == [str(main), str(tmp_path / "schemas" / "pet.yaml")]
    findings = review(Architecture(system="t", contracts=[contract]), API_RULES)
    invalid = [f for f in findings if f.code == "API037"]
    assert [str(f.location) for f in invalid] == [f"{main}:12:25"]  # at the offending property
    assert invalid[0].pointer == "/paths/~1v1~1pets/get/responses/200/content/application~1json/example/name"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        pytest.param("https://evil.example/pet.yaml#/Pet", "$ref to a URL (https://evil.example/pet.yaml) is not followed", id="url"),
        pytest.param("/etc/passwd#/Pet", "$ref to an absolute path (/etc/passwd) is not followed", id="absolute"),
        pytest.param("../outside.yaml#/Pet", "$ref leaves the document's folder (../outside.yaml)", id="outside"),
        pytest.param("file:///etc/passwd#/Pet", "$ref to a URL (file:///etc/passwd) is not followed", id="file-url"),
    ],
)
def test_refs_leaving_the_document_are_refused_err(tmp_path: Path, ref: str, message: str) -> None:
    """References to URLs, absolute paths and outside files are refused at the $ref's line, before anything is read."""
    (tmp_path / "outside.yaml").write_text("Pet: {type: object}\n")
    main = _write(tmp_path / "api", {"api.yaml": MAIN.replace("schemas/pet.yaml#/Pet", ref)})
    with pytest.raises(InputError) as caught:
        import_openapi(main)
    assert str(caught.value).startswith(f"{main}:11:24: {message}")


def test_allow_external_refs_follows_outside_file_ok(tmp_path: Path) -> None:
    """With the user's permission a file outside the folder is read."""
    (tmp_path / "outside.yaml").write_text("Pet: {type: object}\n")
    main = _write(tmp_path / "api", {"api.yaml": MAIN.replace("schemas/pet.yaml#/Pet", "../outside.yaml#/Pet")})
    [contract] = import_openapi(main, allow_external=True)
    assert len(contract.files) == 2
    assert contract.unresolved == []


def test_missing_referenced_file_is_an_unresolved_reference_err(tmp_path: Path) -> None:
    """A $ref to a file that does not exist is a located finding, not a crash."""
    main = _write(tmp_path, {"api.yaml": MAIN})
    findings = review(Architecture(system="t", contracts=import_openapi(main)), API_RULES)
    assert [(str(f.location), f.message) for f in findings if f.code == "API001"] == [(f"{main}:11:24", "$ref 'schemas/pet.yaml#/Pet' does not resolve")]


def test_cyclic_refs_are_fine_ok() -> None:
    """A recursive schema (a tree of categories) is reviewed without hanging."""
    document = """\
    openapi: 3.1.0
    info: {title: Shop, version: 1.0.0}
    paths:
      /v1/categories:
        post:
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Category'}
                example: {name: a, children: [{name: b, children: [{name: 3}]}]}
          responses: {'201': {description: ok}}
    components:
      schemas:
        Category:
          type: object
          properties:
            name: {type: string}
            children: {type: array, items: {$ref: '#/components/schemas/Category'}}
    """
    import textwrap

    findings = review(Architecture(system="t", contracts=[import_openapi_text(textwrap.dedent(document))]), API_RULES)
    assert any(f.code == "API037" and "['children'][0]['children'][0]['name']" in f.message for f in findings)


def test_json_positions_point_at_keys_ok(tmp_path: Path) -> None:
    """In JSON the finding points at the key of the node, found by the one-pass locator."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {"/v1/pets/": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document, indent=2))
    findings = review(Architecture(system="t", contracts=import_openapi(path)), API_RULES)
    slash = next(f for f in findings if f.code == "API017")
    line = path.read_text().splitlines()[slash.location.line - 1]  # type: ignore[union-attr]
    assert line[slash.location.col - 1 :].startswith('"/v1/pets/"')  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"openapi": "3.0.0", "info": {', "api.json:1:31: invalid JSON: Expecting property name", id="truncated-json"),
        pytest.param("openapi: 3.0.0\ninfo: [unclosed\n", "api.json:3:1: invalid YAML", id="broken-yaml"),
        pytest.param("openapi: 4.0.0\ninfo: {}\n", "api.json:1:1: unsupported version '4.0.0'", id="unknown-version"),
        pytest.param("asyncapi: 3.0.0\n", "api.json:1:1: not an OpenAPI document", id="not-openapi"),
        pytest.param("openapi: 3.0.0\nx: !!python/object:os.system ls\n", "api.json:2:4: unsupported YAML tag", id="python-tag"),
        pytest.param("openapi: 3.0.0\nopenapi: 3.1.0\n", "api.json:2:1: duplicate key 'openapi'", id="duplicate-key"),
        pytest.param("[" * 100_000 + "]" * 100_000, "api.json", id="deep-json"),
    ],
)
def test_bad_documents_are_located_errors_err(text: str, message: str) -> None:
    """Malformed or hostile documents give a located error, never a traceback."""
    with pytest.raises(InputError) as caught:
        import_openapi_text(text, "api.json")
    assert str(caught.value).startswith(message)


def test_yaml_alias_bomb_is_refused_quickly_err() -> None:
    """Nine levels of ten aliases would expand to a billion nodes; the walk counts and stops."""
    lines = ["openapi: 3.0.0", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    with pytest.raises(InputError, match="expands to more than"):
        import_openapi_text("\n".join(lines) + "\n", "bomb.yaml")


def test_huge_file_is_refused_before_reading_err(tmp_path: Path) -> None:
    """A file past the size limit is refused from its size alone."""
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match=r"huge.json:1:1: file is 32.0 MiB; an API document may be at most 32 MiB"):
        import_openapi(path)


def test_folder_reviews_each_document_ok(tmp_path: Path) -> None:
    """A folder yields one contract per OpenAPI document; referenced fragments are not documents."""
    _write(tmp_path, {"a.yaml": MAIN.replace("schemas/pet.yaml#/Pet", "#/components/schemas/P") + "components: {schemas: {P: {type: object}}}\n"})
    _write(tmp_path, {"b.yaml": MAIN.replace("Pets", "Owners").replace("schemas/pet.yaml#/Pet", "common.yaml#/P"), "common.yaml": "P: {type: object}\n"})
    assert [Path(c.name).name for c in import_openapi(tmp_path)] == ["a.yaml", "b.yaml"]


def test_empty_folder_is_an_error_err(tmp_path: Path) -> None:
    """A folder without any OpenAPI document says so."""
    with pytest.raises(InputError, match="no OpenAPI or Swagger document in this folder"):
        import_openapi(tmp_path)


def test_json_positions_inside_arrays_ok(tmp_path: Path) -> None:
    """A finding on a list item (a parameter) points at that item in JSON, not at its parent."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1"},
        "paths": {"/v1/pets": {"get": {"parameters": [{"name": "q", "in": "query"}, {"name": "id", "in": "path", "required": True}],
                                        "responses": {"200": {"description": "ok"}}}}},
    }  # fmt: skip
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document, indent=2))
    findings = review(Architecture(system="t", contracts=import_openapi(path)), API_RULES)
    stray = next(f for f in findings if f.code == "API003")
    line = path.read_text().splitlines()[stray.location.line - 1]  # type: ignore[union-attr]
    assert line.strip() == "{"
    assert '"name": "id"' in path.read_text().splitlines()[stray.location.line]  # type: ignore[union-attr]
