"""Members only through a container named by a plain reference (issue 22-o6, discord run 20 C0).

A row kept in a scope with members need not say ``part_of``: a channel naming its guild, created only by the guild's members,
is the guild's. Reading a child container's rows (the messages of a channel of a guild) by the container's id alone is then
its scope's members' too, checked through the container's parent column, and a write naming the container and the scope
beside it must name the container's own scope. Specs of three shapes (a guild's channels' messages, a school's courses'
submissions across services, a league's teams' fixtures), and where no containment holds: a row anyone may create naming the
scope, and a row naming two scopes.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.membership import container_ref
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: A guild's channels (a reference, no part_of) and their messages, everything in one service.
GUILD = """
system: chatter
entities:
  User: {fields: {nick: string(32)}, rows: 1M}
  Guild: {fields: {name: string(100), owner: ref(User)}, rows: 20k}
  Member: {fields: {guild: ref(Guild), user: ref(User)}, unique: [[guild, user]]}
  Channel: {fields: {guild: ref(Guild), name: string(100)}}
  Message: {fields: {channel: ref(Channel), guild: ref(Guild), author: ref(User), body: text}, growth: 1M/day}
use_cases:
  - {name: found guild, actor: user, writes: [Guild, Member], rate: 1/s}
  - {name: join guild, actor: user, access: public, writes: [Member], rate: 5/s}
  - {name: open channel, actor: user, writes: [Channel], rate: 2/s}
  - {name: post, actor: user, writes: [Message], rate: 50/s}
  - {name: channel history, actor: user, reads: [Message], filter: [channel], sort: [-created_at], page: cursor, rate: 200/s}
  - {name: delete post, actor: user, owner_only: true, writes: [Message], rate: 1/s}
"""

#: A school's courses and their submissions, the enrolments held by another service than the submissions.
SCHOOL = """
system: campus
services:
  schools: {owns: [Person, School, Enrolment, Course]}
  work: {owns: [Submission]}
entities:
  Person: {fields: {email: {type: email, unique: true}}, rows: 200k}
  School: {fields: {title: string(80)}, rows: 500}
  Enrolment: {fields: {school: ref(School), person: ref(Person)}, unique: [[school, person]]}
  Course: {fields: {school: ref(School), code: string(12)}, rows: 40k}
  Submission: {fields: {course: ref(Course), student: ref(Person), answer: text}, growth: 50k/day}
use_cases:
  - {name: start school, actor: person, writes: [School, Enrolment], rate: 1/min}
  - {name: school roll, actor: person, reads: [Enrolment], filter: [school], rate: 3/s}
  - {name: add course, actor: person, writes: [Course], rate: 1/min}
  - {name: hand in, actor: person, writes: [Submission], rate: 2/s}
  - {name: course submissions, actor: person, reads: [Submission], filter: [course], rate: 10/s}
"""

#: A league's teams and their fixtures; a league's members listed per league.
LEAGUE = """
system: leagues
entities:
  Player: {fields: {handle: string(40)}, rows: 300k}
  League: {fields: {name: string(60)}, rows: 3k}
  Seat: {fields: {league: ref(League), player: ref(Player)}, unique: [[league, player]]}
  Team: {fields: {league: ref(League), name: string(60)}, rows: 30k}
  Fixture: {fields: {team: ref(Team), kickoff: datetime, venue: string(80)}, growth: 5k/day}
  Attendance: {fields: {fixture: ref(Fixture), player: ref(Player)}, unique: [[fixture, player]]}
use_cases:
  - {name: league seats, actor: player, reads: [Seat], filter: [league], rate: 4/s}
  - {name: enter league, actor: player, writes: [Seat], rate: 1/s}
  - {name: register team, actor: player, writes: [Team], rate: 1/min}
  - {name: schedule fixture, actor: player, writes: [Fixture], rate: 1/s}
  - {name: team fixtures, actor: player, reads: [Fixture], filter: [team], sort: [kickoff], rate: 20/s}
  - {name: attend fixture, actor: player, kind: create, writes: [Attendance], rate: 3/s}
