"""Drafting a spec from prose: a scripted model's invalid drafts are repaired through the loader's located errors."""

from __future__ import annotations

import os
import subprocess
import sys

from backend_architect.agent.draft import draft_spec, extract_yaml

INVALID = """\
```yaml
system: bookclub
entities:
  Member: {fields: {name: strnig(80)}}
use_cases:
  - {name: join club, writes: [Member], rate: 2/s}
```
"""

STILL_INVALID = """\
```yaml
system: bookclub
entities:
  Member: {fields: {name: string(80)}}
use_cases:
  - {name: join club, writes: [Membr], rate: 2/s}
```
"""

VALID = """\
Here is the corrected spec.
```yaml
system: bookclub
notes: |
  Assumption: 2 members join per second at peak.
  Assumption: a team of 3 engineers.
team: {size: 3}
entities:
  Member: {fields: {name: string(80)}}
use_cases:
  - {name: join club, writes: [Member], rate: 2/s}
```
"""


class ScriptedModel:
    """Answers with recorded turns, and keeps what it was told."""

    def __init__(self, *turns: str) -> None:
        self.turns = list(turns)
        self.seen: list[list[dict[str, str]]] = []

    def complete(self, system: str, messages: list[dict[str, str]]) -> str:
        assert "JSON Schema of the spec" in system
        self.seen.append([dict(m) for m in messages])
        return self.turns.pop(0)


def test_invalid_drafts_are_repaired_from_located_errors_ok() -> None:
    """Two invalid drafts, each answered with the loader's file:line:col errors, then a valid one: valid after three turns."""
    model = ScriptedModel(INVALID, STILL_INVALID, VALID)
    result = draft_spec("A book club where members join.", model, max_turns=4)
    assert (result.valid, result.turns) == (True, 3)
    assert "spec.yaml:3:27: 'name': unknown field type 'strnig' (did you mean 'string'?)" in model.seen[1][-1]["content"]
    assert "Membr" in model.seen[2][-1]["content"]
    assert result.assumptions == ["Assumption: 2 members join per second at peak.", "Assumption: a team of 3 engineers."]
    assert result.spec_text.startswith("system: bookclub")


def test_turn_limit_reached_reports_last_errors_err() -> None:
    """When the model never gets it right, the result is invalid and carries the last errors."""
    result = draft_spec("A book club.", ScriptedModel(INVALID, INVALID), max_turns=2)
    assert (result.valid, result.turns) == (False, 2)
    assert any("strnig" in e for e in result.errors)


def test_answer_without_fence_is_taken_whole_ok() -> None:
    """A model that answers bare YAML is read as it is."""
    assert extract_yaml("system: x\nentities: {}") == "system: x\nentities: {}\n"


def test_draft_without_a_key_exits_two_err(tmp_path: object) -> None:
    """Without an API key the command says how to give one and exits 2, writing nothing."""
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "draft", "A book club", "-o", f"{tmp_path}/s.yaml"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "draft needs a model: set ANTHROPIC_API_KEY or pass --api-key (or draft yourself: --prompt, then --check)"
