"""Each deployable's configuration lists every store and component its code uses (issue 22, class o7; discord run 20 C3).

One derivation from the components' users (``services`` for services and modules, ``parts`` for other components):
a deployable the design connects to Redis, a search engine, a broker or object storage lists that component's setting,
and none it does not use. Specs of three shapes: a recipe site with full-text search (one deployable), a team chat
with real-time delivery and push (a gateway beside the services), a parts catalogue whose reviews check products
(two services, one cached).
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.ir.model import Architecture
from backend_architect.render.connection_settings import CONNECTED_KINDS, setting_name
from backend_architect.render.handoff import operations_section
from backend_architect.spec.load import load_spec_bytes

RECIPES = """
system: recipes
entities:
  Recipe: {fields: {title: string(200), method: text}, rows: 2M}
use_cases:
  - {name: publish recipe, writes: [Recipe], rate: 20k/day}
  - {name: find recipes, auth: none, reads: [Recipe], search: [title, method], page: cursor, rate: 300/s, staleness: 5m, consistency: eventual}
  - {name: get recipe, kind: get, reads: [Recipe], rate: 2k/s, staleness: 1m}
"""

TEAM_CHAT = """
system: huddle
team: {size: 12, teams: 3}
services:
  rooms: {owns: [Room]}
  posts: {owns: [Post]}
external:
  fcm: {kind: push, description: Firebase Cloud Messaging}
entities:
  Room: {fields: {name: string(80)}, rows: 1M}
  Post: {fields: {room: ref(Room), body: string(2000)}, growth: 20M/day}
use_cases:
  - {name: open room, writes: [Room], rate: 50k/day}
  - {name: post, writes: [Post], notify: [fcm], deliver: realtime, avg_fanout: 4, rate: 20M/day}
  - {name: room posts, reads: [Post], filter: [room], sort: [-created_at], page: cursor, rate: 200M/day}
"""

PARTS = """
system: parts
team: {size: 12, teams: 3}
services:
  catalog: {owns: [Part]}
  feedback: {owns: [Rating]}
entities:
  Part: {fields: {sku: string(30), name: string(120)}, rows: 4M}
  Rating: {fields: {part: ref(Part), stars: int}, growth: 100k/day}
use_cases:
  - {name: add part, writes: [Part], rate: 2k/day}
  - {name: part page, kind: get, reads: [Part], rate: 40M/day}
  - {name: rate part, kind: create, writes: [Rating], rate: 100k/day}
"""


def _design(text: str) -> Architecture:
    return design_spec(load_spec_bytes(text.encode(), "spec.yaml")).architecture


@pytest.mark.parametrize("text", [pytest.param(RECIPES, id="recipes"), pytest.param(TEAM_CHAT, id="huddle"), pytest.param(PARTS, id="parts")])
def test_each_deployable_lists_what_it_connects_to_ok(text: str) -> None:
    """A deployable's secrets hold the setting of every connected component naming it as a user, and no other component's."""
    arch = _design(text)
    connected = [c for c in arch.components if c.kind in CONNECTED_KINDS]
    assert connected, "the design connects to no store beside its database"
    modules = {s.name for s in arch.services} | {arch.system} if arch.deployment == "modular-monolith" else None
    deployables = operations_section(arch)["services"]
    assert deployables
    for deployable in deployables:
        users = modules if modules is not None and deployable["name"] == arch.system else {deployable["name"]}
        used = {setting_name(c) for c in connected if users & {*c.services, *c.parts}}
        unused = {setting_name(c) for c in connected} - used
        assert used <= set(deployable["secrets"]), deployable["name"]
        if deployable["name"] not in {c.name for c in arch.components}:  # a gateway also takes the broker it consumes from
            assert not unused & set(deployable["secrets"]), deployable["name"]
    services = [d for d in deployables if d["name"] not in {c.name for c in arch.components}]
    assert any({setting_name(c) for c in connected} & set(d["secrets"]) for d in services), "no service lists a store beside its database"
