"""A row delivered to the people a membership names (``to: ChatMember.user``) reaches every member of its room, counted once.

A message stored once per chat and delivered to the chat's members goes to the members per chat, so the deliveries, pushes
and gateway figures use the same audience as the stored row; a receipt delivered to its message's sender still reaches one
person. Specs of different shapes: a chat with members per chat stated, a team board whose members per board come from row
counts, and a class whose roster is a part with its own name for the person.
"""

from __future__ import annotations

import functools

import pytest

from backend_architect.design.analysis import Analysis, analyse
from backend_architect.design.patterns._routes import route
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec

CHAT = """
system: chat
scale: {daily_active: 1M}
entities:
  User: {fields: {name: string(60)}, rows: 2M}
  Chat: {fields: {title: string(100)?}, growth: 100k/day}
  ChatMember: {part_of: Chat, avg_per_parent: 4, unique: [[chat, user]], fields: {user: ref(User)}}
  Message: {append_only: true, fields: {chat: ref(Chat), sender: ref(User), body: string(500)}, growth: 50M/day}
  Receipt: {unique: [[message, user]], fields: {message: ref(Message), user: ref(User), status: "enum[delivered,read]"}}
use_cases:
  - {name: send message, kind: create, writes: Message, reads: [ChatMember], rate: 50M/day, deliver: {mode: realtime, to: ChatMember.user}}
  - {name: mark read, kind: create, writes: Receipt, rate: 50M/day, deliver: {mode: realtime, to: Message.sender}}
  - {name: start chat, kind: create, writes: [Chat, ChatMember], rate: 100k/day}
"""

BOARD = """
system: board
scale: {daily_active: 200k}
entities:
  Person: {fields: {email: {type: email, pii: true}}, rows: 500k}
  Board: {fields: {name: string(80)}, rows: 50k}
  Seat: {part_of: Board, unique: [[board, person]], fields: {person: ref(Person)}, rows: 400k}
  Card: {fields: {board: ref(Board), author: ref(Person), text: string(300)}, growth: 1M/day}
use_cases:
  - {name: add card, kind: create, writes: Card, rate: 1M/day, deliver: {mode: realtime, to: Seat.person}}
  - {name: open board, kind: create, writes: [Board, Seat], rate: 1k/day}
"""

SCHOOL = """
system: school
scale: {daily_active: 100k}
entities:
  Student: {fields: {name: string(80)}, rows: 300k}
  Course: {fields: {title: string(120)}, rows: 5k}
  Enrolment: {part_of: Course, avg_per_parent: 30, max_per_parent: 200, unique: [[course, student]], fields: {student: ref(Student)}}
  Notice: {fields: {course: ref(Course), posted_by: ref(Student), body: string(1000)}, growth: 20k/day}
use_cases:
  - {name: post notice, kind: create, writes: Notice, rate: 20k/day, deliver: {mode: realtime, to: Enrolment.student}}
  - {name: enrol, kind: create, writes: Enrolment, rate: 10k/day}
"""

#: spec, the delivering use case, recipients per row and the basis naming where the count came from
CASES = [
    pytest.param(CHAT, "send message", 4.0, "members of the Chat (ChatMember.avg_per_parent)", id="chat-members-stated"),
    pytest.param(BOARD, "add card", 8.0, "members of the Board (Seat rows / Board rows)", id="board-seats-from-rows"),
    pytest.param(SCHOOL, "post notice", 30.0, "members of the Course (Enrolment.avg_per_parent)", id="course-roster"),
    pytest.param(CHAT, "mark read", 1.0, "to: Message.sender", id="receipt-to-one-sender"),
]


@functools.cache
def _read(text: str) -> tuple[Spec, Analysis]:
    spec = load_spec_bytes(text.encode(), "spec.yaml").spec
    return spec, analyse(spec)


@pytest.mark.parametrize(("text", "name", "recipients", "basis"), CASES)
def test_delivery_to_a_membership_counts_the_members_ok(text: str, name: str, recipients: float, basis: str) -> None:
    """Recipients per row are the room's members when ``deliver.to`` names its membership, one when it names a row's person."""
    spec, analysis = _read(text)
    where = route(spec, analysis, next(u for u in analysis.use_cases if u.name == name))
    assert (where.recipients, basis in where.basis) == (recipients, True), where.basis
