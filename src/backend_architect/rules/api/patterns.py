"""Patterns in schemas: regular expressions a validator can compile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from backend_architect.ir.contract import ApiContract, Node
from backend_architect.ir.model import Architecture
from backend_architect.rules.api import located
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.regex import pattern_problem

#: Values that are data, not schemas: a key named "pattern" inside them is not a keyword.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def _pattern_nodes(contract: ApiContract) -> Iterator[tuple[Node, str]]:
    """Every ``pattern`` string and ``patternProperties`` key of every file, with the node holding it."""
    for name, source in contract.files.items():
        stack: list[tuple[Any, tuple[str | int, ...]]] = [(source.tree, ())]
        while stack:
            value, pointer = stack.pop()
            if isinstance(value, dict):
                if isinstance(value.get("pattern"), str):
                    yield Node(value["pattern"], name, (*pointer, "pattern")), value["pattern"]
                if isinstance(value.get("patternProperties"), dict):
                    for key in value["patternProperties"]:
                        yield Node(key, name, (*pointer, "patternProperties", key)), str(key)
                stack += [(child, (*pointer, key)) for key, child in value.items() if key not in _DATA_KEYS and not str(key).startswith("x-")]
            elif isinstance(value, list):
                stack += [(child, (*pointer, i)) for i, child in enumerate(value)]


@rule(
    code="API060",
    name="invalid-pattern",
    severity=Severity.ERROR,
    title="Schema pattern is not a valid regular expression",
    fix="Write the pattern as an ECMA-262 regular expression: close every group, set and quantifier.",
)
def invalid_pattern(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds `pattern` values and `patternProperties` keys that are not regular expressions
    (an unclosed group or set, a quantifier with nothing to repeat).

    ## Why is this bad?
    Every validator and code generator compiles the pattern: one that does not compile makes
    request validation fail for every call, or the generated client refuse to build. The
    reviewer itself runs patterns on RE2, in time linear in the text, so a pattern such as
    `(a+)+$` cannot stall a review; lookaround and backreferences, which RE2 leaves out, are
    valid and simply not used to check examples.

    ## Example
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Tag: {type: string, maxLength: 20, pattern: '([a-'}

    Use instead:
    openapi: 3.1.0
    info: {title: Pets, version: 1.0.0}
    paths: {}
    components:
      schemas:
        Tag: {type: string, maxLength: 20, pattern: '^[a-z]+$'}

    ## References
    OpenAPI 3.1, Schema Object (`pattern` is an ECMA-262 regular expression); JSON Schema
    Validation 2020-12, section 6.3.3.
    """
    for contract in arch.contracts:
        for node, pattern in _pattern_nodes(contract):
            problem = pattern_problem(pattern)
            if problem is not None:
                yield located(self, node, contract.name, f"pattern /{pattern[:80]}/ does not compile: {problem}")
