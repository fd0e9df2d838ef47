"""A local copy of membership pairs is decided on, and states, exactly the checks it can answer (issue 22-l3).

A copy holds only (scope id, member id) pairs: a check whose scope is reached through a parent column another service holds
(a task's project's org, the projects kept by the holder) still calls the holder, so it is counted apart, said with its own
reason, and never justifies a copy. Specs of different shapes: every check naming its scope (two reads summed past the
threshold); mixed checks, the direct ones below and above the threshold beside hot via-parent ones; only via-parent checks at
a high rate; and via-parent checks whose parent the keeper holds itself (answerable). Every record states the same numbers:
the membership checks' reasons, the copy table, the normalization record, the bottleneck rows and the copy's load figures.
"""

from __future__ import annotations

import pytest
from tests.design.helpers import design_of

from backend_architect.design.member_copies import MEMBER_COPY, kept_because, member_copy_table
from backend_architect.design.reference_checks import LOCAL_COPY_FROM
from backend_architect.ir.model import Architecture, MembershipCheck
from backend_architect.spec.naming import table_name

#: Clubs held by the people service; the meetups service lists a club's meetups and photos, each naming the club directly.
CLUBS = """
system: clubs
team: {size: 30}
scale: {rates: peak}
services:
  people: {owns: [User, Club, ClubMember]}
  meetups: {owns: [Meetup, Photo]}
entities:
  User: {fields: {handle: string(30)}, rows: 2M}
  Club: {fields: {name: string(100)}, rows: 100k}
  ClubMember: {fields: {club: ref(Club), user: ref(User)}, unique: [[club, user]]}
  Meetup: {fields: {club: ref(Club), title: string(120)}, growth: 1M/day}
  Photo: {fields: {club: ref(Club), caption: string(200)}, growth: 5M/day}
use_cases:
  - {name: join club, actor: user, writes: [ClubMember], rate: 5/s}
  - {name: my clubs, actor: user, reads: [ClubMember, Club], filter: [user], rate: 20/s}
  - {name: club meetups, actor: user, reads: [Meetup], filter: [club], rate: 700/s}
  - {name: club photos, actor: user, reads: [Photo], filter: [club], rate: 600/s}
"""

#: Schools and their courses (parts) held by campus; coursework lists a course's assignments (the school through
#: courses.school_id, held by campus) and a school's notices (the school named directly) at NOTICES.
SCHOOLS = """
system: schools
team: {size: 30}
scale: {rates: peak}
services:
  campus: {owns: [Student, School, Enrolment, Course]}
  coursework: {owns: [Assignment, Notice]}
entities:
  Student: {fields: {name: string(80)}, rows: 3M}
  School: {fields: {name: string(100)}, rows: 20k}
  Enrolment: {fields: {school: ref(School), student: ref(Student)}, unique: [[school, student]]}
  Course: {part_of: School, fields: {title: string(100)}, avg_per_parent: 50}
  Assignment: {fields: {course: ref(Course), title: string(200)}, growth: 2M/day}
  Notice: {fields: {school: ref(School), body: string(500)}, growth: 100k/day}
use_cases:
  - {name: enrol, actor: student, writes: [Enrolment], rate: 10/s}
  - {name: my schools, actor: student, reads: [Enrolment, School], filter: [student], rate: 30/s}
  - {name: open course, actor: teacher, writes: [Course], rate: 1/s}
  - {name: course assignments, actor: student, reads: [Assignment], filter: [course], rate: 3000/s}
  - {name: school notices, actor: student, reads: [Notice], filter: [school], rate: NOTICES}
"""

#: Orgs and their memberships held by orgs; tasks listed and added per project, a project being part of its org and held by
#: PROJECTS (orgs: the scope is reached through another service's column; work: through the keeper's own).
PROJECTS = """
system: projects
team: {size: 30}
scale: {rates: peak}
services:
  orgs: {owns: [User, Org, OrgMember, PROJECTS_ORGS]}
  work: {owns: [Task, PROJECTS_WORK]}
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 1M}
  Org: {fields: {name: string(100)}, rows: 50k}
  OrgMember: {fields: {org: ref(Org), user: ref(User)}, unique: [[org, user]]}
  Project: {part_of: Org, fields: {name: string(100)}, avg_per_parent: 10}
  Task: {fields: {project: ref(Project), title: string(200)}, growth: 10M/day}
use_cases:
  - {name: join org, actor: user, writes: [OrgMember], rate: 5/s}
  - {name: org members, actor: user, reads: [OrgMember], filter: [org], rate: 10/s}
  - {name: start project, actor: user, writes: [Project], rate: 1/s}
  - {name: project tasks, actor: user, reads: [Task], filter: [project], rate: 5000/s}
  - {name: add task, actor: user, writes: [Task], rate: 800/s}
"""


