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
    part_of: Book
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
    """References, part_of, filters on relations and rates all resolve."""
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
