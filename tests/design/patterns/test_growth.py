"""PAT052: stages built now only when today's figure passes their threshold; later ones name the figure and when it will pass."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._common import PRIMARY_READ_CEILING, READ_HEADROOM
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import GrowthStage
from design.helpers import design_of

READS = """\
system: catalog
team: {size: 3}
scale: {rates: peak, %(growth)s}
entities:
  Product: {fields: {name: string(80)}, rows: 100k}
use_cases:
  - {name: view product, actor: customer, kind: get, reads: [Product], rate: %(rate)s}
  - {name: reprice product, actor: admin, kind: update, writes: [Product], rate: 1/s}
"""


def stage(arch: Architecture, name: str) -> GrowthStage:
    found = next((s for s in arch.stages if s.name == name), None)
    assert found is not None, [s.name for s in arch.stages]
    return found


PLANNED = PRIMARY_READ_CEILING * READ_HEADROOM


@pytest.mark.parametrize(
    ("rate", "growth", "now", "when"),
    [
        # the reprice's read of its row (1/s) makes the last read of the headroom
        pytest.param(PLANNED - 1, "", False, "at the threshold", id="at-the-headroom-one-node-still"),
        pytest.param(PLANNED + 1, "", True, "now", id="just-past-the-headroom"),
        pytest.param(PRIMARY_READ_CEILING * 0.8, "growth_per_year: 10%", True, "now", id="80-percent-of-the-node-is-now-not-in-years"),
        pytest.param(PLANNED / 4, "growth_per_year: 100%", False, "in about 2.0 years", id="dated-by-growth"),
        pytest.param(PLANNED / 4, "", False, "when it grows 4.0x", id="multiple-without-growth"),
    ],
)
def test_read_replicas_stage_by_peak_reads_ok(rate: float, growth: str, now: bool, when: str) -> None:
    """Read replicas are built now once the reads reaching the database pass 70% of one node's 20,000/s (stated); otherwise the stage says when."""
    arch = design_of(READS % {"rate": f"{rate:g}/s", "growth": growth})
    replicas = stage(arch, "read replicas")
    assert replicas.now is now
    assert replicas.figure == "db.read_utilisation"
    assert when in replicas.trigger or (now and replicas.trigger.endswith("now"))
    assert "pass 70% of one node's 20,000/s = 14,000/s" in replicas.trigger
    built = next(f for f in arch.figures if f.key == "db.read_replicas")
    assert (built.value > 0) is now, "the stage and the replica figure say the same"
    first = arch.stages[0]
    assert first.name == "one primary, scaled up"
    assert first.now
    assert [s.order for s in arch.stages] == sorted(s.order for s in arch.stages)


def test_read_replicas_stage_counts_reads_after_caches_ok() -> None:
    """A public read the CDN absorbs does not make replicas now, however many requests it serves."""
    public = READS.replace("actor: customer,", "actor: visitor, auth: none,") % {"rate": f"{PRIMARY_READ_CEILING * 3:g}/s", "growth": ""}
    replicas = stage(design_of(public), "read replicas")
    assert not replicas.now
    assert "less what caches absorb" in replicas.trigger
    assert "60,000/s requested" in replicas.trigger


MESSAGES = """\
system: chat
team: {size: 3}
scale: {retention_years: 5, rates: peak}
entities:
  Channel: {fields: {name: string(80)}, rows: 1M}
  Message:
    part_of: Channel
    fields: {author: string(40), content: text}
    growth: %(growth)s
use_cases:
  - {name: send message, actor: user, writes: [Message], rate: 100/s}
  - {name: read channel, actor: user, reads: [Message], filter: [channel], sort: [-created_at], page: cursor, rate: 100/s}
"""


def test_partitioning_triggers_when_data_leaves_ram_ok() -> None:
    """A growing, looked-up table's partitioning stage is built now (the DDL declares the partitions) and names the rows at which
    its data and indexes no longer fit in RAM, when the partitions pay off."""
    arch = design_of(MESSAGES % {"growth": "120M/day"})
    parts = stage(arch, "partitioning")
    assert parts.now
    assert "no longer fit in RAM" in parts.trigger
    assert "messages: declared now; pays off at" in parts.trigger
    shards = stage(arch, "sharding")
    assert any("hot partition" in a and "coalesce identical reads" in a for a in shards.adds)
    made = next(d for d in arch.decisions if d.id == "growth")
    assert "scale up" in made.choice
    assert "hot partition" in made.consequences


def test_small_system_builds_one_primary_only_ok() -> None:
    """At small numbers only the first stage is built now; the decision lists the rest as later, each with its trigger."""
    arch = design_of(MESSAGES % {"growth": "1k/day"})
    assert [s.name for s in arch.stages if s.now] == ["one primary, scaled up"]
    assert all(s.name not in {"partitioning", "sharding"} for s in arch.stages)
    made = next(d for d in arch.decisions if d.id == "growth")
    assert "later: 2. read replicas" in made.choice
