"""A figure past its ceiling, target or threshold drives the design or is a finding with its numbers (DES012, DES013).

Designs of several shapes: availability targets one region meets or not (with regions named, or a
level the author chose); last seen from few or many people online; a deployable's scale-out trigger
against the load it is sized for.
"""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns._common import PRIMARY_WRITE_CEILING
from backend_architect.ir.model import Architecture
from design.helpers import spec_of

LEDGER = """
system: ledger
scale: {{users: 2M, daily_active: 200k, availability: {availability}{regions}}}
entities:
  Account: {{fields: {{owner: string(80)}}, rows: 2M}}
  Entry: {{fields: {{account: ref(Account), amount: decimal}}, growth: 1M/day}}
use_cases:
  - {{name: post entry, writes: [Entry], rate: 1M/day}}
  - {{name: list entries, reads: [Entry], filter: [account], rate: 5M/day}}
{decisions}"""


def _ledger(availability: str, regions: str = "", decisions: str = "") -> tuple[Architecture, list[str]]:
    result = design_spec(spec_of(LEDGER.format(availability=availability, regions=regions, decisions=decisions)))
    return result.architecture, [f"{f.code} {f.message}" for f in result.findings]


@pytest.mark.parametrize(
    ("availability", "regions", "decisions", "short"),
    [
        pytest.param("99.99%", "", "", True, id="three-zones-short-of-four-nines"),
        pytest.param("99.99%", ", regions: [eu-west-1, eu-central-1]", "", False, id="second-region-meets-it"),
        pytest.param("99.9%", "", "", False, id="two-zones-meet-three-nines"),
        pytest.param("99.9%", "", "decisions:\n  availability: {choose: 'single-zone, 0 standby(s)', reason: one data centre}\n", True, id="author-chose-less"),
    ],
)
def test_availability_below_target_is_a_finding_err(availability: str, regions: str, decisions: str, short: bool) -> None:
    """A plan whose composite is below its target says so with the numbers (and what meets it); one that meets it says nothing."""
    arch, findings = _ledger(availability, regions, decisions)
    plan = arch.availability
    assert plan is not None
    assert plan.target is not None
    assert (plan.composite < plan.target) == short
    stated = [f for f in findings if f.startswith("DES012")]
    assert bool(stated) == short, findings
    if short:
        assert f"composite {plan.composite:.3%}" in stated[0]
        assert f"{plan.target:.3%} target" in stated[0]
    if short and not decisions:
        second = next(f for f in arch.figures if f.key == "availability.second_region")
        assert second.value >= plan.target, "a second region with automatic failover is what meets the target"
        assert f"a second region with automatic failover gives {second.value:.4%}" in stated[0]


def test_availability_level_is_the_cheapest_that_meets_ok() -> None:
    """Where a level meets the target, the plan builds it: no level the numbers chose falls short."""
    for availability in ("99%", "99.5%", "99.9%", "99.95%"):
        arch, findings = _ledger(availability)
        assert arch.availability is not None
        assert arch.availability.composite >= (arch.availability.target or 0), availability
        assert not [f for f in findings if f.startswith("DES012")]


PRESENCE = """
system: messenger
scale: {{users: {users}, daily_active: {users}, concurrent_users: {online}}}
entities:
  User: {{fields: {{handle: {{type: string(30), unique: true}}, last_seen_at: timestamp?}}, rows: {users}, presence: true}}
  Note: {{fields: {{author: ref(User), body: text}}, growth: 100k/day}}
use_cases:
  - {{name: write note, writes: [Note], rate: 100k/day}}
  - {{name: get last seen, kind: get, reads: [User.last_seen_at], rate: 1M/day}}
"""


@pytest.mark.parametrize(
    ("users", "online", "per_session"),
    [pytest.param("2M", "200k", True, id="once-per-session"), pytest.param("100M", "10M", False, id="stretched-to-the-primary-share")],
)
def test_last_seen_writes_stay_within_the_primary_ok(users: str, online: str, per_session: bool) -> None:
    """Last seen reaches its table once per session, or less often so its writes stay within a share of one primary: never past it."""
    result = design_spec(spec_of(PRESENCE.format(users=users, online=online)))
    known = {f.key: f for f in result.architecture.figures}
    writes = known["presence.db_writes.user"]
    assert writes.value <= PRIMARY_WRITE_CEILING * writes.inputs["primary_share"] + 1e-6
    assert ("once per session" in writes.quantity) == per_session
    assert all(f.value <= 1 for k, f in known.items() if k.startswith("db.write_utilisation")), "no primary past its write ceiling"
    assert not [f for f in result.findings if f.code == "DES013"]


ALERTS = """
system: sensors
scale: {{users: 10k, daily_active: 1k}}
entities:
  Sensor: {{fields: {{name: string(80)}}, rows: 50k}}
  Sample: {{fields: {{sensor: ref(Sensor), value: decimal(12,4)}}, growth: 1B/day, retention: 7d}}
  Alarm: {{fields: {{sensor: ref(Sensor), value: decimal(12,4), state: "enum[open,closed]"}}, growth: 1k/day}}
use_cases:
  - {{name: record sample, actor: device, writes: [Sample], rate: 1B/day}}
  - {{name: check samples, actor: scheduler, schedule: every minute, reads: [{reads}], writes: [{writes}]}}
"""


@pytest.mark.parametrize(
    ("reads", "writes", "bound"),
    [
        pytest.param("Sample, Sensor", "Alarm", "growth", id="inserts-another-entity-at-its-growth"),
        pytest.param("Sample", "Sensor.name", "rows-once-a-run", id="updates-another-entity-once-a-row-a-run"),
        pytest.param("Sample", "Sample.value", "handled", id="writes-what-it-reads-one-a-row"),
    ],
)
def test_job_writes_no_more_than_it_can_ok(reads: str, writes: str, bound: str) -> None:
    """A job handling one entity's rows writes one row per row only when it writes them; another entity's rows are bounded by that entity."""
    result = design_spec(spec_of(ALERTS.format(reads=reads, writes=writes)))
    known = {f.key: f for f in result.architecture.figures}
    handled = known["job.rows_per_s.check-samples"].value
    written = sum(v for f in known.values() if f.key.startswith("db.writes.peak.") for k, v in f.inputs.items() if k.startswith("job_check-samples"))
    expected = {"growth": 1_000 / 86_400 * known["qps.peak.total"].inputs.get("peak_factor", 1.0), "rows-once-a-run": 50_000 / 30, "handled": handled}
    if bound == "growth":
        assert written < 1, "an alarm a reading is not what the job writes: the alarms grow 1k a day"
    else:
        assert written == pytest.approx(expected[bound], rel=0.01)
    assert written <= handled
    assert not [f for f in result.findings if f.code == "DES013" and "job_check-samples" in f.message]
