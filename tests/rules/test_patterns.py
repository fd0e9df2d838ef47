"""Document patterns run in linear time: catastrophic patterns cannot stall a review, invalid ones are API060, lookaround is left unchecked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from backend_architect.api import review_text
from backend_architect.errors import InputError
from backend_architect.rules.config import load_config
from backend_architect.rules.registry import RULES

DOCUMENT = """\
openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /v1/things:
    post:
      requestBody:
        content:
          application/json:
            schema: {{type: object, properties: {{code: {{type: string, maxLength: 200, pattern: '{pattern}'}}}}}}
            example: {{code: '{example}'}}
      responses: {{'201': {{description: Created.}}}}
"""


@pytest.mark.parametrize(
    ("pattern", "example"),
    [
        pytest.param("(a+)+$", "a" * 41 + "!", id="nested-quantifier"),
        pytest.param("^(a|a)*$", "a" * 60 + "!", id="alternation-overlap"),
        pytest.param("^(\\w+\\s?)*$", "abc " * 12 + "!", id="words-and-spaces"),
        pytest.param("^([a-zA-Z0-9]+)*@x$", "a" * 50, id="email-like"),
    ],
)
def test_catastrophic_pattern_reviews_in_linear_time_ok(pattern: str, example: str) -> None:
    """A pattern that makes a backtracking engine run for ever is matched by RE2 in milliseconds, and the mismatch is still reported."""
    start = time.perf_counter()
    findings = review_text("openapi", DOCUMENT.format(pattern=pattern, example=example))
    assert time.perf_counter() - start < 5
    assert any(f.code == "API037" and "does not match" in f.message for f in findings), [str(f) for f in findings]


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("([a-", id="open-set"),
        pytest.param("(ab", id="open-group"),
        pytest.param("*a", id="nothing-to-repeat"),
        pytest.param("a{2,1}", id="bad-range"),
    ],
)
def test_invalid_pattern_is_a_located_finding_err(pattern: str) -> None:
    """A pattern no engine can compile is API060 at the pattern's line, and the review goes on."""
    findings = review_text("openapi", DOCUMENT.format(pattern=pattern, example="x"))
    invalid = [f for f in findings if f.code == "API060"]
    assert len(invalid) == 1
    assert invalid[0].location is not None
    assert invalid[0].location.line == 9


@pytest.mark.parametrize(
    ("pattern", "example"),
    [pytest.param("^(?=.*[0-9]).{8,}$", "password", id="lookahead"), pytest.param("^(a)\\1$", "ab", id="backreference")],
)
def test_pattern_outside_linear_engine_is_not_checked_ok(pattern: str, example: str) -> None:
    """Valid ECMA-262 that RE2 leaves out (lookaround, backreferences) is neither an error nor run."""
    findings = review_text("openapi", DOCUMENT.format(pattern=pattern, example=example))
    assert not [f for f in findings if f.code in {"API037", "API060"}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("'([a-'", "invalid pattern", id="invalid"),
        pytest.param("'(?=x)x'", "needs backtracking", id="lookahead"),
        pytest.param("[a, b]", "takes a regular expression", id="not-a-string"),
    ],
)
def test_custom_rule_pattern_must_run_in_linear_time_err(tmp_path: Path, value: str, message: str) -> None:
    """A house rule's pattern that RE2 cannot run is refused when the configuration loads, at its place."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "custom_rules:\n  - code: HOUSE001\n    name: odd-name\n    title: t\n    given: $.info\n"
        f"    then:\n      - field: title\n        function: pattern\n        value: {value}\n"
    )
    with pytest.raises(InputError, match=message) as info:
        load_config(config, RULES)
    assert str(info.value).startswith(f"{config}:")
