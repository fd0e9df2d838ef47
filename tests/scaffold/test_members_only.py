"""The scaffolded service answers a scope's rows to its members only, as the design and the contract say (issue 22-c3)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: Rooms with members: posts listed and written under the room's path, notes pinned by their own id (the room found through the
#: row), and the room's notes listed publicly (opted out with access: public).
SPEC = """\
system: rooms
services:
  rooms: {owns: [User, Room, RoomMember, Post, Note]}
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Room: {fields: {title: string(100), created_by: ref(User)}, rows: 100k}
  RoomMember: {part_of: Room, fields: {user: ref(User)}, unique: [[room, user]], avg_per_parent: 4}
  Post: {part_of: Room, fields: {author: ref(User), body: string(500)}, growth: 100k/day}
  Note: {fields: {room: ref(Room), author: ref(User), text: string(200), pinned: bool}, growth: 10k/day}
use_cases:
  - {name: open room, actor: user, writes: [Room], rate: 5/s}
  - {name: join room, actor: user, writes: [RoomMember], rate: 20/s}
  - {name: list my rooms, actor: user, owner_only: true, reads: [RoomMember, Room], filter: [user], rate: 100/s}
  - {name: list room posts, actor: user, reads: [Post], filter: [room], rate: 200/s}
  - {name: write post, actor: user, writes: [Post], rate: 50/s}
  - {name: add note, actor: user, writes: [Note], rate: 5/s}
  - {name: pin note, actor: user, kind: update, writes: [Note.pinned], rate: 2/s}
  - {name: list room notes, actor: user, access: public, reads: [Note], filter: [room], rate: 20/s}
  - {name: view room, actor: user, kind: get, reads: [Room], rate: 30/s}
"""


@pytest.mark.postgres
def test_generated_service_answers_members_only_ok(postgres: object, tmp_path: Path) -> None:
    """The generated service passes its own tests, where every members-only call is made as a member and repeated as a stranger,
    who gets 404 (the room named in the path, the room's own row read by its id, or the note's room for a note changed by its id);
    the public list is answered to anyone signed in."""
    result = design_spec(load_spec_bytes(textwrap.dedent(SPEC).encode(), "rooms.yaml"))
    checks = {c.operation: (c.where, c.check) for c in result.architecture.membership_checks}
    assert checks == {
        "listRoomPosts": ("path", "local"),
        "writePost": ("path", "local"),
        "addNote": ("path", "local"),
        "pinNote": ("row", "local"),
        "getPost": ("path", "local"),
        "getNote": ("row", "local"),
        "viewRoom": ("path", "local"),  # the room's own row: its title is its members' (issue 22-d4)
    }
    (deployable,) = scaffold(from_files(result.architecture, result.files, "rooms"), tmp_path).project.deployables
    routes = "\n".join(p.read_text() for p in (tmp_path / deployable.name).rglob("routes.py"))
    assert routes.count("await members.require(") == len(checks), routes
    run = _own_tests(tmp_path / deployable.name, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    for use_case in ("list_room_posts", "write_post", "add_note", "pin_note", "list_room_notes", "view_room", "open_room"):
        assert f"PASSED tests/test_rooms_use_cases.py::test_{use_case}_ok" in run.stdout, run.stdout[-3000:]
