"""The fast YAML path (rapidyaml + the indentation index) agrees with libyaml on values and on positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend_architect.importers.openapi.source import _parse_yaml, _parse_yaml_fast
from backend_architect.importers.openapi.yaml_index import YamlIndex
from backend_architect.ir.contract import Pointer
from conftest import EXAMPLE_IDS, designed

TRICKY = """\
openapi: 3.1.0
info:
  title: "Quoted: with colon"
  version: '1.0'
  description: |
    A block scalar with lines that look like keys:
    paths: not really
      - nor: this
  summary: >-
    folded
paths:
  '/v1/pets/{id}':
    get:
      tags:
      - pets
      - "animals"
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string,
            maxLength: 10}
        -   name: x-trace
            in: header
      responses:
        "200":
          description: a plain scalar
            that continues here
          content:
            application/json:
              example:
                when: 2026-03-14T09:26:53Z
                flag: yes
                list: [1, 2,
                  3]
x-empty:
x-last: done
"""


def _pointers(tree: Any) -> Iterator[Pointer]:
    stack: list[tuple[Any, Pointer]] = [(tree, ())]
    while stack:
        value, pointer = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            yield (*pointer, key)
            stack.append((child, (*pointer, key)))


def _documents() -> list[Any]:
    cases = [pytest.param("tricky.yaml", TRICKY, id="tricky")]
    for name in EXAMPLE_IDS:
        cases += [pytest.param(f, t, id=f"{name}-{f}") for f, t in sorted(designed(name).files.items()) if f.startswith("openapi/")]
    return cases


@pytest.mark.parametrize(("name", "text"), _documents())
def test_fast_path_reads_the_same_tree_ok(name: str, text: str) -> None:
    """rapidyaml (YAML 1.2, timestamps as text) builds the tree the libyaml path builds."""
    slow, _ = _parse_yaml(text, name)
    fast = _parse_yaml_fast(text, name)
    assert fast is not None
    assert fast.tree == slow


@pytest.mark.parametrize(("name", "text"), _documents())
def test_index_positions_match_libyaml_ok(name: str, text: str) -> None:
    """Every position the indentation index gives is libyaml's; flow-style nodes are left to libyaml."""
    tree, exact = _parse_yaml(text, name)
    pointers = list(_pointers(tree))
    index = YamlIndex(text).locate_many(pointers)
    expected = exact.locate_many(pointers)
    wrong = {p: (at, expected[p]) for p, at in index.items() if at is not None and at != expected[p]}
    assert wrong == {}
    resolved = sum(1 for at in index.values() if at is not None)
    assert resolved > 0.8 * len(pointers)


def test_flow_nodes_fall_back_to_libyaml_positions_ok() -> None:
    """A pointer into a flow mapping is located exactly through libyaml, not guessed."""
    source = _parse_yaml_fast(TRICKY, "tricky.yaml")
    assert source is not None
    pointer = ("paths", "/v1/pets/{id}", "get", "parameters", 0, "schema", "maxLength")
    assert YamlIndex(TRICKY).locate(pointer) is None
    assert source.locator.locate_many([pointer]) == {pointer: (22, 13)}


def test_yaml_one_two_scalars_ok() -> None:
    """yes stays a string and a timestamp keeps its text, as YAML 1.2 and JSON would have them."""
    source = _parse_yaml_fast(TRICKY, "tricky.yaml")
    assert source is not None
    example = source.tree["paths"]["/v1/pets/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert example == {"when": "2026-03-14T09:26:53Z", "flag": "yes", "list": [1, 2, 3]}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: 1\na: 2\n", id="duplicate-key"),
        pytest.param("x: !!python/object:os.system ls\n", id="tag"),
        pytest.param("a: [unclosed\n", id="syntax"),
        pytest.param("a: ~\n", id="tilde-null"),
        pytest.param("a: .inf\n", id="float-infinity"),
        pytest.param("a: 007\n", id="leading-zero"),
        pytest.param("a: &x 1\nb: *x\n", id="alias"),
    ],
)
def test_fast_path_hands_refusals_to_libyaml_ok(text: str) -> None:
    """Whatever rapidyaml refuses, or would read differently, goes to the libyaml path, which reads it exactly."""
    assert _parse_yaml_fast(text, "x.yaml") is None


def test_bare_inf_stays_a_string_ok() -> None:
    """The plain scalar inf is a string in YAML (Stripe's enums use it); the fast path keeps it one."""
    fast = _parse_yaml_fast("up_to:\n  - inf\n  - 5\n", "x.yaml")
    assert fast is not None
    assert fast.tree == {"up_to": ["inf", 5]}
