"""Every stated input is traced to what it changed, or reported as stated but not used with the reason."""

from __future__ import annotations

import pytest

from backend_architect.design.defaults import default_conflicts
from backend_architect.design.pipeline import design_with_analysis
from backend_architect.ir.model import Architecture
from backend_architect.ir.trace import Requirement
from design.helpers import design_of, spec_of

BASE = """\
system: shop
%(top)s
entities:
  %(people)s: {fields: {name: string(80)}}
  Order: {fields: {buyer: ref(%(people)s), total: money}, growth: 1k/day}
use_cases:
  - {name: place order, actor: buyer, writes: [Order], rate: 1/s %(uc)s}
  - {name: list orders, actor: buyer, reads: [Order], filter: [buyer], page: cursor, rate: 5/s}
"""


def traced(top: str = "", uc: str = "", people: str = "Customer") -> Architecture:
    return design_of(BASE % {"top": top, "uc": uc, "people": people})


def requirement(arch: Architecture, path: str) -> Requirement:
    found = [r for r in arch.requirements if r.input == path]
    assert len(found) == 1, [r.input for r in arch.requirements]
    return found[0]


@pytest.mark.parametrize(
    ("top", "uc", "people", "path", "used_by"),
    [
        pytest.param("scale: {availability: 99.95%}", "", "Customer", "scale.availability", "decision:availability", id="availability"),
        pytest.param("scale: {regions: [eu-west-1, us-east-1]}", "", "Customer", "scale.regions", "decision:multi-region", id="two-regions"),
        pytest.param("scale: {regions: [eu-west-1]}", "", "Customer", "scale.regions", "decision:availability", id="one-region"),
        pytest.param("scale: {users: 2M}", "", "Customer", "scale.users", "table:customers", id="users-count-the-people"),
        pytest.param("scale: {concurrent_users: 10k}", "", "Customer", "scale.concurrent_users", "decision:rate-limits.state", id="concurrent-sizes-buckets"),
        pytest.param("scale: {users: 2M}", "", "Shipment", "scale.users", "figure:clients.online.buyer", id="users-count-clients-online"),
        pytest.param(
            "scale: {concurrent_connections: 10k}",
            "",
            "Customer",
            "scale.concurrent_connections",
            "figure:clients.online.buyer",
            id="connections-count-clients",
        ),
        pytest.param("scale: {growth_per_year: 40%}", "", "Customer", "scale.growth_per_year", "figure:rows.1y.orders", id="growth"),
        pytest.param("scale: {retention_years: 3}", "", "Customer", "scale.retention_years", "figure:bytes.3y.orders", id="retention"),
        pytest.param("scale: {peak_factor: 4}", "", "Customer", "scale.peak_factor", "figure:qps.peak.place-order", id="peak-factor"),
        # the stated total makes the system totals, and the deployment shape reads the peak by value (fifteenth trial, uber)
        pytest.param("scale: {requests: 1B/day}", "", "Customer", "scale.requests", "decision:deployment-shape", id="total-requests"),
        pytest.param("team: {size: 12}", "", "Customer", "team.size", "decision:deployment-shape", id="team"),
        pytest.param("team: {size: 12, teams: 1}", "", "Customer", "team.teams", "decision:deployment-shape", id="teams"),
        pytest.param("constraints: {language: go}", "", "Customer", "constraints.language", "decision:runtime", id="language"),
        pytest.param("constraints: {prefer: [PostgreSQL]}", "", "Customer", "constraints.prefer: PostgreSQL", "decision:database", id="prefer-chosen"),
        pytest.param("constraints: {avoid: [MongoDB]}", "", "Customer", "constraints.avoid: MongoDB", "decision:database", id="avoid-considered"),
        pytest.param("constraints: {avoid: [Cassandra]}", "", "Customer", "constraints.avoid: Cassandra", "decision:database", id="avoid-added"),
        pytest.param("constraints: {compliance: [gdpr]}", "", "Customer", "constraints.compliance: gdpr", "security", id="compliance"),
        pytest.param("constraints: {auth: auth0}", "", "Customer", "constraints.auth", "security", id="auth"),
        pytest.param("constraints: {cloud: aws}", "", "Customer", "constraints.cloud", "decision:cloud", id="cloud"),
        pytest.param("external: {stripe: {kind: payment}}", ", calls: [stripe]", "Customer", "external.stripe", "flow:place order", id="external-called"),
        pytest.param("external: {mailer: {kind: email}}", ", notify: [mailer]", "Customer", "use_cases['place order'].notify: mailer", "event:", id="notify"),
        pytest.param("", ", latency_ms: 120", "Customer", "use_cases['place order'].latency_ms", "flow:place order", id="latency"),
        pytest.param("", ", consistency: eventual", "Customer", "use_cases['place order'].consistency", "flow:place order", id="consistency"),
    ],
)
def test_stated_input_is_used_where_it_should_be_ok(top: str, uc: str, people: str, path: str, used_by: str) -> None:
    """Each family of stated input is traced to the decision, figure, table, flow or event that used it."""
    found = requirement(traced(top, uc, people), path)
    assert found.status == "used", found
    assert any(u.startswith(used_by) for u in found.used_by), found


