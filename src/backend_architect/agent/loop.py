"""The agent loop's answers: design a spec, list and explain its decisions, override them, read the critic.

Each answer is compact JSON (a dict) with a short Markdown summary under ``markdown``, bounded in
size so an agent can call a dozen of them in one session. The MCP tools and their CLI
equivalents both call these functions; nothing here prints, reads files or the environment.

Designs are kept by a ``design_id`` (a digest of the spec text) in a small in-process cache, so
a follow-up call may name the design instead of sending the spec again; an id the cache no
longer holds is a located error asking for the spec.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend_architect.agent.spec_edit import ArgumentError
from backend_architect.api import DesignResult, design_spec
from backend_architect.ir.model import NUMBERS_CHOSE, Decision
from backend_architect.rules.model import Finding, Severity, blocks
from backend_architect.spec.load import LoadedSpec, load_spec_bytes

#: Text a Markdown summary is cut to; the JSON beside it carries the rest.
MARKDOWN_CHARS = 4_000
#: Designs the cache keeps (a design of a bundled example is a few MB of IR and files).
CACHED_DESIGNS = 16
#: The longest choice or message an answer quotes in full.
QUOTE_CHARS = 300
SPEC_NAME = "spec.yaml"


@dataclass(frozen=True)
class Designed:
    """A spec text, its loaded form and its finished design, under the id answers refer to it by."""

    id: str
    text: str
    loaded: LoadedSpec
    result: DesignResult


def load_and_design(spec: str, name: str) -> tuple[LoadedSpec, DesignResult]:
    """Load ``spec`` (located errors in ``name``) and design it: the work a session's cache saves."""
    loaded = load_spec_bytes(spec.encode(), name)
    return loaded, design_spec(loaded)


class Designs:
    """The designs of one session, least recently used evicted first.

    ``compute`` does the loading and designing; a server passes one that runs it in a worker under its deadline, so a
    session's cache lives in the server while the work that could run long is bounded like every other tool's.
    """

    def __init__(self, size: int = CACHED_DESIGNS, compute: Callable[[str, str], tuple[LoadedSpec, DesignResult]] = load_and_design) -> None:
        self._size = size
        self._compute = compute
        self._by_id: OrderedDict[str, Designed] = OrderedDict()

    def of(self, spec: str, name: str = SPEC_NAME) -> Designed:
        """The design of ``spec`` (YAML or JSON text), designed now or taken from the cache; ``InputError`` (located in ``name``) when invalid."""
        design_id = "d-" + hashlib.sha256(f"{name}\0{spec}".encode()).hexdigest()[:16]
        if design_id in self._by_id:
            self._by_id.move_to_end(design_id)
            return self._by_id[design_id]
        loaded, result = self._compute(spec, name)
        designed = Designed(design_id, spec, loaded, result)
        self._by_id[design_id] = designed
        while len(self._by_id) > self._size:
            self._by_id.popitem(last=False)
        return designed

    def find(self, spec: str | None, design_id: str | None) -> Designed:
        """The design a call names: by its spec text, else by an id an earlier answer gave."""
        if spec is not None:
            return self.of(spec)
        if design_id is None:
            raise ArgumentError("spec: give the spec (its YAML text) or the design_id an earlier answer returned")
        if design_id not in self._by_id:
            raise ArgumentError(f"design_id: '{design_id[:40]}' is not a design of this session (it may have been evicted): send the spec again")
        self._by_id.move_to_end(design_id)
        return self._by_id[design_id]


