"""A created row's read-back GET is probed as often as it is served (issue 22, class i5).

The GET the API adds for a created row (its Location) counts ``readback_<operation>`` requests in its service; where it
answers members only, each of those requests probes the membership once. Specs of three shapes: memberships copied from
another service (a local copy), held by another service (a synchronous call), and reached through a part_of chain (local).
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: Posts in a club, the clubs' memberships in another service: checked against a local copy of them at these rates.
CLUBS = """
system: clubs
services:
  clubs: {owns: [User, Club, ClubMember]}
  posts: {owns: [Post]}
entities:
  User: {fields: {name: string(40)}, rows: 1M}
  Club: {fields: {name: string(100), owner: ref(User)}, rows: 20k}
  ClubMember: {fields: {club: ref(Club), user: ref(User)}, unique: [[club, user]]}
  Post: {fields: {club: ref(Club), author: ref(User), body: text}, growth: 2M/day}
use_cases:
  - {name: join club, writes: [ClubMember], rate: 3/s}
  - {name: club members, reads: [ClubMember], filter: [club], rate: 20/s}
  - {name: write post, writes: [Post], rate: 40/s}
  - {name: club posts, reads: [Post], filter: [club], sort: [-created_at], rate: 300/s}
"""

#: A project's tasks, its collaborators held by the service the design splits off: a synchronous call to it.
PROJECTS = """
system: projects
entities:
  User: {fields: {email: {type: email, unique: true}}, rows: 500k}
  Project: {fields: {title: string(100), owner: ref(User)}, rows: 50k}
  Collaborator: {fields: {project: ref(Project), user: ref(User)}, unique: [[project, user]]}
  Task: {fields: {project: ref(Project), title: string(200), done: bool}, growth: 300k/day}
use_cases:
  - {name: add collaborator, writes: [Collaborator], rate: 1/s}
  - {name: collaborators, reads: [Collaborator], filter: [project], rate: 5/s}
  - {name: add task, writes: [Task], rate: 12/s}
  - {name: project tasks, reads: [Task], filter: [project], rate: 90/s}
"""

#: A note on a page of a notebook (part_of), the notebook's readers its members: the scope is reached through the page.
NOTEBOOKS = """
system: notebooks
entities:
  User: {fields: {name: string(40)}, rows: 200k}
  Notebook: {fields: {title: string(100), owner: ref(User)}, rows: 40k}
  Reader: {part_of: Notebook, fields: {user: ref(User)}, unique: [[notebook, user]]}
  Page: {part_of: Notebook, fields: {title: string(100)}, avg_per_parent: 20}
  Note: {part_of: Page, fields: {author: ref(User), body: text}, growth: 500k/day}
use_cases:
  - {name: share notebook, writes: [Reader], rate: 2/s}
  - {name: notebook readers, reads: [Reader], filter: [notebook], rate: 8/s}
  - {name: add page, writes: [Page], rate: 4/s}
  - {name: write note, writes: [Note], rate: 25/s}
  - {name: page notes, reads: [Note], filter: [page], rate: 150/s}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


def _readbacks(arch: Architecture) -> dict[str, float]:
    """Each read-back GET's requests/s at peak, as its service counts them."""
    found: dict[str, float] = {}
    for figure in arch.figures:
        if figure.key.startswith("qps.peak.service."):
            found |= {k.removeprefix("readback_"): v for k, v in figure.inputs.items() if k.startswith("readback_")}
    return found


@pytest.mark.parametrize("text", [pytest.param(CLUBS, id="called"), pytest.param(PROJECTS, id="local"), pytest.param(NOTEBOOKS, id="part-of")])
def test_readback_probes_as_often_as_served_ok(text: str) -> None:
    """Every membership check of a read-back GET probes at the rate its service serves that GET, never 0/s."""
    arch = _design(text)
    served = _readbacks(arch)
    derived = [c for c in arch.membership_checks if not c.use_case]
    assert derived, "the spec should give a members-only read-back GET"
    for check in derived:
        assert check.operation in served
        assert check.peak == pytest.approx(served[check.operation])
        assert check.peak > 0


def test_readback_call_counted_by_holder_ok() -> None:
    """A read-back GET checking memberships held elsewhere adds its probes to the holder's request rate."""
    arch = _design(PROJECTS)
    served = _readbacks(arch)
    check = next(c for c in arch.membership_checks if not c.use_case and c.check == "query")
    holder = next(f for f in arch.figures if f.key == f"qps.peak.service.{check.service}")
    assert holder.inputs[f"check_{check.operation}"] == pytest.approx(served[check.operation])
