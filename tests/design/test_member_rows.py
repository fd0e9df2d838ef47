"""A create that makes a scope with members writes one membership row per participant: 2 for a pair, the stated average, or
its creator's alone (issue 22-n2: 20M one-on-one chats sized as 20M member rows, while both sides need one to pass the
members-only check)."""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.analysis import analyse
from backend_architect.spec.load import load_spec_bytes
from backend_architect.spec.model import Spec

#: A messenger: conversations made between two people or as groups, members unique per (conversation, user).
MESSENGER = """\
system: talk
entities:
  User: {fields: {name: string(80)}, rows: 1M}
  Conversation: {fields: {title: string(100)?}}
  Participant:
    part_of: Conversation
    fields: {user: ref(User), muted: bool}
    unique: [[conversation, user]]
use_cases:
  - {name: start a direct conversation, writes: [Conversation, Participant], rate: 100k/day}
  - {name: create group conversation, writes: [Conversation, Participant], rate: 10k/day}
  - {name: list my conversations, reads: [Participant, Conversation], filter: [user], rate: 1M/day}
"""

#: Chess: a match between two players, each a MatchSeat (a reference to the match, not a part of it).
CHESS = """\
system: chess
entities:
  Player: {fields: {handle: string(40)}, rows: 2M}
  Match: {fields: {opened: datetime}}
  MatchSeat:
    fields: {match: ref(Match), player: ref(Player), colour: enum[white,black]}
    unique: [[match, player]]
use_cases:
  - {name: start a one-on-one match, actor: player, writes: [Match, MatchSeat], rate: 50k/day}
  - {name: my matches, actor: player, reads: [MatchSeat, Match], filter: [player], rate: 500k/day}
"""

#: Projects made with their team: the stated average members a project is made with, and order lines that are no membership.
PROJECTS = """\
system: work
entities:
  User: {fields: {name: string(80)}, rows: 100k}
  Project: {fields: {name: string(80)}}
  ProjectMember:
    part_of: Project
    avg_per_parent: 4
    fields: {user: ref(User), role: enum[owner,editor,viewer]}
    unique: [[project, user]]
  Order: {fields: {buyer: ref(User)}}
  OrderLine:
    part_of: Order
    fields: {sku: string(20), qty: int}
use_cases:
  - {name: create project, writes: [Project, ProjectMember], rate: 1k/day}
  - {name: start a private project, writes: [Project, ProjectMember], rate: 1k/day}
  - {name: place order, writes: [Order, OrderLine], rate: 2k/day}
  - {name: list my projects, reads: [ProjectMember, Project], filter: [user], rate: 10k/day}
"""


def _spec(text: str) -> Spec:
    return load_spec_bytes(text.encode(), "test.yaml").spec


@pytest.mark.parametrize(
    ("text", "entity", "per_day", "said"),
    [
        pytest.param(
            MESSENGER,
            "Participant",
            100_000 * 2 + 10_000 * 1,
            [
                "'start a direct conversation' makes a Conversation between two people: 2 Participant rows",
                "'create group conversation' writes 1 Participant row",
            ],
            id="pair-and-group",
        ),
        pytest.param(CHESS, "MatchSeat", 50_000 * 2, ["'start a one-on-one match' makes a Match between two people: 2 MatchSeat rows"], id="referenced-seats"),
        pytest.param(
            PROJECTS,
            "ProjectMember",
            1_000 * 4 + 1_000 * 2,
            [
                "'create project' writes 4 ProjectMember rows a Project (entities.ProjectMember.avg_per_parent)",
                "'start a private project' makes a Project between two people",
            ],
            id="stated-average",
        ),
    ],
)
def test_a_create_writes_a_membership_row_per_participant_ok(text: str, entity: str, per_day: float, said: list[str]) -> None:
    """The membership table grows by the participants each create makes, and the design says the count it sized."""
    analysis = analyse(_spec(text))
    assert analysis.entities[entity].rows_per_day == pytest.approx(per_day, rel=1e-6)
    for sentence in said:
        assert any(sentence in a for a in analysis.assumptions), (sentence, analysis.assumptions)


def test_a_part_that_is_no_membership_keeps_its_count_ok() -> None:
    """Order lines are parts, not memberships: one row a request without avg_per_parent, and no membership sentence."""
    analysis = analyse(_spec(PROJECTS))
    assert analysis.entities["OrderLine"].rows_per_day == pytest.approx(2_000, rel=1e-6)
    assert not any("OrderLine" in a and "members" in a for a in analysis.assumptions)


def test_the_sized_rows_reach_the_storage_figures_ok() -> None:
    """The figure of a membership table's new rows a day counts both participants of each direct conversation."""
    result = design_spec(load_spec_bytes(MESSENGER.encode(), "test.yaml"))
    figure = next(f for f in result.architecture.figures if f.quantity == "new rows a day in participants")
    assert figure.value == pytest.approx(210_000, rel=1e-6)
    assert "2 Participant rows, one for each" in result.files["design.md"]
