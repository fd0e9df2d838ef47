"""Facts a mechanism adds to the rows on every request (presence's online flag and last seen) are drawn after the cached rows,
never inside a cache miss: a cached answer never carries an online flag the presence decision says is never cached."""

from __future__ import annotations

import textwrap

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.store_steps import adds_to_rows
from backend_architect.render.sequence import render_sequence
from backend_architect.spec.load import load_spec_bytes

#: Devices of a site, listed with who is online.
FLEET = """\
system: fleet
entities:
  Site: {fields: {name: string(80)}, rows: 10k}
  Device:
    fields: {site: ref(Site), serial: string(40)}
    presence: {offline_after: 90s}
    rows: 2M
use_cases:
  - {name: list site devices, actor: operator, reads: [Device], filter: [site], page: {limit: 50, max: 200}, rate: 3k/s, online: true}
"""

#: A messenger's contact card: the user's row and whether they are online.
MESSENGER = """\
system: messenger
scale: {concurrent_users: 1M}
entities:
  User:
    fields: {handle: string(40), last_seen_at: datetime?}
    presence: true
    rows: 10M
use_cases:
  - {name: sign up, actor: user, kind: create, writes: [User], rate: 10/s}
  - {name: get contact, actor: user, kind: get, reads: [User], rate: 20k/s, online: true}
"""

#: Team seats with each member's online flag.
TEAMS = """\
system: teams
scale: {concurrent_users: 100k}
entities:
  User:
    fields: {handle: string(40), last_seen_at: datetime?}
    presence: true
    rows: 1M
  Team: {fields: {name: string(80)}, rows: 50k}
  Seat:
    fields: {team: ref(Team), user: ref(User)}
    unique: [[team, user]]
    rows: 2M
use_cases:
  - {name: list team seats, actor: user, reads: [Seat, User], filter: [team], page: {limit: 20, max: 100}, rate: 2k/s, online: true}
"""


@pytest.mark.parametrize("text", [pytest.param(FLEET, id="fleet"), pytest.param(MESSENGER, id="messenger"), pytest.param(TEAMS, id="teams")])
def test_presence_after_the_cache_ok(text: str) -> None:
    """Every per-request lookup a mechanism adds to the rows is drawn once, outside any cache branch."""
    arch = design_spec(load_spec_bytes(textwrap.dedent(text).encode(), "spec.yaml")).architecture
    checked = 0
    for flow in arch.flows:
        lines = render_sequence(arch, flow).splitlines()
        for mechanism in (m for m in arch.mechanisms if m.use_case == flow.use_case and adds_to_rows(m)):
            at = [i for i, x in enumerate(lines) if mechanism.how[:40] in x]
            assert len(at) == 1, "\n".join(lines)
            miss = next((i for i, x in enumerate(lines) if "else cache miss" in x), None)
            end = next((i for i, x in enumerate(lines) if x.strip() == "end"), None)
            if miss is not None and end is not None:
                assert not miss < at[0] < end, "\n".join(lines)
            checked += 1
    assert checked


def test_cached_contact_reads_presence_after_the_cache_ok() -> None:
    """The messenger's cached contact card draws the user's row on a miss and the online lookup after the cache block."""
    arch = design_spec(load_spec_bytes(textwrap.dedent(MESSENGER).encode(), "spec.yaml")).architecture
    flow = next(f for f in arch.flows if f.use_case == "get contact")
    lines = render_sequence(arch, flow).splitlines()
    end = next(i for i, x in enumerate(lines) if x.strip() == "end")
    assert any("alt cache hit" in x for x in lines[:end])
    assert any("SELECT the row of users" in x for x in lines[:end])
    assert any("MGET" in x or "EXISTS" in x for x in lines[end:])
