"""Latest-value keys live as long as their rows: a key entity kept for a stated retention has keys that expire with it.

Without it Redis was sized for every row the horizon will ever have (a 90-day view history sized as ten years:
471 TB of resume positions in the eighth trial run's streaming design).
"""

from __future__ import annotations

import pytest

from backend_architect.design.patterns._common import fmt
from backend_architect.ir.model import Architecture, Figure
from design.formulas import recompute
from design.helpers import design_of

#: A position kept per view; views are kept for the stated retention (or the whole horizon when it is left out).
VIEWS = """\
system: streaming
scale: {{daily_active: 10M, retention_years: {years}, growth_per_year: 20%}}
entities:
  User: {{fields: {{name: string(80)}}}}
  Video: {{fields: {{title: string(200)}}, rows: 1M}}
  View:
    fields: {{user: ref(User), video: ref(Video), position_s: int}}
{retention}use_cases:
  - {{name: watch video, actor: user, writes: [View], rate: 100M/day}}
  - {{name: save progress, actor: user, writes: [View.position_s], rate: 1B/day, latest: true}}
  - {{name: resume video, actor: user, reads: [View], rate: 100M/day}}
"""
#: A courier's position in a GEO set: members of one set cannot expire one by one, whatever the retention.
COURIERS = """\
system: couriers
entities:
  Courier: {fields: {name: string(80), location: geo}, growth: 10k/day, retention: 30d}
use_cases:
  - {name: report location, actor: courier, writes: [Courier.location], rate: 20k/s, latest: true}
  - {name: find nearby couriers, actor: customer, reads: [Courier], near: Courier.location, radius: 3km, rate: 500/s}
"""


def _known(arch: Architecture) -> dict[str, Figure]:
    return {f.key: f for f in arch.figures}


@pytest.mark.parametrize(
    ("years", "retention", "kept_days"),
    [
        pytest.param(10, "    retention: 90d\n", 90.0, id="90 days of 10 years"),
        pytest.param(3, "    retention: 7d\n", 7.0, id="a week of 3 years"),
        pytest.param(2, "    retention: 1000d\n", None, id="retention past the horizon"),
        pytest.param(10, "", None, id="no retention"),
    ],
)
def test_keys_expire_with_their_rows_ok(years: int, retention: str, kept_days: float | None) -> None:
    """A retention shorter than the horizon sizes the keys as one retention's rows at the horizon's rate and sets EXPIRE NX on
    the first write (the mechanism, the placement and the decision's inputs say it); otherwise every row's key is counted."""
    arch = design_of(VIEWS.format(years=years, retention=retention))
    keys = _known(arch)["latest.keys.save-progress"]
    assert recompute(keys) == pytest.approx(keys.value, rel=1e-6)
    made = next(d for d in arch.decisions if d.id == "latest.save-progress")
    write = next(m for m in arch.mechanisms if m.use_case == "save progress" and m.serves == "write")
    placed = next(p for p in arch.placements if p.data == "views.latest")
    if kept_days is None:
        assert "no expiry" in keys.quantity
        assert "key_expiry_s" not in made.inputs
        assert "EXPIRE" not in write.how
        assert f"{fmt(keys.value)} keys at the horizon (none expires" in made.rationale
        return
    assert keys.inputs["retention_days"] == kept_days
    assert keys.value == pytest.approx(100e6 * 1.2**years * kept_days)
    assert made.inputs["key_expiry_s"] == kept_days * 86_400
    assert f"EXPIRE {kept_days * 86_400:.0f} NX" in write.how
    assert "expires" in placed.retention
    assert _known(arch)["latest.bytes.save-progress"].inputs["keys"] == pytest.approx(keys.value)


def test_geo_members_never_expire_one_by_one_ok() -> None:
    """A GEO set's members have no TTL of their own: its keys are every row at the horizon, retention or not."""
    arch = design_of(COURIERS)
    keys = _known(arch)["latest.keys.report-location"]
    assert "no expiry" in keys.quantity
    assert "retention_days" not in keys.inputs
