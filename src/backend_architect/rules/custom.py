"""House rules without Python: a JSONPath ``given`` and assertions on what it matches.

The shape follows Spectral's and Redocly's configurable rules, so a team can port theirs:

```yaml
custom_rules:
  - code: HOUSE001
    name: operation-without-description
    severity: warning
    title: Operations need a description
    given: $.paths[*][get,put,post,patch,delete]
    then:
      - field: description
        function: truthy
```

Functions: ``defined``, ``undefined``, ``truthy``, ``falsy``, ``pattern`` and ``notPattern``
(a regular expression), ``enum`` (a list), ``casing`` (snake, camel, kebab, pascal, macro,
flat), ``minLength`` and ``maxLength`` (for strings, lists and mappings). ``field`` is read from
the matched node; ``@key`` asserts on the matched node's own key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend_architect.ir.contract import Node, pointer_text
from backend_architect.ir.model import Architecture
from backend_architect.rules.model import Finding, Rule, Severity
from backend_architect.rules.regex import linear, pattern_problem, search

#: Code prefixes of the built-in rules, closed to custom ones.
BUILTIN_FAMILIES = frozenset({"API", "SQL", "TOP", "CAP", "DES", "SUP"})
Function = Literal["defined", "undefined", "truthy", "falsy", "pattern", "notPattern", "enum", "casing", "minLength", "maxLength"]
CASINGS = {
    "snake": r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
    "camel": r"^[a-z][a-z0-9]*([A-Z][a-z0-9]*)*$",
    "kebab": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "pascal": r"^[A-Z][a-z0-9]*([A-Z][a-z0-9]*)*$",
    "macro": r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$",
    "flat": r"^[a-z][a-z0-9]*$",
}


class Assertion(BaseModel):
    """One check on a matched node (or on one of its fields)."""

    model_config = ConfigDict(extra="forbid")

    field: str | None = Field(default=None, description="A key of the matched node, or @key for the node's own key.")
    function: Function
    value: Any = Field(default=None, description="The function's argument: a pattern, a list, a casing or a length.")

    @model_validator(mode="after")
    def _linear_pattern(self) -> Assertion:
        """Patterns run on RE2, in time linear in the text: one it cannot run is refused when the configuration loads."""
        if self.function in {"pattern", "notPattern"}:
            if not isinstance(self.value, str):
                raise ValueError(f"{self.function} takes a regular expression as its value")
            problem = pattern_problem(self.value)
            if problem is not None:
                raise ValueError(f"invalid pattern {self.value!r}: {problem}")
            if linear(self.value) is None:
                raise ValueError(f"pattern {self.value!r} needs backtracking (lookaround, backreferences or a repetition past 1000), which reviews do not run")
        return self

    def failure(self, key: str | int | None, node: Any) -> str | None:
        """Why the node fails this assertion, or None."""
        target = key if self.field == "@key" else node.get(self.field) if self.field and isinstance(node, dict) else node
        present = self.field in (None, "@key") or (isinstance(node, dict) and self.field in node)
        label = f"'{self.field}'" if self.field else "the value"
        function, value = self.function, self.value
        if function == "defined":
            return None if present else f"{label} is missing"
        if function == "undefined":
            return f"{label} must not be present" if present else None
        if function == "truthy":
            return None if present and target else f"{label} is missing or empty"
        if function == "falsy":
            return f"{label} must be empty or absent" if present and target else None
        if not present:
            return None  # the other functions judge values that exist; pair them with `defined` to require one
        if function in {"pattern", "notPattern"}:
            matched = isinstance(target, str) and bool(search(str(value), target))
            if function == "pattern" and not matched:
                return f"{label} {target!r} does not match /{value}/"
            return f"{label} {target!r} matches /{value}/" if function == "notPattern" and matched else None
        if function == "enum":
            return None if target in (value or []) else f"{label} {target!r} is not one of {value}"
        if function == "casing":
            return None if isinstance(target, str) and re.match(CASINGS[str(value)], target) else f"{label} {target!r} is not {value} case"
        size = len(target) if isinstance(target, str | list | dict) else None
        if function == "minLength" and size is not None and size < int(value):
            return f"{label} is shorter than {value}"
        if function == "maxLength" and size is not None and size > int(value):
            return f"{label} is longer than {value}"
        return None


class CustomRule(BaseModel):
    """A declarative house rule."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2,10}\d{3}$", description="A code outside the built-in families, e.g. HOUSE001.")
    name: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$")
    severity: Literal["info", "warning", "error"] = "warning"
    title: str
    fix: str = ""
    description: str = ""
    given: str = Field(description="JSONPath to the nodes to check, e.g. $.paths[*][get,post].")
    then: list[Assertion] = Field(min_length=1)

    @field_validator("given")
    @classmethod
    def _parses(cls, given: str) -> str:
        from jsonpath_ng.exceptions import JsonPathParserError
        from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

        try:
            parse(given)
        except (JsonPathParserError, Exception) as exc:  # noqa: BLE001 - the parser raises bare Exceptions for some syntax errors
            raise ValueError(f"invalid JSONPath {given!r}: {exc}") from None
        return given

    @field_validator("code")
    @classmethod
    def _not_builtin(cls, code: str) -> str:
        if code[:3] in BUILTIN_FAMILIES and len(code) == 6:
            raise ValueError(f"{code}: the {', '.join(sorted(BUILTIN_FAMILIES))} families belong to the built-in rules")
        return code


def compile_rule(custom: CustomRule) -> Rule:
    """A ``Rule`` that runs ``custom`` over every API document under review."""
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    expression = parse(custom.given)

    def check(arch: Architecture) -> Iterator[Finding]:
        for contract in arch.contracts:
            for match in expression.find(contract.root.tree):
                pointer = _pointer(match)
                key = pointer[-1] if pointer else None
                for assertion in custom.then:
                    problem = assertion.failure(key, match.value)
                    if problem:
                        node = Node(match.value, contract.root.name, pointer)
                        yield made.finding(pointer_text(pointer) or "/", problem, anchor=(node.file, node.pointer))

    check.__doc__ = f"## What it does\n{custom.description or custom.title}\n\n(A house rule from the review configuration: {custom.given})"
    made = Rule(code=custom.code, name=custom.name, severity=Severity[custom.severity.upper()], title=custom.title, fix=custom.fix, function=check)
    return made


def _pointer(match: Any) -> tuple[str | int, ...]:
    """The JSON pointer of a jsonpath-ng match, from its chain of contexts."""
    from jsonpath_ng.jsonpath import Fields, Index

    parts: list[str | int] = []
    datum = match
    while datum is not None:
        path = getattr(datum, "path", None)
        if isinstance(path, Fields) and path.fields:
            parts.append(path.fields[0])
        elif isinstance(path, Index):
            parts.append(int(getattr(path, "index", 0)))
        datum = getattr(datum, "context", None)
    return tuple(reversed(parts))