@pytest.mark.parametrize(
    ("top", "uc", "people", "path", "reason"),
    [
        pytest.param("constraints: {prefer: [Memcached]}", "", "Customer", "constraints.prefer: Memcached", "'cache' chose not needed", id="prefer-unneeded"),
        pytest.param("constraints: {avoid: [Kubernetes]}", "", "Customer", "constraints.avoid: Kubernetes", "no decision here", id="avoid-unknown"),
        pytest.param("constraints: {cloud: hetzner}", "", "Customer", "constraints.cloud", "not in the catalogue", id="cloud-unknown"),
        pytest.param("external: {crm: {kind: crm}}", "", "Customer", "external.crm", "no use case calls or notifies it", id="external-unused"),
        pytest.param(
            "external: {crm: {kind: crm, latency_ms: 80}}", ", notify: [crm]", "Customer", "external.crm.latency_ms", "within a request", id="async-latency"
        ),
    ],
)
def test_input_that_changes_nothing_is_reported_err(top: str, uc: str, people: str, path: str, reason: str) -> None:
    """An input nothing reads is 'not used', with the reason in the spec's words."""
    found = requirement(traced(top, uc, people), path)
    assert found.status == "not used", found
    assert not found.used_by
    assert reason in found.how, found


def test_avoided_technology_is_a_rejected_alternative_ok() -> None:
    """avoid: X puts X among the alternatives of the decision of its kind, rejected by constraint, and never chooses it."""
    arch = traced("constraints: {avoid: [Cassandra, Redis]}")
    database = next(d for d in arch.decisions if d.id == "database")
    assert any(a.name == "Cassandra" and a.why_not.startswith("avoided by the spec's constraints") for a in database.alternatives)
    assert all("redis" not in d.choice.lower() for d in arch.decisions)


def test_silent_defaults_are_listed_under_assumptions_ok() -> None:
    """Defaults the stages apply without a record (latency budgets, an external's latency and availability) join the Assumptions."""
    arch = traced("external: {stripe: {kind: payment}}", ", calls: [stripe]")
    lines = "\n".join(arch.assumptions)
    assert "use_cases.latency_ms: not given for 2 use case(s)" in lines
    assert "external.stripe.latency_ms: not given; 300 ms assumed" in lines
    assert "external.stripe.availability: not given" in lines
    assert "scale.availability: not given; 99.9% assumed" in lines


def test_default_replaced_by_stated_figure_is_caught_err() -> None:
    """An assumption the spec's own figures could have replaced is reported as an engine error."""
    spec = spec_of(BASE % {"top": "scale: {users: 2M}", "uc": "", "people": "Customer"})
    arch, analysis = design_with_analysis(spec)
    assert default_conflicts(spec, analysis, arch) == []
    broken = arch.model_copy(update={"assumptions": [*arch.assumptions, "entities.Customer.rows: not given; assumed 10,000 rows today (default)"]})
    assert default_conflicts(spec, analysis, broken) == []  # users already counted the customers: the line is stale, not ignored
    bare = spec_of((BASE % {"top": "scale: {users: 2M}", "uc": "", "people": "Customer"}).replace("Customer", "Client"))
    arch, analysis = design_with_analysis(bare)
    faked = arch.model_copy(update={"assumptions": ["scale.peak_factor: not given; peak traffic assumed 3x", "team.size: not given; 5"]})
    assert default_conflicts(bare, analysis, faked) == []
    stated = spec_of(BASE % {"top": "scale: {peak_factor: 2}\nteam: {size: 4}", "uc": "", "people": "Customer"})
    arch, analysis = design_with_analysis(stated)
    faked = arch.model_copy(update={"assumptions": ["scale.peak_factor: not given; peak traffic assumed 3x", "team.size: not given; 5"]})
    assert len(default_conflicts(stated, analysis, faked)) == 2
