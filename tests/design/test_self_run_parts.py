"""Where the team runs every part itself (its own data centres: no catalogued cloud, or managed services forbidden), no record
chooses a managed service: the cache, broker, gateway and metrics backend are the open-source parts it runs."""

from __future__ import annotations

import re

import pytest
from tests.design.helpers import design_of

from backend_architect.ir.model import Architecture

#: A forum split into services (a broker carries the search indexer's events; an API gateway routes), cached reads, two data centres.
FORUM = """
system: forum
team: {size: 30}
scale: {regions: [new-york, colorado]}
CONSTRAINTS
entities:
  User: {fields: {name: string(80)}, rows: 5M}
  Post: {fields: {author: ref(User), title: string(200), body: text}, growth: 1M/day}
  Comment: {fields: {post: ref(Post), author: ref(User), body: text}, growth: 5M/day}
use_cases:
  - {name: create post, actor: user, writes: [Post], rate: 1M/day}
  - {name: view post, actor: visitor, auth: none, kind: get, reads: [Post], rate: 2k/s, consistency: eventual, staleness: 30s}
  - {name: add comment, actor: user, writes: [Comment], rate: 5M/day}
  - {name: list comments, actor: visitor, reads: [Comment], filter: [post], rate: 3k/s}
  - {name: search posts, actor: visitor, reads: [Post], search: [Post.title, Post.body], rate: 500/s}
DECISIONS"""

#: Services whose entries flow to the search indexer through a log broker (Kafka: 21k events/s at peak), one data centre.
LEDGER = """
system: ledger
team: {size: 30}
CONSTRAINTS
entities:
  Account: {fields: {owner: string(80)}, rows: 1M}
  Entry: {fields: {account: ref(Account), amount: money, memo: string(200)}, append_only: true, growth: 600M/day}
use_cases:
  - {name: post entry, actor: teller, writes: [Entry], rate: 600M/day}
  - {name: list entries, actor: teller, reads: [Entry], filter: [account], rate: 200/s}
  - {name: search entries, actor: auditor, reads: [Entry], search: [Entry.memo], rate: 5/s}
DECISIONS"""

FORBID = "decisions:\n  managed-services: {forbid: true, reason: our own racks}\n"
#: "managed" as a choice, not "self-managed" (the forbidden cloud record's own words).
MANAGED = re.compile(r"(?<!self-)\bmanaged\b", re.IGNORECASE)


def _said(arch: Architecture) -> list[str]:
    """What the records choose and why, and what each component runs: never an alternative (a rejected option may be managed)."""
    return [t for d in arch.decisions for t in (d.choice, d.rationale)] + [c.technology for c in arch.components]


def _design(text: str, constraints: str, decisions: str) -> Architecture:
    return design_of(text.replace("CONSTRAINTS", constraints).replace("DECISIONS", decisions))


@pytest.mark.parametrize("text", [pytest.param(FORUM, id="services"), pytest.param(LEDGER, id="services-with-a-log")])
@pytest.mark.parametrize(
    ("constraints", "decisions"),
    [
        pytest.param("", "", id="own-data-centres"),
        pytest.param("constraints: {cloud: hetzner}", "", id="uncatalogued-provider"),
        pytest.param("constraints: {cloud: aws}", FORBID, id="managed-forbidden"),
    ],
)
def test_no_record_chooses_a_managed_service_where_the_team_runs_the_parts_ok(text: str, constraints: str, decisions: str) -> None:
    """No choice, reason or component says managed: Redis with Sentinel, the broker, Envoy, Prometheus + Grafana."""
    arch = _design(text, constraints, decisions)
    assert {c.kind for c in arch.components} >= {"broker", "api-gateway"}
    assert not [t for t in _said(arch) if MANAGED.search(t)]


@pytest.mark.parametrize("text", [pytest.param(FORUM, id="services"), pytest.param(LEDGER, id="services-with-a-log")])
def test_a_catalogued_cloud_still_buys_managed_parts_err(text: str) -> None:
    """On AWS the records still choose managed parts (the cloud record names each): the rule is about running them oneself."""
    arch = _design(text, "constraints: {cloud: aws}", "")
    assert [t for t in _said(arch) if MANAGED.search(t)]
    assert [d for d in arch.decisions if d.id == "cloud"]
