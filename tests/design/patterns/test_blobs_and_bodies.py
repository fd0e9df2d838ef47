"""PAT040 and PAT041: blobs and large bodies in object storage, with the CDN and lifecycle thresholds, and no copy left in the DDL."""

from __future__ import annotations

import re

import pytest

from backend_architect.api import design_spec
from backend_architect.design.patterns._stores import HOT_STORE_BYTES
from backend_architect.design.patterns.blobs import CDN_MIN_EGRESS_BYTES, LIFECYCLE_MIN_BYTES
from design.helpers import design_of, spec_of, table

PHOTOS = """\
system: photos
team: {size: 3}
scale: {retention_years: 1}
entities:
  Photo:
    fields: {title: string(100), image: {type: blob, avg_bytes: %(bytes)d}}
    growth: %(growth)s
use_cases:
  - {name: upload photo, actor: user, writes: [Photo]}
  - {name: view photo, actor: visitor, auth: %(auth)s, kind: get, reads: [Photo], rate: %(rate)s}
"""


def _object_storage(text: str) -> str:
    arch = design_of(text)
    return next(d.choice for d in arch.decisions if d.id == "object-storage")


@pytest.mark.parametrize(
    ("bytes", "rate", "auth", "growth", "cdn"),
    [
        pytest.param(10_000, "199/s", "none", "1/day", False, id="public-reads-just-below"),
        pytest.param(10_000, "200/s", "none", "1/day", True, id="public-reads-at-the-threshold"),
        pytest.param(10_000, "300/s", "required", "1/day", False, id="private-reads-below-egress"),
        pytest.param(1_000_000, "9.9/s", "required", "1/day", False, id="read-egress-just-below"),
        pytest.param(1_000_000, "10.1/s", "required", "1/day", True, id="read-egress-just-above"),
        pytest.param(1_000_000, "0.001/s", "required", f"{CDN_MIN_EGRESS_BYTES * 86400 / 1e6 * 0.99:.0f}/day", False, id="upload-egress-just-below"),
        pytest.param(1_000_000, "0.001/s", "required", f"{CDN_MIN_EGRESS_BYTES * 86400 / 1e6 * 1.01:.0f}/day", True, id="upload-egress-just-above"),
    ],
)
def test_cdn_from_public_reads_or_egress_ok(bytes: int, rate: str, auth: str, growth: str, cdn: bool) -> None:
    """A CDN fronts blob downloads from 200 public reads/s, or from 10 MB/s of egress (every upload is read once); not before."""
    rate_s = float(rate.removesuffix("/s")) / 3  # rates are averages; the pattern reads peaks (x3)
    text = PHOTOS % {"bytes": bytes, "growth": growth, "auth": auth, "rate": f"{rate_s:.6f}/s"}
    choice = _object_storage(text)
    assert ("through a CDN" in choice) is cdn, choice
    assert "pre-signed URL" in choice
    assert "metadata record" in choice


@pytest.mark.parametrize("factor", [0.9, 1.1], ids=["below", "above"])
def test_lifecycle_rules_past_a_terabyte_ok(factor: float) -> None:
    """Lifecycle rules to colder tiers appear once the stored content reaches 1 TB at the horizon."""
    per_day = LIFECYCLE_MIN_BYTES * factor / 1_000_000 / 365
    choice = _object_storage(PHOTOS % {"bytes": 1_000_000, "growth": f"{per_day:.0f}/day", "auth": "required", "rate": "1/s"})
    assert ("lifecycle rules" in choice) is (factor > 1)


def test_blob_column_holds_a_key_in_the_ddl_ok() -> None:
    """The DDL keeps the object key, never the content, and the placement names object storage."""
    result = design_spec(spec_of(PHOTOS % {"bytes": 1_000_000, "growth": "1k/day", "auth": "required", "rate": "1/s"}))
    image = next(c for c in table(result.architecture, "photos").columns if c.name == "image")
    assert (image.type, image.length) == ("varchar", 1024)
    photos = re.search(r"CREATE TABLE photos.photos \((.*?)\n\);", result.files["schema/photos.postgresql.sql"], re.DOTALL)
    assert photos is not None
    assert "bytea" not in photos.group(1).lower()  # the idempotency keys keep answers as bytes, not photos
    placed = next(p for p in result.architecture.placements if p.data == "photos.image")
    assert placed.data_class == "blob"
    assert placed.component == "object-storage"


def test_cloud_names_the_object_store_and_avoid_is_honoured_ok() -> None:
    """On AWS the blobs go to Amazon S3 behind CloudFront; avoiding S3 falls back to the next store."""
    base = PHOTOS % {"bytes": 1_000_000, "growth": "1/day", "auth": "none", "rate": "100/s"}
    aws = _object_storage(base + "constraints: {cloud: aws}\n")
    assert "Amazon S3" in aws
    assert "Amazon CloudFront" in aws
    avoided = design_of(base + "constraints: {avoid: [S3]}\n")
    made = next(d for d in avoided.decisions if d.id == "object-storage")
    assert "MinIO" in made.choice
    assert "S3" not in made.choice


DOCS = """\
system: crawler
team: {size: 3}
scale: {retention_years: 5}
entities:
  Page:
    fields:
      url: {type: url, unique: true}
      fetched_at: datetime
      body: {type: text, avg_bytes: %(bytes)d}
    growth: %(growth)s
use_cases:
  - {name: store page, actor: fetcher, writes: [Page]}
  - {name: get page, actor: user, kind: get, reads: [Page]}
  %(extra)s
"""


@pytest.mark.parametrize(
    ("bytes", "growth", "extra", "moved"),
    [
        pytest.param(32_000, "10M/day", "", True, id="large-body-past-the-hot-store"),
        pytest.param(31_999, "10M/day", "", False, id="body-just-under-the-size"),
        pytest.param(32_000, f"{HOT_STORE_BYTES / 33_000 / 1825 * 0.8:.0f}/day", "", False, id="table-within-the-hot-store"),
        pytest.param(32_000, "10M/day", "- {name: find pages, actor: user, reads: [Page], filter: [body]}", False, id="filtered-body-stays"),
    ],
)
def test_large_bodies_move_only_past_the_thresholds_ok(bytes: int, growth: str, extra: str, moved: bool) -> None:
    """A body of 32 KB or more moves to object storage when its table outgrows the hot store and no query compares it."""
    result = design_spec(spec_of(DOCS % {"bytes": bytes, "growth": growth, "extra": extra}))
    arch = result.architecture
    body = next(c for c in table(arch, "pages").columns if c.source_field == "body")
    assert (body.type == "varchar") is moved
    assert any(p.data == "pages.body" and p.store.startswith("S3") for p in arch.placements) is moved
    if moved:
        figures = {f.key: f.value for f in arch.figures}
        assert figures["bytes.5y.pages"] < 10e12 < 500e12 < figures["bytes.5y.object_store"]
        ddl = next(t for p, t in result.files.items() if p.endswith(".postgresql.sql"))
        assert "CHECK (char_length(body) <= 1024)" in ddl
        assert "the body lives in object storage" in ddl
    else:
        assert any(n.pattern == "PAT041" and n.subject == "pages.body" for n in arch.pattern_notes) or bytes < 32_000
