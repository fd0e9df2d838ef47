"""What design.md says about retries names exactly the operations that take Idempotency-Key, and the contracts agree.

Specs of different shapes: creates and an action beside a latest value replaced by PUT, memberships put and
deleted, a racing row patched under If-Match, a design with no writes at all.
"""

from __future__ import annotations

import re

import pytest
import yaml

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes

LATEST = """
system: players
entities:
  User: {fields: {name: string(80)}}
  View: {fields: {user: ref(User), offset_seconds: int}, growth: 1M/day}
use_cases:
  - {name: start view, writes: [View], rate: 1M/day}
  - {name: save offset, kind: update, owner_only: true, writes: [View.offset_seconds], latest: true, every: 10s, rate: 50M/day}
  - {name: get view, kind: get, reads: [View], rate: 1M/day}
"""
MEMBERSHIPS = """
system: clubs
entities:
  User: {fields: {name: string(80)}}
  Club: {fields: {name: string(80)}}
  Member: {fields: {club: ref(Club), user: ref(User)}, unique: [[club, user]]}
use_cases:
  - {name: create club, writes: [Club], rate: 1k/day}
  - {name: join club, writes: [Member], rate: 100k/day}
  - {name: leave club, kind: delete, owner_only: true, writes: [Member], rate: 10k/day}
"""
RACING = """
system: desk
entities:
  Ticket: {fields: {subject: string(200), status: "enum[open,closed]", assignee: string(80)}, rows: 1M}
use_cases:
  - {name: open ticket, writes: [Ticket], rate: 10/s}
  - {name: assign ticket, kind: update, writes: [Ticket.assignee], rate: 30/s}
  - {name: close ticket, kind: action, writes: [Ticket.status], rate: 5/s}
"""
READS_ONLY = """
system: catalogue
entities:
  Book: {fields: {title: string(200)}, rows: 1M}
use_cases:
  - {name: list books, reads: [Book], rate: 10/s}
"""


def _design(text: str) -> tuple[str, dict[str, bool]]:
    """design.md, and each write operation's ``METHOD /path`` -> whether its contract declares the Idempotency-Key header."""
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    declared: dict[str, bool] = {}
    for path, body in sorted(result.files.items()):
        if not path.startswith("openapi/"):
            continue
        document = yaml.safe_load(body)
        base = document["servers"][0]["url"].removeprefix("https://api.example.com")
        for route, methods in document["paths"].items():
            for method, op in methods.items():
                if method in {"post", "put", "patch", "delete"}:
                    refs = [p.get("$ref", "") for p in op.get("parameters", [])]
                    declared[f"{method.upper()} `{base}{route}`"] = "#/components/parameters/IdempotencyKey" in refs
    return result.files["design.md"], declared


@pytest.mark.parametrize("text", [LATEST, MEMBERSHIPS, RACING], ids=["latest-value-put", "memberships-put-delete", "racing-patch-and-action"])
def test_retry_statement_names_exactly_the_keyed_operations_ok(text: str) -> None:
    """The keyed line lists exactly the operations whose contract declares Idempotency-Key; every other write is named once, by its method."""
    document, declared = _design(text)
    section = document.split("### Retries and idempotency", 1)[1].split("\n### ", 1)[0]
    keyed_line = next((line for line in section.splitlines() if "`Idempotency-Key` (optional header)" in line), "")
    named_keyed = {op for op in declared if op + " (" in keyed_line}
    assert named_keyed == {op for op, has in declared.items() if has}
    count = re.search(r"exactly these (\d+) operations", keyed_line)
    assert count is not None
    assert int(count[1]) == len(named_keyed)
    for op, has in declared.items():
        if not has:
            (line,) = [line for line in section.splitlines() if op + " (" in line]
            assert line.startswith("- No key"), line
    assert "Every write" not in document


def test_failure_row_retries_as_the_operations_take_it_ok() -> None:
    """The database-failure row says how each failed write is retried: a PUT or DELETE is never told to carry a key it does not take."""
    document, _ = _design(MEMBERSHIPS)
    row = next(line for line in document.splitlines() if line.startswith("| database primary | fail |"))
    assert "Idempotency-Key where the operation takes one" in row
    assert "DELETE/PUT as they are" in row


def test_no_writes_no_retry_statement_err() -> None:
    """A design with no writes says nothing about idempotency keys."""
    document, declared = _design(READS_ONLY)
    assert not declared
    assert "### Retries and idempotency" not in document


FOLLOWS = """
system: follows
entities:
  User: {fields: {name: string(80)}}
  Follow: {fields: {follower: ref(User), followee: ref(User)}, unique: [[follower, followee]]}
  Post: {fields: {author: ref(User), body: text}, growth: 1M/day}
use_cases:
  - {name: follow user, actor: user, writes: [Follow], rate: 100k/day}
  - {name: unfollow user, actor: user, kind: delete, writes: [Follow], rate: 10k/day}
  - {name: write post, actor: user, writes: [Post], rate: 1M/day}
  - {name: delete post, actor: user, kind: delete, owner_only: true, writes: [Post], rate: 10k/day}
"""


@pytest.mark.parametrize("text", [MEMBERSHIPS, FOLLOWS], ids=["memberships", "follows-and-posts"])
def test_a_links_delete_is_said_to_answer_as_its_contract_does_ok(text: str) -> None:
    """A link's DELETE answers 204 whether the link was there or not, as its contract says: design.md never tells its retry it may
    answer 404; a row's DELETE keeps that sentence (fifteenth trial, whatsapp: leave group)."""
    result = design_spec(load_spec_bytes(text.encode(), "spec.yaml"))
    section = result.files["design.md"].split("### Retries and idempotency", 1)[1].split("\n### ", 1)[0]
    ops = [(api, op) for api in result.architecture.apis for op in api.operations if op.method == "delete"]
    assert ops
    for api, op in ops:
        (line,) = [line for line in section.splitlines() if f"DELETE `{api.base_path}{op.path}` (" in line]
        if op.flow == "unrelate":
            assert "removing a missing link is not an error" in op.description
            assert "answers 204 whether the link was there or not" in line
            assert "may answer 404" not in line
        else:
            assert "may answer 404" in line
