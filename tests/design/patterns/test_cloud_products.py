"""PAT051 names one product per part: a column store is the managed offering of the engine its own record chose on that cloud."""

from __future__ import annotations

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns._clouds import MANAGED
from backend_architect.ir.model import Architecture
from backend_architect.spec.load import load_spec_bytes

#: Ad clicks recorded for analytics at 5M a day: a column store takes them (PAT054).
CLICKS = """\
system: ads
scale: {retention_years: 1}
constraints: {cloud: CLOUD}
entities:
  Campaign: {fields: {name: string(80)}, rows: 100k}
  Click:
    append_only: true
    analytics: true
    fields: {campaign: ref(Campaign), url: string(200)}
use_cases:
  - {name: record click, actor: browser, kind: create, writes: [Click], rate: 5M/day}
"""


def _design(cloud: str, pin: str) -> Architecture:
    text = CLICKS.replace("CLOUD", cloud) + (f"decisions:\n  analytics: {{choose: {pin}, reason: the analysts know it}}\n" if pin else "")
    return design_spec(load_spec_bytes(text.encode(), "ads.yaml")).architecture


@pytest.mark.parametrize(
    ("cloud", "pin", "product"),
    [
        pytest.param("aws", "", "ClickHouse Cloud on AWS", id="aws-clickhouse"),
        pytest.param("gcp", "", "ClickHouse Cloud on Google Cloud", id="gcp-clickhouse"),
        pytest.param("azure", "Snowflake", "Snowflake on Azure", id="azure-snowflake"),
        pytest.param("gcp", "BigQuery", "BigQuery", id="gcp-its-own-warehouse"),
        pytest.param("aws", "Apache Druid", "Apache Druid", id="aws-engine-without-an-offering"),
    ],
)
def test_cloud_record_names_the_column_store_the_analytics_record_runs_ok(cloud: str, pin: str, product: str) -> None:
    """The cloud record's warehouse is the analytics engine's offering on the provider, never the provider's other warehouse."""
    arch = _design(cloud, pin)
    (store,) = [c for c in arch.components if c.kind == "warehouse"]
    analytics = next(d for d in arch.decisions if d.id == "analytics")
    assert analytics.choice.startswith(store.technology)
    rows = [r for d in arch.decisions if d.id == "cloud" for r in d.choice.split("; ") if r.startswith("warehouse:")]
    assert rows == [f"warehouse: {product}"]
    if product != MANAGED[cloud]["warehouse"]:
        assert MANAGED[cloud]["warehouse"] not in " ".join(d.choice for d in arch.decisions)


def test_no_cloud_record_without_a_catalogued_provider_ok() -> None:
    """On a provider the catalogue does not know, no record names a managed warehouse: the engine is run as chosen."""
    arch = _design("hetzner", "")
    assert not [d for d in arch.decisions if d.id == "cloud"]
    assert [c.technology for c in arch.components if c.kind == "warehouse"] == ["ClickHouse"]
