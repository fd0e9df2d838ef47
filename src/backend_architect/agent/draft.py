"""Draft a spec from requirements in prose with a language model, repaired until the loader accepts it.

The model writes YAML; the spec loader checks it; every located error goes back to the
model, which answers with a corrected spec, until the spec is valid or the turn limit is
reached. The model is told to record each assumption it makes in the spec's ``notes``, and
the result says whether it did. Any chat model fits the ``ChatModel`` protocol; the
Anthropic adapter is the one provider wired in (an optional extra: ``[draft]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend_architect.errors import InputError
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.schema_export import spec_json_schema

DEFAULT_MODEL = "claude-sonnet-4-5"
DEFAULT_TURNS = 4
_FENCE = re.compile(r"```(?:ya?ml)?\s*\n(.*?)```", re.DOTALL)

SYSTEM_PROMPT = """\
You turn a system's requirements into a backend-architect spec: YAML that follows the JSON Schema below.
Write entities with typed fields, use cases with what they read and write and how often (rates such as 200/s or
3k/day), scale, team and constraints. Do not invent what the requirements do not imply; where you must assume
(a rate, a team size, a retention), choose a sensible value and record each assumption as a line of the top-level
`notes` field, starting with "Assumption:". Answer with the whole spec in one ```yaml block and nothing else.

JSON Schema of the spec:
"""


class ChatModel(Protocol):
    """A chat model: a system prompt and alternating user/assistant messages in, the assistant's text out."""

    def complete(self, system: str, messages: list[dict[str, str]]) -> str: ...


@dataclass
class DraftResult:
    """The drafted spec, whether it is valid, and the conversation that produced it."""

    spec_text: str
    valid: bool
    turns: int
    errors: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


def draft_spec(requirements: str, model: ChatModel, max_turns: int = DEFAULT_TURNS) -> DraftResult:
    """Ask ``model`` for a spec of ``requirements``; feed back the loader's errors until it is valid or ``max_turns`` pass."""
    import json

    system = SYSTEM_PROMPT + json.dumps(spec_json_schema(), separators=(",", ":"))
    messages = [{"role": "user", "content": f"Requirements:\n\n{requirements.strip()}"}]
    text, errors = "", ["the model gave no answer"]
    for turn in range(1, max_turns + 1):
        answer = model.complete(system, messages)
        text = extract_yaml(answer)
        errors = problems(text)
        if not errors:
            return DraftResult(text, True, turn, [], assumptions(text))
        messages += [{"role": "assistant", "content": answer}, {"role": "user", "content": repair_prompt(errors)}]
    return DraftResult(text, False, max_turns, errors, assumptions(text))


def repair_prompt(errors: list[str]) -> str:
    """What goes back to the drafter when the loader refuses its spec: every located error, and what to answer with.

    >>> print(repair_prompt(["spec.yaml:3:19: 'n': unknown field type 'strnig'"]))
    The spec loader refused it:
    spec.yaml:3:19: 'n': unknown field type 'strnig'
    Answer with the whole corrected spec.
    """
    return "The spec loader refused it:\n" + "\n".join(errors) + "\nAnswer with the whole corrected spec."


#: The drafting instructions for an agent that writes the spec itself (the schema is a resource, not inlined).
AGENT_PROMPT = SYSTEM_PROMPT.replace(
    "JSON Schema of the spec:\n", "The JSON Schema of the spec is the resource backend-architect://spec-schema (CLI: backend-architect schema).\n"
)


def draft_step(requirements: str, spec: str | None, turn: int = 1, max_turns: int = DEFAULT_TURNS) -> dict[str, Any]:
    """One step of the draft loop with the agent as the model: the instructions to write a spec, or the verdict on the one it wrote.

    Without ``spec`` the answer is the drafting prompt for ``requirements``; with it, the loader's
    located errors and the same repair prompt ``draft_spec`` sends a model, or, once valid, the
    assumptions recorded in the spec's notes (and a reminder when there are none).
    """
    if spec is None:
        return {
            "step": "write",
            "turn": 0,
            "instructions": AGENT_PROMPT,
            "requirements": requirements.strip(),
            "next": "write the whole spec as YAML, then call draft again with it as spec (turn 1)",
        }
    errors = problems(spec)
    if errors:
        left = max(0, max_turns - turn)
        return {
            "step": "repair" if left else "give up",
            "turn": turn,
            "valid": False,
            "errors": errors,
            "repair": repair_prompt(errors),
            "turns_left": left,
            "next": "correct every located error and call draft again with the whole spec" if left else "the spec is still invalid: report the errors",
        }
    found = assumptions(spec)
    return {
        "step": "done",
        "turn": turn,
        "valid": True,
        "assumptions": found,
        "next": "design the spec" if found else "record the values you assumed as lines 'Assumption: ...' in the spec's notes, then design it",
    }


def extract_yaml(answer: str) -> str:
    """The YAML of the model's answer: its fenced block, or the whole answer when it has none.

    >>> extract_yaml("Here:\\n```yaml\\nsystem: x\\n```\\n")
    'system: x\\n'
    """
    match = _FENCE.search(answer)
    return match.group(1) if match else answer.strip() + "\n"


def problems(text: str) -> list[str]:
    """The loader's located errors for a drafted spec (empty when it is valid)."""
    try:
        load_spec_bytes(text.encode(), "spec.yaml")
    except InputError as exc:
        return str(exc).splitlines()
    return []


def assumptions(text: str) -> list[str]:
    """The assumptions recorded in the spec's top-level notes."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    notes = data.get("notes") if isinstance(data, dict) else None
    return [line.strip() for line in str(notes or "").splitlines() if line.strip().lower().startswith("assumption")]


class AnthropicModel:
    """The Anthropic Messages API through the official SDK (``pip install 'backend-architect[draft]'``)."""

    def __init__(self, api_key: str, model: str = DEFAULT_MODEL, max_tokens: int = 8000) -> None:
        try:
            import anthropic
        except ImportError as exc:
            raise RuntimeError("the anthropic SDK is not installed: pip install 'backend-architect[draft]'") from exc
        self._client = anthropic.Anthropic(api_key=api_key)
        self.model = model
        self.max_tokens = max_tokens

    def complete(self, system: str, messages: list[dict[str, str]]) -> str:
        reply = self._client.messages.create(model=self.model, max_tokens=self.max_tokens, system=system, messages=messages)
        return "".join(getattr(block, "text", "") for block in reply.content)
