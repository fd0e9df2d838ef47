"""Regular expressions taken from documents and configuration files, run in time linear in the text.

A document's ``pattern`` such as ``(a+)+$`` takes Python's backtracking engine exponential
time on a 41-character example: the review would never end, and a server reviewing it would
stop answering. Every pattern read from an input therefore runs on RE2 (``google-re2``), which
matches in time linear in the text whatever the pattern. RE2 leaves out what cannot be matched
that way (lookaround, backreferences, repetitions past 1,000): a pattern using them is valid
ECMA-262 but is not run, and what it would check is reported as not checked. A pattern that
neither engine can read is invalid, and API060 reports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

#: RE2 compiles a pattern into an automaton of at most this much memory; bigger ones are not run.
MAX_PATTERN_MEMORY = 8 * 2**20
#: ECMA-262 spells a code point \uFFFF or \u{1F600}; RE2 spells it \x{FFFF}.
_ECMA_CODE_POINT = re.compile(r"(?<!\\)((?:\\\\)*)\\u(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4}))")


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # refusals are reported as findings, not printed by the C++ library
    options.max_mem = MAX_PATTERN_MEMORY
    return options


def _as_re2(pattern: str) -> str:
    r"""The ECMA-262 pattern in RE2's spelling.

    >>> _as_re2(r"^\u00e9\u{1F600}$")
    '^\\x{00e9}\\x{1F600}$'
    """
    return _ECMA_CODE_POINT.sub(lambda m: f"{m[1]}\\x{{{m[2] or m[3]}}}", pattern)


@lru_cache(maxsize=4096)
def linear(pattern: str) -> Any | None:
    """The pattern compiled for RE2, or None when RE2 cannot run it (a feature it leaves out, or no regular expression at all)."""
    try:
        return re2.compile(_as_re2(pattern), _options())
    except re2.error:
        return None


@lru_cache(maxsize=4096)
def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is no regular expression at all, or None when it is one (whether or not RE2 runs it).

    >>> pattern_problem("^[a-z]+$") is None, pattern_problem("(?=x)x") is None
    (True, True)
    >>> pattern_problem("([a-")
    'unterminated character set at position 1'
    """
    if linear(pattern) is not None:
        return None
    try:
        # compiling is linear in the pattern; nothing is matched with Python's engine
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    except (RecursionError, OverflowError, ValueError):
        return "the pattern is too large to read"
    return None


def search(pattern: str, text: str) -> bool | None:
    """Whether ``pattern`` finds a match in ``text``; None when the pattern cannot be run in linear time (not checked).

    >>> search(r"(a+)+$", "a" * 10_000 + "!"), search("^v[0-9]+$", "v2"), search(r"(a)\\1", "aa")
    (False, True, None)
    """
    compiled = linear(pattern)
    return None if compiled is None else compiled.search(text) is not None


# --- JSON Schema keywords that match document patterns, for jsonschema validators (``validators.extend``) ---


def pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """``pattern``, matched by RE2; a pattern RE2 cannot run is not checked."""
    import jsonschema

    if validator.is_type(instance, "string") and isinstance(pattern, str) and search(pattern, instance) is False:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def pattern_properties_keyword(validator: Any, patterns: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """``patternProperties``, keys matched by RE2."""
    if not validator.is_type(instance, "object") or not isinstance(patterns, dict):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if isinstance(pattern, str) and search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def additional_properties_keyword(validator: Any, allowed: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """``additionalProperties``: keys neither declared nor matched (by RE2) by a ``patternProperties`` pattern."""
    import jsonschema

    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {}) if isinstance(schema.get("properties"), dict) else {}
    patterns = [p for p in schema.get("patternProperties", {}) if isinstance(p, str)] if isinstance(schema.get("patternProperties"), dict) else []
    extras = [key for key in instance if key not in declared and not any(search(p, key) is not False for p in patterns)]
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif allowed is False and extras:
        yield jsonschema.ValidationError(f"Additional properties are not allowed ({', '.join(repr(e) for e in sorted(extras))} unexpected)")


def unevaluated_properties_keyword(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    """``unevaluatedProperties`` is not checked: jsonschema evaluates it by matching ``patternProperties`` with Python's engine."""
    return iter(())


def linear_keywords() -> dict[str, Any]:
    """The keywords above, by name, to extend a jsonschema validator class with."""
    return {
        "pattern": pattern_keyword,
        "patternProperties": pattern_properties_keyword,
        "additionalProperties": additional_properties_keyword,
        "unevaluatedProperties": unevaluated_properties_keyword,
    }
