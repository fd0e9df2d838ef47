"""Loading specs: valid ones validate, invalid ones give exact located messages."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec, load_spec_bytes

BASE = """\
system: shop
entities:
  Book:
    fields:
      title: string(100)
      author: ref(Author)
  Author:
    fields:
      name: string(100)
  Review:
    belongs_to: Book
    fields:
      rating: int
use_cases:
  - name: browse books
    reads: [Book]
    filter: [author]
    rate: 10/s
"""


def load(text: str) -> object:
    return load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml").spec


def errors_of(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load(text)
    return str(info.value).splitlines()


def test_minimal_spec_ok() -> None:
    """A spec with only a system and one entity is valid."""
    spec = load("system: x\nentities:\n  A:\n    fields: {name: string}\n")
    assert list(spec.entities) == ["A"]  # type: ignore[attr-defined]


def test_base_spec_ok() -> None:
    """References, belongs_to, filters on relations and rates all resolve."""
    spec = load(BASE)
    assert spec.use_cases[0].rate.per_second == 10  # type: ignore[attr-defined]


def test_json_spec_ok() -> None:
    """JSON input is read by the same loader."""
    spec = load('{"system": "x", "entities": {"A": {"fields": {"n": "int"}}}}')
    assert spec.system == "x"  # type: ignore[attr-defined]


def test_notes_anywhere_ok() -> None:
    """A notes string is accepted on every level and ignored."""
    load("system: x\nnotes: hi\nentities:\n  A:\n    notes: about A\n    fields:\n      n: {type: int, notes: why}\n")


def test_yaml_merge_keys_ok() -> None:
    """YAML anchors and merge keys work for legitimate reuse."""
    spec = load("system: x\nentities:\n  A:\n    fields: &f {name: string, size: int}\n  B:\n    fields:\n      <<: *f\n      extra: text\n")
    assert list(spec.entities["B"].fields) == ["name", "size", "extra"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        pytest.param(
            "string(100)\n      author", "strnig(100)\n      author", "spec.yaml:5:14: unknown field type 'strnig' (did you mean 'string'?)", id="unknown-type"
        ),
        pytest.param("    fields:\n      title", "    feilds:\n      title", "spec.yaml:4:5: unknown key 'feilds' (did you mean 'fields'?)", id="unknown-key"),
        pytest.param("ref(Author)", "ref(Autor)", "spec.yaml:6:15: unknown entity 'Autor' (did you mean 'Author'?)", id="dangling-ref"),
        pytest.param("belongs_to: Book", "belongs_to: Bok", "spec.yaml:11:17: unknown entity 'Bok' (did you mean 'Book'?)", id="dangling-belongs-to"),
        pytest.param("reads: [Book]", "reads: [Books]", "spec.yaml:16:13: unknown entity 'Books' (did you mean 'Book'?)", id="dangling-read"),
        pytest.param(
            "filter: [author]", "filter: [Review.author_id]", "spec.yaml:17:14: 'Review' has no field or relation 'author_id'", id="dangling-relation"
        ),
        pytest.param("rate: 10/s", "rate: 10/fortnight", "spec.yaml:18:11: cannot read rate '10/fortnight'", id="bad-rate"),
        pytest.param("  Author:\n", "  Author:\n    rows: many\n", "spec.yaml:8:11: expected a count such as 2M or 1500, got 'many'", id="bad-count"),
        pytest.param("system: shop", "system: 'shop!'", "spec.yaml:1:9: 'shop!' is not a valid name here", id="bad-system-name"),
        pytest.param("  Author:\n", "  bad name:\n", "spec.yaml:7:3: 'bad name' is not a valid name here", id="bad-entity-name"),
        pytest.param("      rating: int\n", "      Rating-Stars: int\n", "spec.yaml:13:7: 'Rating-Stars' is not a valid name here", id="bad-field-name"),
        pytest.param("system: shop\n", "", "spec.yaml:1:1: missing required key 'system'", id="missing-system"),
        pytest.param(
            "  - name: browse books\n",
            "  - name: browse books\n    auth: maybe\n",
            "spec.yaml:16:11: expected 'required', 'optional' or 'none', got 'maybe'",
            id="bad-literal",
        ),
        pytest.param("  Author:\n", "  Book:\n    fields: {}\n  Author:\n", "spec.yaml:7:3: duplicate key 'Book'", id="duplicate-entity"),
        pytest.param(
            "    rate: 10/s\n",
            "    rate: 10/s\n  - name: Browse Books\n    reads: [Book]\n",
            "spec.yaml:19:11: duplicate use case name 'Browse Books' (also use case 1)",
            id="duplicate-use-case",
        ),
        pytest.param(
            "      rating: int\n", "      rating: int\n      id: uuid\n", "spec.yaml:14:7: 'id' is added to every table; remove this field", id="reserved-field"
        ),
        pytest.param("filter: [author]", "search: [author]", "spec.yaml:17:14: 'Book.author' is not text", id="search-non-text"),
        pytest.param("    rate: 10/s\n", "    rate: 10/s\n    calls: [stripe]\n", "spec.yaml:19:13: unknown external system 'stripe'", id="unknown-external"),
        pytest.param("    rate: 10/s\n", "    rate: 10/s\n    filter: [rating]\n", "spec.yaml:19:5: duplicate key 'filter'", id="duplicate-key"),
        pytest.param("belongs_to: Book", "belongs_to: Review", "spec.yaml:11:17: an entity cannot belong to itself", id="self-belongs-to"),
        pytest.param(
            "filter: [author]",
            "filter: [author=5]",
            "spec.yaml:17:14: a constant filter needs an enum, bool, integer or string field; Book.author is not one",
            id="constant-on-ref",
        ),
        pytest.param(
            "  Review:\n",
            "  Review:\n    unique: [[book, raiting]]\n",
            "spec.yaml:11:21: 'Review' has no field or relation 'raiting' (did you mean 'rating'?)",
            id="bad-unique-key",
        ),
    ],
)
def test_invalid_spec_err(replace: str, by: str, expected: str) -> None:
    """Each class of mistake gets one exact, located message."""
    assert replace in BASE
    messages = errors_of(BASE.replace(replace, by, 1))
    assert any(m.startswith(expected) for m in messages), messages


def test_all_errors_reported_err() -> None:
    """Several independent mistakes are all reported, in file order."""
    text = BASE.replace("ref(Author)", "ref(Autor)").replace("reads: [Book]", "reads: [Bok]")
    messages = errors_of(text)
    locations = [m.split(": ", 1)[0] for m in messages]
    assert locations[:2] == ["spec.yaml:6:15", "spec.yaml:16:13"]
    assert locations == sorted(locations, key=lambda loc: tuple(int(n) for n in loc.split(":")[1:]))


def test_services_must_own_everything_err() -> None:
    """Explicit services must own every entity exactly once."""
    text = BASE + "services:\n  catalog:\n    owns: [Book, Author]\n  reviews:\n    owns: [Book]\n"
    messages = errors_of(text)
    assert "spec.yaml:23:12: 'Book' is already owned by service 'catalog'" in messages
    assert "spec.yaml:19:1: no service owns Review; every entity needs an owner" in messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("system: [unclosed", "spec.yaml:2:1: invalid YAML: did not find expected ',' or ']'", id="malformed"),
        pytest.param("", "spec.yaml:1:1: the file is empty", id="empty"),
        pytest.param("- a\n- b\n", "spec.yaml:1:1: a spec is a mapping", id="not-mapping"),
        pytest.param(
            "system: x\nentities:\n  A: {fields: {s: enum[a,b]}}\n",
            "spec.yaml:3:23: invalid YAML: did not find expected ',' or '}'; inside {...} quote values that contain commas",
            id="comma-in-flow-mapping",
        ),
        pytest.param("system: x\n\tentities: {}\n", "spec.yaml:2:1: invalid YAML", id="tab-indent"),
        pytest.param("system: x\nentities: !!python/object:os.system {}\n", "spec.yaml:2:11: cannot read value: unsupported YAML tag", id="python-tag"),
    ],
)
def test_malformed_yaml_err(text: str, expected: str) -> None:
    """Malformed documents get a located message, never a traceback."""
    assert errors_of(text)[0].startswith(expected)


def test_missing_file_err(tmp_path: object) -> None:
    """A path that does not exist is an input error located at the path."""
    with pytest.raises(InputError, match="cannot read"):
        load_spec("/nonexistent/spec.yaml")
