"""The loop's library: overrides merged into a spec's text, artefacts selected and checked, answers bounded for every example."""

from __future__ import annotations

import json

import pytest

from backend_architect.agent import loop
from backend_architect.agent.artefacts import artefacts, select, verdict
from backend_architect.agent.spec_edit import ArgumentError, with_decisions
from backend_architect.errors import InputError
from conftest import EXAMPLE_IDS, ROOT

SPEC = "system: s  # kept\nentities:\n  A: {fields: {n: string}}  # kept too\n"


@pytest.mark.parametrize(
    ("text", "overrides", "clear", "expected"),
    [
        pytest.param(SPEC, {"keys": {"choose": "bigint", "reason": "r"}}, [], SPEC + "decisions:\n  keys: {choose: bigint, reason: r}\n", id="appended"),
        pytest.param(
            SPEC + "decisions:\n  # mine\n  edge: {forbid: true, reason: x}\nuse_cases: []\n",
            {"keys": {"choose": "bigint", "reason": "r"}},
            [],
            SPEC + "decisions:\n  edge: {forbid: true, reason: x}\n  keys: {choose: bigint, reason: r}\nuse_cases: []\n",
            id="merged-in-place",
        ),
        pytest.param(SPEC + "decisions:\n  edge: {forbid: true, reason: x}\n", {}, ["edge"], SPEC, id="cleared"),
        pytest.param(
            SPEC.rstrip("\n"), {"edge": {"force": True, "reason": "y"}}, [], SPEC + "decisions:\n  edge: {force: true, reason: y}\n", id="no-final-newline"
        ),
        pytest.param(
            '{"system": "s", "entities": {"A": {}}}',
            {"edge": {"force": True, "reason": "y"}},
            [],
            json.dumps({"system": "s", "entities": {"A": {}}, "decisions": {"edge": {"force": True, "reason": "y"}}}, indent=2) + "\n",
            id="json",
        ),
    ],
)
def test_overrides_merged_into_the_spec_text_ok(text: str, overrides: dict[str, dict[str, object]], clear: list[str], expected: str) -> None:
    """Only the decisions: block changes; comments and layout elsewhere stay."""
    assert with_decisions(text, overrides, clear) == expected


@pytest.mark.parametrize(
    ("text", "overrides", "error"),
    [
        pytest.param(SPEC, {"keys": {"pick": "x"}}, "overrides: 'keys': unknown word(s) pick", id="unknown-word"),
        pytest.param(SPEC, {"keys": "bigint"}, "overrides: 'keys': an entry is a mapping", id="not-a-mapping"),
        pytest.param("system: [unclosed\n", {"keys": {"choose": "x", "reason": "r"}}, "spec.yaml:2:1: not YAML", id="broken-yaml"),
        pytest.param("- a list\n", {"keys": {"choose": "x", "reason": "r"}}, "spec.yaml:1:1: a spec is a mapping", id="not-a-mapping-spec"),
    ],
)
def test_overrides_that_are_no_entry_err(text: str, overrides: dict[str, object], error: str) -> None:
    """A malformed override or spec is a located error or an argument error, never a traceback."""
    with pytest.raises((InputError, ArgumentError)) as info:
        with_decisions(text, overrides)  # type: ignore[arg-type]
    assert str(info.value).startswith(error)


def test_artefacts_selected_by_kind_path_or_glob_ok() -> None:
    """Kinds expand to their paths, globs match, and unknown names are reported, not ignored."""
    files = {"design.md": "# d", "openapi/a.yaml": "x", "schema/a.sqlite.sql": "CREATE TABLE t (a int);", "adr/0001-x.md": ""}
    assert select(files, None) == ["design.md", "openapi/a.yaml", "schema/a.sqlite.sql"]
    assert select(files, ["adr/*", "design.md"]) == ["adr/0001-x.md", "design.md"]
    fetched = artefacts(files, ["ddl", "nothing-*"], max_bytes=0)
    assert fetched["not_sent"] == ["schema/a.sqlite.sql"]
    assert fetched["unknown"] == ["nothing-*"]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        pytest.param("openapi/a.yaml", "openapi: 3.1.0\ninfo: {title: t}\npaths: {}\n", 'invalid: "version" is a required property', id="openapi"),
        pytest.param("schema/a.postgresql.sql", "CREATE TABL t (a int);", 'invalid: syntax error at or near "TABL"', id="postgresql"),
        pytest.param("schema/a.sqlite.sql", "CREATE TABLE t (a int, a int);", "invalid: duplicate column name: a", id="sqlite"),
        pytest.param("handoff.json", "{}", "invalid: 'generator' is a required property", id="handoff"),
        pytest.param("diagrams/a.mmd", "flowchart LR", "not checked here", id="mermaid"),
    ],
)
def test_each_consumer_reports_what_it_refuses_err(path: str, text: str, expected: str) -> None:
    """An artefact its consumer refuses gets the consumer's own complaint as its verdict."""
    assert verdict(path, text).startswith(expected)


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_answers_are_bounded_ok(name: str) -> None:
    """Every answer of the loop stays small enough to call a dozen times in a session: summaries under 4,000 characters, JSON bounded."""
    designs = loop.Designs()
    designed = designs.of((ROOT / "examples" / f"{name}.yaml").read_text())
    answers = {
        "design": loop.design_answer(designed),
        "decisions": loop.decisions_answer(designed),
        "critique": loop.critique_answer(designed),
        "explain": loop.explain_answer(designed, "keys"),
        "overrides": loop.overrides_answer(designs, designed, {"keys": {"choose": "bigint identity everywhere", "reason": "r"}}, []),
    }
    for kind, answer in answers.items():
        assert len(answer["markdown"]) <= loop.MARKDOWN_CHARS, kind
        assert len(json.dumps({k: v for k, v in answer.items() if k != "spec"})) < 80_000, kind
    assert designs.find(None, designed.id) is designed


def test_a_design_id_the_session_does_not_hold_err() -> None:
    """An unknown or evicted design id, or neither spec nor id, asks for the spec."""
    designs = loop.Designs(size=1)
    first = designs.of((ROOT / "examples" / "iot-telemetry.yaml").read_text())
    designs.of((ROOT / "examples" / "chat.yaml").read_text())
    with pytest.raises(ArgumentError, match="is not a design of this session"):
        designs.find(None, first.id)
    with pytest.raises(ArgumentError, match="give the spec"):
        designs.find(None, None)