def _cut(text: str, limit: int = QUOTE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded(lines: list[str]) -> str:
    """Markdown lines joined, cut to ``MARKDOWN_CHARS`` at a line end."""
    text = "\n".join(lines).rstrip() + "\n"
    return text if len(text) <= MARKDOWN_CHARS else text[: MARKDOWN_CHARS - 40].rsplit("\n", 1)[0] + "\n\n… (cut; the JSON has the rest)\n"


def counts(findings: list[Finding]) -> dict[str, int]:
    """Findings by severity."""
    out = {str(s): 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    for finding in findings:
        out[str(finding.severity)] = out.get(str(finding.severity), 0) + 1
    return out


def design_answer(designed: Designed) -> dict[str, Any]:
    """What was designed: shape, sizes, decisions, the critic's verdict, warnings and the files there are to fetch."""
    from backend_architect.render.summary import render_summary

    arch, result = designed.result.architecture, designed.result
    authored = [d.id for d in arch.decisions if d.author_reason is not None]
    answer = {
        "design_id": designed.id,
        "system": arch.system,
        "deployment": arch.deployment,
        "services": [s.name for s in arch.services],
        "endpoints": sum(len(a.operations) for a in arch.apis),
        "tables": sum(len(s.tables) for s in arch.datastores),
        "components": {c.name: c.technology for c in arch.components},
        "decisions": len(arch.decisions),
        "decided_by_author": authored,
        "critic": counts(result.findings),
        "clean": is_clean(result.findings),
        "warnings": [_cut(w) for w in result.warnings],
        "files": sorted(result.files),
    }
    summary = render_summary(arch, result.findings, list(result.files), "the artefacts tool")
    head = [f"# {arch.system}: design `{designed.id}`", "", "```text", *summary.splitlines()[:60], "```"]
    return {**answer, "markdown": bounded(head)}


def is_clean(findings: list[Finding]) -> bool:
    """No error, and no warning but the record of an override the author gave a reason for (DES007)."""
    return not any(blocks(f) for f in findings)


def verbs(decision: Decision) -> list[str]:
    """What a ``decisions:`` entry may say about this decision."""
    from backend_architect.design.patterns.apply import REQUIRED

    said = ["choose"] if decision.choices else []
    if (decision.pattern is not None and decision.pattern not in REQUIRED) or decision.id.startswith(
        ("cache.", "partitioning.", "sharding.", "read-replicas.")
    ):
        said += ["forbid", "force"]
    return said


def decision_row(decision: Decision) -> dict[str, Any]:
    """One decision, compact: what it chose, from which numbers, who decided, and what may be said about it."""
    numbers = next((a.name.removeprefix(NUMBERS_CHOSE).lstrip(": ") for a in decision.alternatives if a.name.startswith(NUMBERS_CHOSE)), None)
    row: dict[str, Any] = {
        "id": decision.id,
        "title": decision.title,
        "area": decision.area,
        "choice": _cut(decision.choice),
        "decided_by": decision.decided_by,
        "inputs": decision.inputs,
        "alternatives": [a.name for a in decision.alternatives if not a.name.startswith(NUMBERS_CHOSE)],
        "choices": decision.choices,
        "verbs": verbs(decision),
    }
    if decision.pattern:
        row["pattern"] = decision.pattern
    if decision.subject:
        row["subject"] = decision.subject
    if decision.author_reason is not None:
        row["author_reason"] = decision.author_reason
    if numbers is not None:
        row["numbers_chose"] = _cut(numbers)
    return row


def decisions_answer(designed: Designed, area: str | None = None, author_only: bool = False) -> dict[str, Any]:
    """Every decision (or those of one area, or those the author decided) and the ids an override may name before a decision carries them."""
    from backend_architect.design.analysis import analyse
    from backend_architect.design.overrides import steerable_subjects

    arch = designed.result.architecture
    chosen = [d for d in arch.decisions if (area is None or d.area == area) and (not author_only or d.author_reason is not None)]
    known = {d.id for d in arch.decisions}
    subjects = [s for s in steerable_subjects(designed.result.spec, analyse(designed.result.spec), arch) if "." in s and s not in known]
    lines = [f"# Decisions of `{designed.id}` ({len(chosen)})", "", "| id | choice | by | choose |", "|---|---|---|---|"]
    lines += [f"| `{d.id}` | {_cut(d.choice, 90)} | {d.decided_by} | {', '.join(d.choices[:4]) or '-'} |" for d in chosen]
    lines += ["", "Also steerable before any decision exists: " + ", ".join(f"`{s}`" for s in subjects[:20]) + (" …" if len(subjects) > 20 else "")]
    return {
        "design_id": designed.id,
        "decisions": [decision_row(d) for d in chosen],
        "areas": sorted({d.area for d in arch.decisions}),
        "steerable_ids": subjects,
        "markdown": bounded(lines),
    }


def explain_answer(designed: Designed, key: str) -> dict[str, Any]:
    """One decision (or every decision of one pattern): inputs, figures with formulas, alternatives and what choosing each would change."""
    from backend_architect.design.explain import explain, find, render_text

    arch = designed.result.architecture
    found = find(arch, key)
    if not found:
        from backend_architect.spec.field_types import suggest

        ids = [d.id for d in arch.decisions]
        raise ArgumentError(f"id: no decision '{key}' in design {designed.id}{suggest(key, ids)}; list_decisions names them")
    explained = [explain(designed.result.spec, arch, d) for d in found[:4]]
    text = "\n".join(render_text(e) for e in explained)
    return {"design_id": designed.id, "explained": explained, "markdown": bounded(["```text", *text.splitlines(), "```"])}


def critique_answer(designed: Designed, minimum: str = "info") -> dict[str, Any]:
    """The self-review of the design: findings at or above ``minimum``, with where, message and fix, and whether the loop may stop."""
    floor = Severity[minimum.upper()]
    findings = [f for f in designed.result.findings if f.severity >= floor]
    rows = [{k: v for k, v in f.as_dict().items() if k in {"code", "rule", "severity", "where", "message", "fix"}} for f in findings]
    for row in rows:
        row["message"] = _cut(row["message"], 600)
    acknowledged = [f.where for f in designed.result.findings if f.code == "DES007"]
    lines = [f"# Critic on `{designed.id}`: {'clean' if is_clean(designed.result.findings) else 'not clean'}", ""]
    lines += [f"- **{f.severity}** {f.code} `{f.where}`: {_cut(f.message, 200)}" for f in findings[:30]]
    if not findings:
        lines.append("No findings.")
    return {
        "design_id": designed.id,
        "clean": is_clean(designed.result.findings),
        "counts": counts(designed.result.findings),
        "findings": rows,
        "acknowledged_overrides": acknowledged,
        "markdown": bounded(lines),
    }


def changes(before: Designed, after: Designed) -> dict[str, Any]:
    """What an override re-derived: decisions whose choice changed, appeared or went, the critic's new and resolved findings, files and parts."""
    old = {d.id: d for d in before.result.architecture.decisions}
    new = {d.id: d for d in after.result.architecture.decisions}
    changed = [
        {"id": k, "before": _cut(old[k].choice, 200), "after": _cut(new[k].choice, 200), "decided_by": new[k].decided_by}
        for k in new
        if k in old and (old[k].choice != new[k].choice or old[k].author_reason != new[k].author_reason)
    ]
    seen = {(f.code, f.where, f.message) for f in before.result.findings}
    now = {(f.code, f.where, f.message) for f in after.result.findings}
    files = before.result.files, after.result.files
    parts = (
        {f"{c.name}: {c.technology}" for c in before.result.architecture.components},
        {f"{c.name}: {c.technology}" for c in after.result.architecture.components},
    )
    return {
        "decisions_changed": changed,
        "decisions_added": [k for k in new if k not in old],
        "decisions_removed": [k for k in old if k not in new],
        "critic_new": [{"code": c, "where": w, "message": _cut(m, 400)} for c, w, m in sorted(now - seen)],
        "critic_resolved": [{"code": c, "where": w} for c, w, _ in sorted(seen - now)],
        "files_changed": sorted(p for p in set(files[0]) & set(files[1]) if files[0][p] != files[1][p]),
        "files_added": sorted(set(files[1]) - set(files[0])),
        "files_removed": sorted(set(files[0]) - set(files[1])),
        "components_added": sorted(parts[1] - parts[0]),
        "components_removed": sorted(parts[0] - parts[1]),
    }


def overrides_answer(designs: Designs, before: Designed, overrides: dict[str, dict[str, Any]], clear: list[str]) -> dict[str, Any]:
    """The spec with ``overrides`` merged into its ``decisions:`` (and ``clear`` removed), designed again, and what that changed."""
    from backend_architect.agent.spec_edit import with_decisions

    text = with_decisions(before.text, overrides, clear, before.loaded.positions.file)
    after = designs.of(text, before.loaded.positions.file)
    delta = changes(before, after)
    not_honoured = [w for w in after.result.warnings if "decisions." in w]
    lines = [f"# `{before.id}` → `{after.id}`", ""]
    lines += [f"- `{c['id']}`: {c['before']} → **{c['after']}** ({c['decided_by']})" for c in delta["decisions_changed"][:20]]
    lines += [f"- not honoured: {w}" for w in not_honoured]
    lines += [f"- critic: new {n['code']} `{n['where']}`" for n in delta["critic_new"][:10]]
    lines += [f"- critic: resolved {n['code']} `{n['where']}`" for n in delta["critic_resolved"][:10]]
    lines.append(f"- files changed: {len(delta['files_changed'])}, added: {len(delta['files_added'])}, removed: {len(delta['files_removed'])}")
    return {
        "design_id": after.id,
        "previous_design_id": before.id,
        "spec": text,
        "not_honoured": not_honoured,
        **delta,
        "critic": counts(after.result.findings),
        "clean": is_clean(after.result.findings),
        "markdown": bounded(lines),
    }
