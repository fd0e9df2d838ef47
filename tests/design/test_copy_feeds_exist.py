"""An event-fed copy of another service's ids is kept only where an event adds ids to it: some use case creates the entity
(issue 22, class h4: a copy of ids nobody publishes would refuse every id)."""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.design.reference_checks import LOCAL_COPY_FROM
from backend_architect.ir.model import Architecture, ReferenceCheck

#: Users are made by the sign-up the auth flow adds (no use case) and only renamed: nothing publishes a new id.
UPDATED_ONLY = """
system: notes
scale: {daily_active: 20M}
entities:
  User:
    fields:
      name: string(100)
      email: {type: email, unique: true}
  Note:
    fields:
      author: ref(User)
      recipient: ref(User)
      body: text
use_cases:
  - name: rename user
    actor: user
    owner_only: true
    writes: [User.name]
  - name: send note
    actor: user
    writes: [Note]
    rate: 500M/day
"""

#: The same, with a sign-up use case: its event adds each new id to the copy.
CREATED = UPDATED_ONLY.replace("  - name: rename user\n", "  - name: sign up\n    actor: visitor\n    auth: none\n    writes: [User]\n  - name: rename user\n")

#: Players are created only with their team (parts written with the parent): the team's event carries them.
CREATED_WITH_PARENT = """
system: league
scale: {daily_active: 20M}
entities:
  Team:
    fields: {name: string(100)}
  Player:
    part_of: Team
    fields: {name: string(100)}
    avg_per_parent: 11
  Goal:
    fields:
      scorer: ref(Player)
      minute: int
use_cases:
  - name: register team
    actor: coach
    writes: [Team, Player]
  - name: rename player
    actor: coach
    writes: [Player.name]
  - name: record goal
    actor: referee
    writes: [Goal]
    rate: 500M/day
"""


def _check(arch: Architecture, entity: str) -> ReferenceCheck:
    found = [c for c in arch.reference_checks if c.entity == entity and c.peak > LOCAL_COPY_FROM]
    assert found, f"the table must hold a busy check of {entity}: {arch.reference_checks}"
    return found[0]


def _feeds(arch: Architecture, check: ReferenceCheck, create: str) -> list[str]:
    """The events of ``create`` the copy's keeper consumes: what adds each new id to the copy."""
    keeper = next(d.service for d in arch.datastores for t in d.tables if t.name == check.table)
    return [e.name for e in arch.events if keeper in e.consumers and e.use_case == create]


@pytest.mark.parametrize(
    ("text", "entity", "create"),
    [
        pytest.param(UPDATED_ONLY, "User", None, id="updated-only"),
        pytest.param(CREATED, "User", "sign up", id="created"),
        pytest.param(CREATED_WITH_PARENT, "Player", "register team", id="created-with-parent"),
    ],
)
def test_copy_only_where_a_create_feeds_it_ok(text: str, entity: str, create: str | None) -> None:
    """A busy existence check keeps a local copy only where a create publishes the ids, and that copy names a feeding event."""
    arch = design_of(text)
    check = _check(arch, entity)
    assert (check.check == "local copy") == (create is not None), check.reason
    if create is not None:
        assert _feeds(arch, check, create), [(e.name, e.consumers, e.use_case) for e in arch.events]
    else:
        assert f"no use case creates {entity}" in check.reason
