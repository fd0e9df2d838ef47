"""media: {compress: ...}: a compressed copy replaces each upload; the share it keeps sizes storage once, the bytes read size the workers."""

from __future__ import annotations

import math

import pytest

from backend_architect.design.media_compression import compression, stored_bytes
from backend_architect.rules.registry import DESIGN_RULES, review
from backend_architect.spec.model import FieldSpec
from design.helpers import design_of, table

SPEC = """\
system: files
scale: {{retention_years: 2}}
entities:
  Item:
    fields:
      title: string(100)
      upload: {{type: blob, avg_bytes: {size}, content_types: {types}, media: {media}}}
use_cases:
  - {{name: add item, writes: [Item], rate: {rate}}}
  - {{name: get item, kind: get, reads: [Item], rate: 50/s}}
"""


@pytest.mark.parametrize(
    ("types", "compress", "kept", "codec"),
    [
        pytest.param(["image/jpeg", "image/png"], True, 0.5, "webp", id="images-as-webp"),
        pytest.param(["application/pdf"], True, 0.8, "zstd", id="documents-lossless"),
        pytest.param(["video/mp4"], True, 0.6, "h264", id="video-re-encoded"),
        pytest.param(["audio/mpeg"], True, 0.5, "opus", id="audio-as-opus"),
        pytest.param(["image/jpeg", "application/pdf", "video/mp4"], True, 0.8, "by-type", id="mixed-keeps-the-largest-share"),
        pytest.param(["image/jpeg", "application/pdf"], 0.35, 0.35, "by-type", id="stated-share-wins"),
    ],
)
def test_share_kept_by_content_kind_ok(types: list[str], compress: bool | float, kept: float, codec: str) -> None:
    """Each kind keeps its documented share; a field of several kinds keeps the largest (storage planned for the worst mix); a number is the author's."""
    field = FieldSpec.model_validate({"type": "blob", "avg_bytes": 1_000_000, "content_types": types, "media": {"compress": compress}})
    found = compression("upload", field)
    assert found is not None
    assert (found.kept, found.codec, found.stated) == (kept, codec, not isinstance(compress, bool))
    assert stored_bytes("upload", field) == pytest.approx(1_000_000 * kept)


def test_no_compression_unless_asked_ok() -> None:
    """A media field without compress stores its uploads whole."""
    field = FieldSpec.model_validate({"type": "blob", "avg_bytes": 1000, "media": {"thumbnails": True}})
    assert compression("photo", field) is None
    assert stored_bytes("photo", field) == 1000


@pytest.mark.parametrize(
    ("size", "types", "media", "rate", "kept", "renditions", "codec"),
    [
        pytest.param("3MB", "[image/jpeg]", "{compress: true, renditions: [thumb, large]}", "2M/day", 0.5, 210_000, "webp", id="photos-resized-and-compressed"),
        pytest.param("100KB", "[image/jpeg, application/pdf, video/mp4]", "{compress: true}", "100M/day", 0.8, 0, "by-type", id="chat-files-mixed"),
        pytest.param("20MB", "[application/pdf]", "{compress: 0.6}", "10k/day", 0.6, 0, "zstd", id="scans-at-a-measured-share"),
    ],
)
def test_storage_saved_and_workers_follow_one_share_ok(size: str, types: str, media: str, rate: str, kept: float, renditions: float, codec: str) -> None:
    """The object store counts each original at the share kept, the media figures add the renditions and state the bytes saved, and the
    workers are sized from the bytes the compression reads; the decision says it, and the design reviews clean."""
    arch = design_of(SPEC.format(size=size, types=types, media=media, rate=rate))
    figures = {f.key: f for f in arch.figures}
    avg = figures["media.input_bytes.items.upload"].inputs["avg_bytes"]
    per_day = figures["media.bytes_saved_per_day.items.upload"].inputs["uploads_per_day"]
    assert figures["media.kept.items.upload"].value == kept
    assert figures["media.bytes_saved_per_day.items.upload"].value == pytest.approx(per_day * avg * (1 - kept))
    assert figures["media.rendition_bytes.items.upload"].value == pytest.approx(renditions)
    assert figures["media.bytes_per_day.items.upload"].value == pytest.approx(per_day * (avg * kept + renditions))
    store = figures["bytes.1y.object_store"]
    assert store.inputs["items_bytes_per_row"] == pytest.approx(avg * kept), "one share for the original, in the capacity figures too"
    peak = figures["media.input_bytes.items.upload"].inputs["peak_uploads"]
    core_seconds = figures["media.core_seconds.items.upload"]
    assert core_seconds.inputs["compressed"] > 0
    assert figures["media.workers.items.upload"].value == max(2, math.ceil(peak * core_seconds.value / (8 * 0.7)))
    made = next(d for d in arch.decisions if d.id == "media.item.upload")
    assert f"keeping {kept:.0%} of its bytes" in made.choice
    assert "a day saved" in made.choice
    assert any(c.name == "upload_status" for c in table(arch, "items").columns)
    workers = next(c for c in arch.components if c.name == "item-upload-workers")
    # the scaffold's worker reads its outputs from this clause: the copy is recorded under the codec named here
    assert workers.purpose.endswith(f"compress each original into a copy that replaces it ({codec})")
    assert [f.message for f in review(arch, DESIGN_RULES)] == []


@pytest.mark.parametrize(
    ("media", "assumed"), [pytest.param("{compress: true}", True, id="default-share-is-an-assumption"), pytest.param("{compress: 0.5}", False, id="stated")]
)
def test_default_share_is_stated_as_an_assumption_ok(media: str, assumed: bool) -> None:
    """A share the engine assumes is listed among the assumptions, with how to state a measured one; a stated share is not."""
    arch = design_of(SPEC.format(size="1MB", types="[application/pdf]", media=media, rate="1k/day"))
    notes = [a for a in arch.assumptions if "media.compress" in a]
    assert bool(notes) == assumed, arch.assumptions


def test_compressed_file_is_fetched_by_its_copy_ok() -> None:
    """The download URL of a compressed field serves the compressed copy by default; a rendition parameter picks another output."""
    arch = design_of(SPEC.format(size="3MB", types="[image/jpeg]", media="{compress: true, renditions: [thumb]}", rate="1k/day"))
    op = next(o for a in arch.apis for o in a.operations if o.path.endswith("/download-url"))
    rendition = next(p for p in op.parameters if p.name == "rendition")
    assert (rendition.enum, rendition.default) == (["compressed", "thumb"], "compressed")
    assert 409 in op.error_statuses
