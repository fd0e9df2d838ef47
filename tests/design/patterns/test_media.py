"""PAT025: media uploads go straight to object storage, are processed by sized workers off a queue, and are served from a CDN."""

from __future__ import annotations

import pytest

from backend_architect.design.patterns.media import renditions
from backend_architect.rules.registry import DESIGN_RULES, review
from backend_architect.spec.model import MediaSpec
from design.helpers import design_of, table

SPEC = """\
system: tube
scale: {{rates: peak}}
entities:
  Video:
    fields:
      title: string(200)
      file: {{type: blob, avg_bytes: {size}, media: {media}}}
use_cases:
  - {{name: upload video, writes: [Video], rate: {rate}}}
  - {{name: watch video, kind: get, reads: [Video], rate: 100/s}}
"""


@pytest.mark.parametrize(
    ("media", "outputs", "seconds"),
    [
        pytest.param({"transcode": ["h264"], "renditions": ["1080p", "720p"]}, {"1080p": 100 * 5e6 / 8, "720p": 100 * 3e6 / 8}, 100.0, id="h264-ladder"),
        pytest.param({"transcode": ["vp9"], "renditions": ["1080p"]}, {"1080p": 100 * 5e6 * 0.65 / 8}, 100.0, id="vp9-saves-a-third"),
        pytest.param({"renditions": ["thumb", "large"]}, {"thumb": 10_000, "large": 200_000}, 0.0, id="images"),
    ],
)
def test_renditions_and_their_storage_ok(media: dict[str, list[str]], outputs: dict[str, float], seconds: float) -> None:
    """A 100 MB upload is 100 s of video at 8 Mbit/s; each rendition is duration x ladder bitrate x codec ratio; images have sizes."""
    found, duration = renditions(MediaSpec.model_validate(media), 100e6)
    assert duration == pytest.approx(seconds)
    assert {r.name: r.bytes for r in found} == pytest.approx(outputs)


@pytest.mark.parametrize(("rate", "workers"), [pytest.param("1/min", 2, id="minimum-two"), pytest.param("1/s", 78, id="sized-by-throughput")])
def test_pipeline_workers_queue_and_dead_letters_ok(rate: str, workers: int) -> None:
    """Workers = max(2, ceil(uploads/s x core-seconds / (8 x 70%))); a queue with a dead-letter queue; HLS/DASH through a CDN."""
    arch = design_of(SPEC.format(size="100MB", media="{transcode: [h264], renditions: [1080p, 720p]}", rate=rate))
    pool = next(c for c in arch.components if c.kind == "worker")
    assert pool.instances == workers  # 100 s x 3 core-s x (1 + 921,600 / 2,073,600 pixels) = 433 core-seconds an upload
    assert any(c.kind == "queue" and "dead-letter" in c.technology for c in arch.components)
    made = next(d for d in arch.decisions if d.id == "media.video.file")
    for words in ("pre-signed URL", "dead-letter queue", "HLS", "1080p"):
        assert words in made.choice


def test_upload_url_operation_status_column_and_renditions_table_ok() -> None:
    """POST /videos/uploads answers a pre-signed URL; the row gets a read-only file_status; outputs are rows of their own table."""
    arch = design_of(SPEC.format(size="5MB", media="{thumbnails: true}", rate="1/s"))
    op = next(o for a in arch.apis for o in a.operations if o.path == "/videos/uploads")
    assert (op.method, op.success_status, op.response_schema) == ("post", 201, "VideoUpload")
    status = next(c for c in table(arch, "videos").columns if c.name == "file_status")
    assert status.generated
    assert status.enum_values == ["pending", "processing", "ready", "failed"]
    assert table(arch, "videos_file_renditions").foreign_keys[0].ref_table == "videos"


@pytest.mark.parametrize(
    ("cloud", "queue"),
    [
        pytest.param("", "RabbitMQ quorum queues with a dead-letter exchange", id="no cloud"),
        pytest.param("constraints: {cloud: aws}\n", "Amazon SQS with a dead-letter queue", id="aws"),
        pytest.param("constraints: {cloud: gcp}\n", "Google Cloud Pub/Sub with a dead-letter topic", id="gcp"),
        pytest.param("constraints: {cloud: aws, avoid: [sqs]}\n", "RabbitMQ quorum queues with a dead-letter exchange", id="aws avoiding SQS"),
    ],
)
def test_work_queue_agrees_with_the_messaging_decision_ok(cloud: str, queue: str) -> None:
    """The job queue is the provider's managed queue or an open-source one; with no events the messaging record rejects nothing it runs."""
    arch = design_of(cloud + SPEC.format(size="5MB", media="{thumbnails: true}", rate="1/s"))
    assert next(c for c in arch.components if c.kind == "queue").technology == queue
    messaging = next(d for d in arch.decisions if d.id == "messaging")
    assert messaging.choice.startswith("not needed")
    assert "carry jobs, not events" in messaging.rationale
    assert [f.message for f in review(arch, DESIGN_RULES)] == []