"""


def _designed(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _check(arch: Architecture, operation: str) -> tuple[str, str, list[str]]:
    found = next((c for c in arch.membership_checks if c.operation == operation), None)
    assert found is not None, sorted(c.operation for c in arch.membership_checks)
    return found.scope, found.where, found.via


@pytest.mark.parametrize(
    ("text", "read", "scope", "via"),
    [
        pytest.param(GUILD, "channelHistory", "Guild", ["channels.guild_id"], id="guild-channel-messages"),
        pytest.param(SCHOOL, "courseSubmissions", "School", ["courses.school_id"], id="school-course-submissions-across-services"),
        pytest.param(LEAGUE, "teamFixtures", "League", ["teams.league_id"], id="league-team-fixtures"),
    ],
)
def test_a_child_containers_rows_are_read_by_the_scopes_members_only_ok(text: str, read: str, scope: str, via: list[str]) -> None:
    """Listing a container's rows by its id is members-only, its scope read through the container's reference to it, as a
    container's creation is: a stranger who learns the container's id gets 404."""
    arch = _designed(text)
    assert _check(arch, read) == (scope, "path", via)
    op = next(o for api in arch.apis for o in api.operations if o.operation_id == read)
    assert (op.members_of, 404 in op.error_statuses) == (scope, True)


def test_a_write_naming_the_container_and_its_scope_must_name_the_containers_own_ok() -> None:
    """A message posted into a channel with a guild id beside it is checked against the channel's guild, and a guild id naming
    another is refused, so a member of one guild cannot post into another's channel."""
    check = next(c for c in _designed(GUILD).membership_checks if c.operation == "post")
    assert (check.scope, check.column, check.via, check.agrees) == ("Guild", "channel_id", ["channels.guild_id"], ["guild_id"])


@pytest.mark.parametrize(
    ("text", "entity", "caller"),
    [
        pytest.param(
            GUILD.replace("{name: open channel, actor: user,", "{name: open channel, actor: user, access: public,"),
            "Channel",
            "User",
            id="anyone-may-create-it",
        ),
        pytest.param(
            LEAGUE.replace("Team: {fields: {league: ref(League),", "Team: {fields: {league: ref(League), rival: ref(Club),")
            .replace(
                "  Player:",
                "  Club: {fields: {name: string(60)}}\n  ClubSeat: {fields: {club: ref(Club), player: ref(Player)}, unique: [[club, player]]}\n  Player:",
            )
            .replace("use_cases:\n", "use_cases:\n  - {name: club seats, actor: player, reads: [ClubSeat], filter: [club], rate: 1/s}\n"),
            "Team",
            "Player",
            id="names-two-scopes",
        ),
        pytest.param(SCHOOL, "Enrolment", "Person", id="the-membership-itself"),
    ],
)
def test_a_reference_leads_to_no_container_where_the_row_is_not_kept_in_the_scope_err(text: str, entity: str, caller: str) -> None:
    """A row anyone may create, a row naming two scopes with members, and the membership row itself are kept in no scope."""
    spec = load_spec_bytes(text.encode(), "spec.yaml").spec
    assert container_ref(spec, entity, caller) is None


def test_a_public_container_leaves_its_rows_unchecked_err() -> None:
    """Channels anyone may open are no guild's alone: reading a channel's history names no scope with members."""
    arch = _designed(GUILD.replace("{name: open channel, actor: user,", "{name: open channel, actor: user, access: public,"))
    assert "channelHistory" not in {c.operation for c in arch.membership_checks}


def test_a_link_to_a_row_of_a_scope_is_made_by_its_members_only_ok() -> None:
    """Linking oneself to a fixture of a team of a league (a PUT of the pair, not a membership of the fixture) is the league's
    members' act, checked through the fixture's team and the team's league; entering the league (the membership) is not."""
    arch = _designed(LEAGUE)
    attend = next(c for c in arch.membership_checks if c.use_case == "attend fixture")
    assert (attend.scope, attend.via) == ("League", ["fixtures.team_id", "teams.league_id"])
    assert "enter league" not in {c.use_case for c in arch.membership_checks}


def test_a_row_addressed_by_its_id_is_checked_by_its_own_scope_column_ok() -> None:
    """A message deleted by its id is checked by its own guild_id (checked to agree with its channel's when it was posted), one
    probe with no hop through the channel, and its channel history still through the channel's guild."""
    checks = {c.operation: (c.column, c.via) for c in _designed(GUILD).membership_checks}
    assert checks["deletePost"] == ("guild_id", [])
    assert checks["channelHistory"] == ("channel_id", ["channels.guild_id"])
