"""The real-time gateway's AsyncAPI document: valid AsyncAPI 3.0, one channel per delivery scope, a send operation per channel."""

from __future__ import annotations

import textwrap

import yaml

from backend_architect.api import design_spec
from backend_architect.spec.load import load_spec_bytes
from render.test_asyncapi import validator

SPEC = """\
system: chat
scale: {concurrent_connections: 50k}
entities:
  User: {fields: {handle: string(30)}, presence: true}
  Room: {fields: {title: string(80)}}
  Member: {part_of: Room, fields: {user: ref(User)}}
  Message: {part_of: Room, fields: {sender: ref(User), body: text}}
use_cases:
  - {name: send message, writes: [Message], deliver: realtime, rate: 20/s}
  - {name: edit message, writes: [Message.body], deliver: realtime, rate: 1/s}
"""


def test_realtime_gateway_document_validates_ok() -> None:
    """Two deliveries on one room channel make one channel with both events, a scoping parameter and a send operation; the schema accepts it."""
    files = design_spec(load_spec_bytes(textwrap.dedent(SPEC).encode(), "chat.yaml")).files
    document = yaml.safe_load(files["asyncapi/realtime-gateway.yaml"])
    assert [f"{e.path}: {e.message}" for e in validator().iter_errors(document)] == []
    channel = document["channels"]["RoomMessages"]
    assert channel["address"] == "rooms/{room_id}/messages"
    assert list(channel["parameters"]) == ["room_id"]
    assert set(channel["messages"]) == {"MessageSentOnRoomMessages", "MessageUpdatedOnRoomMessages"}
    assert document["operations"]["pushRoomMessages"]["action"] == "send"
    assert document["servers"]["gateway"]["protocol"] == "wss"


def test_no_channel_no_gateway_document_ok() -> None:
    """A design without real-time delivery has no gateway document."""
    text = b"system: s\nentities: {A: {fields: {n: int}}}\nuse_cases: [{name: add a, writes: [A]}]\n"
    files = design_spec(load_spec_bytes(text, "s.yaml")).files
    assert "asyncapi/realtime-gateway.yaml" not in files
