"""Search routed by the scope every search carries: a query reads the one shard holding that parent's documents.

An index of many shards whose every search is scoped by one reference (the required filter of its contract: one
server's messages) routes its documents by that reference; otherwise queries fan out to every shard (scatter-gather),
and the design says which, with the shards one query reads.
"""

from __future__ import annotations

import pytest

from design.helpers import design_of

BASE = """\
system: s
entities:
  Server: {{fields: {{name: string(80)}}, rows: 1M}}
  Channel: {{fields: {{server: ref(Server), name: string(80)}}, rows: 10M}}
  Tag: {{fields: {{label: string(40)}}}}
  Message:
    fields: {{server: ref(Server), channel: ref(Channel), body: text, kind: "enum[text, image]"}}
    many_to_many: [Tag]
    rows: {rows}
use_cases:
{searches}
"""


def _search(filters: str, name: str = "search messages") -> str:
    return f"  - {{name: {name}, actor: user, reads: [Message], search: [body], filter: [{filters}], rate: 50/s}}\n"


@pytest.mark.parametrize(
    ("rows", "searches", "routed"),
    [
        pytest.param("20B", _search("server"), "server_id", id="scoped by a reference"),
        pytest.param("20B", _search("channel, kind"), "channel_id", id="scoped, with a facet"),
        pytest.param("20B", _search("server") + _search("server, kind", "search my server's images"), "server_id", id="two searches, one scope"),
        pytest.param("20B", _search("server") + _search("channel", "search a channel"), None, id="two scopes"),
        pytest.param("20B", _search("kind"), None, id="a facet only"),
        pytest.param("20B", _search("tags"), None, id="many-to-many: a document under several"),
        pytest.param("20M", _search("server"), None, id="one shard"),
    ],
)
def test_search_is_routed_by_its_one_scope_ok(rows: str, searches: str, routed: str | None) -> None:
    """Routed only when every search of a many-shard index is scoped by the same single-valued reference; the figure of the
    shards one query reads, the decision and each search's mechanism say the same."""
    arch = design_of(BASE.format(rows=rows, searches=searches))
    made = next(d for d in arch.decisions if d.id == "search")
    if "PostgreSQL" in made.choice.split(":")[0]:
        assert routed is None
        return
    shards = next(f for f in arch.figures if f.key == "search.shards").value
    per_query = next(f for f in arch.figures if f.key == "search.shards_per_query")
    hows = [m.how for m in arch.mechanisms if m.store == "search-engine"]
    assert hows, "every search is a mechanism of the engine"
    if routed is None:
        assert per_query.value == shards
        assert all("routed" not in h for h in hows)
        assert "routed by" not in made.choice
        if shards > 1:
            assert "scatter-gather" in made.choice
        return
    assert shards > 1
    assert per_query.value == 1
    assert f"documents are routed by {routed}" in made.choice
    assert all(h.endswith(f"routed by {routed} to one shard") for h in hows)


TICKETS = """\
system: helpdesk
tenant: Org
entities:
  Org: {fields: {name: string(80)}}
  Team: {tenant_scoped: true, fields: {name: string(80)}}
  Ticket: {tenant_scoped: true, fields: {team: ref(Team), body: text, state: "enum[open, closed]"}, rows: 2B}
use_cases:
  - {name: search tickets, actor: agent, reads: [Ticket], search: [body], filter: [%s], rate: 20/s}
"""


@pytest.mark.parametrize(("filters", "routed"), [("state", "tenant_id"), ("team", "team_id")], ids=["the tenant", "a finer scope"])
def test_tenant_rows_are_routed_by_their_tenant_ok(filters: str, routed: str) -> None:
    """Every query of a tenant's rows carries the tenant: it routes them when no finer scope is shared by the searches."""
    arch = design_of(TICKETS % filters)
    assert next(f for f in arch.figures if f.key == "search.shards_per_query").value == 1
    assert f"documents are routed by {routed}" in next(d for d in arch.decisions if d.id == "search").choice
