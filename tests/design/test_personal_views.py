"""A read answering other users' rows never carries their personal (pii) fields; an owner's or a member's read keeps them (issue 22-n7)."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from backend_architect.api import DesignResult, design_spec
from backend_architect.spec.load import load_spec_bytes

#: A clinic: doctors list every patient (strangers' rows), a patient reads their own record (owner-only).
CLINIC = """\
system: clinic
entities:
  Patient: {fields: {full_name: {type: string(100), pii: true}, phone: {type: string(20), pii: true}, ward: string(20)}, rows: 1M}
use_cases:
  - {name: admit patient, actor: nurse, writes: [Patient], rate: 1k/day}
  - {name: list patients, actor: doctor, reads: [Patient], filter: [ward], rate: 100k/day}
  - {name: view my record, actor: patient, kind: get, owner_only: true, reads: [Patient], rate: 10k/day}
"""

#: A marketplace: a listing read with its seller inside it (a nested row), and sellers browsed without signing in.
MARKET = """\
system: market
entities:
  Seller: {fields: {display_name: string(60), phone: {type: string(20), pii: true}, payout_iban: {type: string(34), pii: true}}, rows: 100k}
  Listing: {fields: {seller: ref(Seller), title: string(120), price: money}, growth: 50k/day}
use_cases:
  - {name: open shop, actor: seller, writes: [Seller], rate: 1k/day}
  - {name: post listing, actor: seller, writes: [Listing], rate: 50k/day}
  - {name: view listing, actor: buyer, kind: get, reads: [Listing, Seller], rate: 5M/day}
  - {name: browse sellers, actor: visitor, auth: none, reads: [Seller], rate: 1M/day}
"""

#: A club chat: members read their room's messages (personal text, theirs to read), anyone signed in looks a member up.
CLUB = """\
system: club
entities:
  User: {fields: {handle: string(30), email: {type: email, unique: true, pii: true}}, rows: 1M}
  Room: {fields: {title: string(80)}, rows: 10k}
  RoomMember: {part_of: Room, fields: {user: ref(User)}, unique: [[room, user]], avg_per_parent: 20}
  Message: {fields: {room: ref(Room), author: ref(User), body: {type: text, pii: true}}, growth: 1M/day}
use_cases:
  - {name: sign up, actor: user, auth: none, writes: [User], rate: 1k/day}
  - {name: join room, actor: user, writes: [RoomMember], rate: 10k/day}
  - {name: list my rooms, actor: user, owner_only: true, reads: [RoomMember, Room], filter: [user], rate: 100/s}
  - {name: post message, actor: user, writes: [Message], rate: 1M/day}
  - {name: read room messages, actor: user, reads: [Message], filter: [room], rate: 10M/day}
  - {name: look up user, actor: user, kind: get, reads: [User], rate: 1M/day}
"""

CASES = [
    pytest.param(CLINIC, {"listPatients": ["full_name", "phone"]}, {"viewMyRecord"}, id="clinic-list-of-strangers"),
    pytest.param(
        MARKET, {"viewListing": ["seller.phone", "seller.payout_iban"], "browseSellers": ["phone", "payout_iban"]}, set(), id="market-nested-and-public"
    ),
    pytest.param(CLUB, {"lookUpUser": ["email"]}, {"readRoomMessages"}, id="club-members-keep-theirs"),
]


def _design(text: str) -> DesignResult:
    return design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml"))


def _documents(result: DesignResult) -> list[dict[str, Any]]:
    return [yaml.safe_load(text) for path, text in sorted(result.files.items()) if path.startswith("openapi/")]


def _personal(doc: dict[str, Any], schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> set[str]:
    """The personal (x-pii) properties a response schema reaches, through references, arrays and nested objects."""
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[1]
        return set() if name in seen else _personal(doc, doc["components"]["schemas"][name], seen | {name})
    found = set()
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("x-pii"):
            found.add(name)
        found |= {f"{name}.{inner}" for inner in _personal(doc, prop, seen)}
    for key in ("items", "allOf", "anyOf", "oneOf"):
        value = schema.get(key)
        for part in value if isinstance(value, list) else [value] if value else []:
            found |= _personal(doc, part, seen)
    return found


def _answers(result: DesignResult) -> dict[str, set[str]]:
    """Per operation, the personal fields its 200 can carry (rows of a page named as the page's own)."""
    out = {}
    for doc in _documents(result):
        validate(doc)
        for item in doc["paths"].values():
            for op in item.values():
                if not isinstance(op, dict) or "200" not in op.get("responses", {}):
                    continue
                content = op["responses"]["200"].get("content", {}).get("application/json")
                found = _personal(doc, content["schema"]) if content else set()
                out[op["operationId"]] = {name.removeprefix("items.") for name in found}
    return out


@pytest.mark.parametrize(("text", "withheld", "kept"), CASES)
def test_reads_of_others_withhold_personal_fields_ok(text: str, withheld: dict[str, list[str]], kept: set[str]) -> None:
    """Each read serving strangers answers a public view (no pii field reachable in its contract) and lists what it leaves out;
    the design's security section names it."""
    result = _design(text)
    ops = {o.operation_id: o for api in result.architecture.apis for o in api.operations}
    answers = _answers(result)
    for op_id, fields in withheld.items():
        assert ops[op_id].withheld == fields, (op_id, ops[op_id].withheld)
        assert answers[op_id] == set(), (op_id, answers[op_id])
        assert "personal data" in ops[op_id].description
        assert f"({op_id}) leaves out {', '.join(fields)}" in result.files["design.md"]


@pytest.mark.parametrize(("text", "withheld", "kept"), CASES)
def test_owner_and_member_reads_keep_personal_fields_ok(text: str, withheld: dict[str, list[str]], kept: set[str]) -> None:
    """A read answering the caller's own rows, or a scope's rows to its members, keeps their personal fields."""
    result = _design(text)
    ops = {o.operation_id: o for api in result.architecture.apis for o in api.operations}
    answers = _answers(result)
    for op_id in kept:
        assert not ops[op_id].withheld
        assert answers[op_id], op_id


@pytest.mark.parametrize(("text", "withheld", "kept"), CASES)
def test_no_stranger_read_carries_personal_fields_ok(text: str, withheld: dict[str, list[str]], kept: set[str]) -> None:
    """Over the whole design, an operation answering pii is owner-only, the caller's own, members-only, internal or a write."""
    result = _design(text)
    ops = {o.operation_id: o for api in result.architecture.apis for o in api.operations}
    for op_id, found in _answers(result).items():
        op = ops[op_id]
        if found and op.kind in {"get", "list"}:
            assert op.owner_only or op.caller_filters or op.members_of or op.flow or op.internal, (op_id, found)
