"""A flow called local stays in one service: a flow whose request calls another service (a membership check, a reference
check, a graph read, added by a mechanism) is styled ``sync`` and says the call (issue 22, class h4)."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.design.flow_styles import service_calls

#: A chat's messages searched within the chat: the search engine serves the read, the chats service checks membership.
CHAT_SEARCH = """
system: talk
scale: {daily_active: 50M}
entities:
  User:
    fields: {name: string(100)}
  Chat:
    fields: {title: string(100)}
  ChatMember:
    part_of: Chat
    fields:
      user: ref(User)
    unique: [[chat, user]]
  Message:
    fields:
      chat: ref(Chat)
      author: ref(User)
      body: text
use_cases:
  - name: create chat
    actor: user
    writes: [Chat, ChatMember]
  - name: send message
    actor: user
    writes: [Message]
    rate: 1M/day
  - name: search chat messages
    actor: user
    reads: [Message]
    filter: [chat]
    search: [body]
    page: cursor
"""

#: A project's tasks searched: the same membership call, the search served by a full-text index.
TASK_SEARCH = """
system: tracker
scale: {daily_active: 1M}
entities:
  User:
    fields: {name: string(100)}
  Project:
    fields: {name: string(100)}
  ProjectMember:
    part_of: Project
    fields:
      user: ref(User)
    unique: [[project, user]]
  Task:
    fields:
      project: ref(Project)
      title: string(200)
      details: text
use_cases:
  - name: create project
    actor: user
    writes: [Project, ProjectMember]
  - name: add task
    actor: user
    writes: [Task]
    rate: 1M/day
  - name: find tasks
    actor: user
    reads: [Task]
    filter: [project]
    search: [title, details]
    page: cursor
"""

#: A club's meetups found near a place, checked against the clubs service's members.
CLUB_NEARBY = """
system: clubs
scale: {daily_active: 1M}
entities:
  User:
    fields: {name: string(100)}
  Club:
    fields: {name: string(100)}
  ClubMember:
    part_of: Club
    fields:
      user: ref(User)
    unique: [[club, user]]
  Meetup:
    fields:
      club: ref(Club)
      title: string(200)
      place: geo
use_cases:
  - name: start club
    actor: user
    writes: [Club, ClubMember]
  - name: plan meetup
    actor: user
    writes: [Meetup]
    rate: 1M/day
  - name: find meetups nearby
    actor: user
    reads: [Meetup]
    filter: [club]
    near: Meetup.place
    rate: 5M/day
"""


@pytest.mark.parametrize(
    ("text", "read"),
    [
        pytest.param(CHAT_SEARCH, "search chat messages", id="chat-search"),
        pytest.param(TASK_SEARCH, "find tasks", id="task-search"),
        pytest.param(CLUB_NEARBY, "find meetups nearby", id="club-nearby"),
    ],
)
def test_no_local_flow_calls_another_service_err(text: str, read: str) -> None:
    """Every flow with a synchronous step to another service is not local, and says the call; the member-only read has one."""
    arch = design_of(text)
    services = frozenset(s.name for s in arch.services)
    flows = {f.use_case: f for f in arch.flows}
    assert service_calls(flows[read], services), "the table's read must call another service"
    for flow in arch.flows:
        calls = service_calls(flow, services)
        if calls:
            assert flow.style != "local", (flow.use_case, [s.description for s in calls])
            assert all(s.target in flow.rationale for s in calls), flow.rationale
