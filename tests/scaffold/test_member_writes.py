"""The scaffolded service authorizes writes adding a member, as the design and the contract say (issue 22, class n8).

The generated project's own tests join as the caller (204), are refused adding someone else as a plain member (403), add
another as an admin (204, stored in the default role, an admin re-joining keeps the role), and are refused past the
scope's size (409). Two shapes: a crew's berths with a role and a size, and a guild's seats with neither; each scope's own row
is its members' (a get), so the membership is a door worth guarding.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes
from scaffold.test_mechanisms import _own_tests

#: A crew's berths: a role with captains among its values, and at most 4 a crew.
CREWS = """\
system: crews
services:
  crews: {owns: [Sailor, Crew, Berth]}
entities:
  Sailor: {fields: {name: string(100)}, rows: 100k}
  Crew: {fields: {name: string(100)}, rows: 10k}
  Berth: {part_of: Crew, fields: {sailor: ref(Sailor), rank: "enum[deckhand,owner]"}, unique: [[crew, sailor]], max_per_parent: 4}
use_cases:
  - {name: found crew, actor: sailor, writes: [Crew], rate: 1/s}
  - {name: sign on, actor: sailor, writes: [Berth], rate: 5/s}
  - {name: my crews, actor: sailor, owner_only: true, reads: [Berth, Crew], filter: [sailor], rate: 10/s}
  - {name: view crew, actor: sailor, kind: get, reads: [Crew], rate: 20/s}
"""

#: A guild's seats carry no role: only oneself joins.
GUILDS = """\
system: guilds
services:
  guilds: {owns: [Player, Guild, GuildSeat]}
entities:
  Player: {fields: {tag: {type: string(30), unique: true}}, rows: 100k}
  Guild: {fields: {name: string(100)}, rows: 10k}
  GuildSeat: {fields: {guild: ref(Guild), player: ref(Player)}, unique: [[guild, player]]}
use_cases:
  - {name: found guild, actor: player, writes: [Guild], rate: 1/s}
  - {name: enlist, actor: player, writes: [GuildSeat], rate: 5/s}
  - {name: my guilds, actor: player, owner_only: true, reads: [GuildSeat, Guild], filter: [player], rate: 10/s}
  - {name: view guild, actor: player, kind: get, reads: [Guild], rate: 20/s}
"""


@pytest.mark.postgres
@pytest.mark.parametrize(("spec", "joins"), [pytest.param(CREWS, "signOn", id="role-and-size"), pytest.param(GUILDS, "enlist", id="no-role")])
def test_generated_service_authorizes_member_writes_ok(postgres: object, tmp_path: Path, spec: str, joins: str) -> None:
    """The generated route passes the join rule to the link write, and the generated tests prove the 204, 403 and 409."""
    result = design_spec(load_spec_bytes(textwrap.dedent(spec).encode(), "spec.yaml"))
    assert [w.operation for w in result.architecture.member_writes] == [joins]
    (deployable,) = scaffold(from_files(result.architecture, result.files, "svc"), tmp_path).project.deployables
    routes = "\n".join(p.read_text() for p in (tmp_path / deployable.name).rglob("routes.py"))
    assert routes.count("join=links.Join(") == 1, routes
    run = _own_tests(tmp_path / deployable.name, postgres)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