def _projects(held_by: str) -> str:
    return PROJECTS.replace(", PROJECTS_ORGS", ", Project" if held_by == "orgs" else "").replace(", PROJECTS_WORK", ", Project" if held_by == "work" else "")


CASES = [
    pytest.param(CLUBS, {"clubMeetups", "clubPhotos"}, set(), True, id="all-answerable-summed-past-the-threshold"),
    pytest.param(SCHOOLS.replace("NOTICES", "200/s"), {"schoolNotices"}, {"courseAssignments"}, False, id="mixed-direct-below-via-parent-hot"),
    pytest.param(SCHOOLS.replace("NOTICES", "1500/s"), {"schoolNotices"}, {"courseAssignments"}, True, id="mixed-direct-above-via-parent-hot"),
    pytest.param(_projects("orgs"), set(), {"projectTasks", "addTask", "getTask"}, False, id="only-via-parent-at-a-high-rate"),
    pytest.param(
        _projects("work"), {"startProject", "getProject", "projectTasks", "addTask", "getTask"}, set(), True, id="via-the-keepers-own-parent-answerable"
    ),
]


def _remote(arch: Architecture) -> dict[str, MembershipCheck]:
    """The rated membership checks held by another service than the one serving the operation."""
    return {c.operation: c for c in arch.membership_checks if c.check != "local" and c.peak}


@pytest.mark.parametrize(("text", "answered", "apart", "copied"), CASES)
def test_a_copy_is_decided_on_exactly_the_checks_it_answers_ok(text: str, answered: set[str], apart: set[str], copied: bool) -> None:
    """The copy's rate is the sum of the checks it can answer; the via-parent checks keep their call with their own reason
    and their own sum; the copy is kept only where the answerable checks pass the threshold."""
    arch = design_of(text)
    checks = _remote(arch)
    assert set(checks) == answered | apart, sorted(checks)
    served = sum(checks[op].peak for op in answered)
    beyond = sum(checks[op].peak for op in apart)
    assert copied == (served > LOCAL_COPY_FROM)
    for op in answered:
        check = checks[op]
        assert check.check == (MEMBER_COPY if copied else "query"), check.reason
        assert f"{served:,.0f} checks/s at peak of {check.members}" in check.reason, check.reason
        assert ("not counted: " in check.reason) == bool(apart), check.reason
        if apart:
            assert f"not counted: {beyond:,.0f} checks/s" in check.reason, check.reason
    for op in apart:
        check = checks[op]
        assert check.check == "query", check.reason
        assert "a local copy of the pairs cannot answer it" in kept_because(check), check.reason
        assert f"{beyond:,.0f} checks/s at peak of {check.members}" in check.reason, check.reason
        assert f"counted apart from the {served:,.0f} a copy could answer" in check.reason, check.reason
    members = table_name(next(iter(checks.values())).members)
    tables = {t.name for s in arch.datastores for t in s.tables}
    assert (member_copy_table(members) in tables) == copied, sorted(tables)


@pytest.mark.parametrize(("text", "answered", "apart", "copied"), CASES)
def test_every_record_states_the_copys_own_numbers_ok(text: str, answered: set[str], apart: set[str], copied: bool) -> None:
    """The normalization record, the copy's probe figures and the bottleneck rows quoting the membership decision state the
    same numbers as the checks: the copy's total is its answerable checks', never the via-parent checks'."""
    arch = design_of(text)
    checks = _remote(arch)
    served = sum(checks[op].peak for op in answered)
    normalization = next(d for d in arch.decisions if d.id == "normalization")
    said = normalization.choice + normalization.rationale
    copy = member_copy_table(table_name(next(iter(checks.values())).members))
    probes = [f for f in arch.figures if f"membership probes/s of {copy} " in f.quantity]
    if copied:
        assert f"the copy decided on {served:,.0f} checks/s" in said, said
        assert sum(f.value for f in probes) == pytest.approx(served)
    else:
        assert copy not in said, said
        assert not probes
    by_use_case = {c.use_case: c for c in checks.values()}
    rows = [b for b in arch.bottlenecks if b.title.startswith("Synchronous calls on the hot path") and b.scope in by_use_case]
    for row in rows:
        kept = kept_because(by_use_case[row.scope])
        assert not kept or kept in row.scaling_step, (row.scaling_step, kept)
    # the hot via-parent paths are listed, each quoting its own reason, never a copy's rate
    hot = {checks[op].use_case for op in apart if checks[op].use_case and checks[op].peak >= LOCAL_COPY_FROM / 10}
    assert {r.scope for r in rows if "a local copy of the pairs cannot answer it" in r.scaling_step} == hot
