"""The agent loop on the command line: the CLI equivalent of each MCP tool, with the spec file as the state between calls.

Pinned as scenarios (command, exit status, output), as the other CLI tests are: 0 done, 1 the critic
is not clean or an artefact failed, 2 bad input with ``file:line:col``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend_architect.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "spec.yaml"
    shutil.copy(ROOT / "examples" / "bookstore.yaml", target)
    return target


def test_decisions_lists_ids_choices_and_numbers_ok(spec: Path) -> None:
    """decisions --format json answers as list_decisions does: ids, choices, inputs, verbs and the ids steerable before any decision."""
    result = run("decisions", str(spec), "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    rows = {d["id"]: d for d in answer["decisions"]}
    assert rows["cache.browse-books"]["inputs"]["peak_reads_per_s"] == 4800
    assert "choose" in rows["messaging"]["verbs"]
    assert "forbid" not in rows["messaging"]["verbs"]
    assert "cache.list-my-orders" in answer["steerable_ids"]


def test_decide_writes_the_override_and_shows_what_changed_ok(spec: Path) -> None:
    """decide writes the entry into the spec's decisions: section, designs again and shows the re-derivation; --clear takes it out."""
    before = spec.read_text()
    result = run("decide", str(spec), "messaging", "--choose", "Kafka", "--reason", "the platform team runs Kafka")
    assert result.returncode == 0, result.stderr
    assert "`messaging`: Transactional outbox" in result.stdout
    assert "**Apache Kafka" in result.stdout
    assert "critic: new DES007 `decision messaging`" in result.stdout
    assert spec.read_text() == before + "decisions:\n  messaging: {choose: Kafka, reason: the platform team runs Kafka}\n"
    critique = run("critique", str(spec))
    assert critique.returncode == 0, critique.stdout
    assert "clean" in critique.stdout.splitlines()[0]
    cleared = run("decide", str(spec), "messaging", "--clear")
    assert cleared.returncode == 0, cleared.stderr
    assert spec.read_text() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["keys", "--choose", "natural keys", "--reason", "legacy"], "decisions.keys: choose 'natural keys' is not something", id="not-buildable"),
        pytest.param(["keys", "--choose", "UUIDv7 everywhere"], "and --reason unless clearing", id="no-reason"),
        pytest.param(["keys", "--forbid", "--force", "--reason", "x"], "say exactly one of --choose, --forbid, --force or --clear", id="two-words"),
        pytest.param(
            ["mesaging", "--choose", "Kafka", "--reason", "x"], "names no decision of this design or pattern (did you mean 'messaging'?)", id="misspelt-id"
        ),
    ],
)
def test_decide_refuses_what_it_cannot_honour_err(spec: Path, args: list[str], expected: str) -> None:
    """An override the engine cannot honour, or a malformed one, exits 2 with the reason and leaves the spec as it was."""
    before = spec.read_text()
    result = run("decide", str(spec), *args)
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr
    assert spec.read_text() == before


def test_critique_exits_1_while_not_clean_err(tmp_path: Path) -> None:
    """A design with an error the critic finds (replicas, shards and the message cache forbidden where the reads need them) exits 1 and names it."""
    target = tmp_path / "chat.yaml"
    overrides = (
        "  read-replicas.messaging-db: {forbid: true, reason: cost}\n  cache.list-messages: {forbid: true, reason: one store}\n"
        "  sharding.messages: {choose: none, reason: one primary}\n"
    )
    target.write_text((ROOT / "examples" / "chat.yaml").read_text() + "decisions:\n" + overrides)
    result = run("critique", str(target), "--format", "json")
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert not answer["clean"]
    assert "TOP007" in {f["code"] for f in answer["findings"]}


def test_artefacts_writes_and_checks_the_selected_files_ok(spec: Path, tmp_path: Path) -> None:
    """artefacts --select writes the chosen files and prints each consumer's verdict."""
    out = tmp_path / "out"
    result = run("artefacts", str(spec), "--select", "openapi", "--select", "ddl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "openapi/books.yaml: ok (openapi-spec-validator)" in result.stdout
    assert "schema/orders.sqlite.sql: ok (applied to SQLite)" in result.stdout
    assert "all_valid: true" in result.stdout
    assert sorted(p.name for p in (out / "openapi").iterdir()) == ["books.yaml", "customers.yaml", "orders.yaml"]
    assert not (out / "handoff.json").exists()


def test_artefacts_folder_without_selection_is_the_whole_design_ok(spec: Path, tmp_path: Path) -> None:
    """artefacts -o with nothing selected writes every file design writes: the ADRs and migrations design.md names are there."""
    out, full = tmp_path / "out", tmp_path / "full"
    assert run("artefacts", str(spec), "-o", str(out)).returncode == 0
    assert run("design", str(spec), "-o", str(full)).returncode == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(full).as_posix() for p in full.rglob("*") if p.is_file())
    assert any(w.startswith("adr/") for w in written)
    assert any("/migrations/" in w for w in written)


def test_draft_prompt_and_check_without_a_model_ok(tmp_path: Path) -> None:
    """draft --prompt prints the drafting instructions; draft --check accepts a valid spec and names the next step."""
    prompt = run("draft", "--prompt", "a url shortener")
    assert prompt.returncode == 0
    assert "backend-architect schema" in prompt.stdout
    assert prompt.stdout.rstrip().endswith("a url shortener")
    good = tmp_path / "good.yaml"
    good.write_text("system: s\nnotes: 'Assumption: 10 users'\nentities: {A: {fields: {n: string}}}\n")
    checked = run("draft", "--check", str(good))
    assert checked.returncode == 0
    assert "valid; 1 assumption(s) in notes; next: design the spec" in checked.stdout


def test_draft_check_gives_the_repair_prompt_err(tmp_path: Path) -> None:
    """A drafted spec the loader refuses exits 2 with its located errors in the repair prompt a model would get."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("system: s\nentities: {A: {fields: {n: strnig}}}\n")
    result = run("draft", "--check", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"The spec loader refused it:\n{bad}:2:28: 'n': unknown field type 'strnig' (did you mean 'string'?)\nAnswer with the whole corrected spec.\n"
    )
