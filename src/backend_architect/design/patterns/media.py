"""PAT025: uploaded media processed before it is served: direct upload, a queue of work, workers, renditions, CDN delivery."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design.analysis import Analysis
from backend_architect.design.blob_contract import DEFAULT_BLOB_BYTES, MULTIPART_FROM, PART_BYTES, UPLOAD_URL_TTL_S, max_bytes
from backend_architect.design.data import constraint_name
from backend_architect.design.media_compression import Compression, compression
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._clouds import named
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, size, table_of, writers
from backend_architect.design.patterns._common import horizon as sizing_horizon
from backend_architect.design.patterns._playback import PLAYBACK_URL_TTL_S, is_video, playback_contract, read_shape
from backend_architect.design.patterns._uploads import download_operation, upload_operation
from backend_architect.ir.model import Architecture, Column, Figure, ForeignKey, Table, UniqueConstraint
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.identifiers import bounded_name
from backend_architect.spec.model import MediaSpec, Spec
from backend_architect.spec.naming import kebab, snake
from backend_architect.spec.units import DAYS_PER_YEAR, SECONDS_PER_DAY

#: Bitrate of an uploaded (mezzanine) video, to turn its size into a duration: 8 Mbit/s is a 1080p phone or camera upload.
SOURCE_BITS_PER_S = 8e6
#: Output bitrate per rendition for H.264 (a common adaptive-streaming ladder: Apple's HLS authoring spec and Netflix's published ladders).
LADDER_BITS_PER_S = {"2160p": 16e6, "4k": 16e6, "1440p": 10e6, "1080p": 5e6, "720p": 3e6, "480p": 1.5e6, "360p": 0.8e6, "240p": 0.4e6}
#: Frame size in pixels of each rendition (width x height, 16:9): encoding work grows with the pixels a frame holds.
FRAME_PIXELS = {
    "2160p": 3840 * 2160,
    "4k": 3840 * 2160,
    "1440p": 2560 * 1440,
    "1080p": 1920 * 1080,
    "720p": 1280 * 720,
    "480p": 854 * 480,
    "360p": 640 * 360,
    "240p": 426 * 240,
}
#: Bits an encoding needs relative to H.264 at the same quality, and its encoding cost in core-seconds per second of 1080p video.
CODECS = {"h264": (1.0, 3.0), "avc": (1.0, 3.0), "h265": (0.6, 15.0), "hevc": (0.6, 15.0), "vp9": (0.65, 12.0), "av1": (0.5, 40.0)}
#: Bytes of an image rendition by name, and the core-seconds one resize takes.
IMAGE_BYTES = {"thumb": 10_000, "thumbnail": 10_000, "small": 30_000, "medium": 80_000, "large": 200_000}
IMAGE_DEFAULT_BYTES = 50_000
#: The long side in pixels of an image rendition by name (the sizes a phone list, a card and a full screen show); others are 800 px.
IMAGE_SIDES = {"thumb": 160, "thumbnail": 160, "small": 320, "medium": 800, "large": 1600}
IMAGE_DEFAULT_SIDE = 800
#: The output that replaces the upload when the field is compressed (its bytes are the original's, stored at the share kept).
COMPRESSED = "compressed"
IMAGE_CORE_SECONDS = 0.05
#: Cores of one worker, and the share of them kept busy (headroom for bursts and retries).
WORKER_CORES = 8
UTILISATION = 0.7
#: Attempts before a job goes to the dead-letter queue.
ATTEMPTS = 3
#: Length of a segment of adaptive streaming.
SEGMENT_S = 4


@dataclass(frozen=True)
class Rendition:
    name: str
    codec: str
    bytes: float
    core_seconds: float


def renditions(media: MediaSpec, avg_bytes: float, squeezed: Compression | None = None) -> tuple[list[Rendition], float]:
    """Each output of one upload (every codec x resolution for video, each size for images, the compressed copy) and the video's duration in seconds."""
    copy = [Rendition(COMPRESSED, squeezed.codec, avg_bytes * squeezed.kept, avg_bytes / squeezed.bytes_per_core_s)] if squeezed else []
    if not is_video(media):
        names = list(media.renditions) + (["thumbnail"] if media.thumbnails and "thumbnail" not in media.renditions else [])
        # a field that only asks for compression gets no preview it did not ask for
        names = names or ([] if squeezed else ["thumbnail"])
        return [Rendition(n, "image", IMAGE_BYTES.get(n.lower(), IMAGE_DEFAULT_BYTES), IMAGE_CORE_SECONDS) for n in names] + copy, 0.0
    duration = avg_bytes * 8 / SOURCE_BITS_PER_S
    codecs = [c.lower() for c in media.transcode] or ["h264"]
    sizes = [r.lower() for r in media.renditions] or ["1080p", "720p", "480p"]
    found = []
    for codec in codecs:
        ratio, cost = CODECS.get(codec, (1.0, 3.0))
        for name in sizes:
            ladder = LADDER_BITS_PER_S.get(name, 3e6)
            # the frame's pixels relative to 1080p, as the formula says (an unnamed size counts as 720p, like its bitrate)
            pixels = FRAME_PIXELS.get(name, FRAME_PIXELS["720p"]) / FRAME_PIXELS["1080p"]
            # an encoding cannot add what the upload lacks: no rendition is stored at more bits than its source
            bits = min(ladder, SOURCE_BITS_PER_S)
            found.append(Rendition(name, codec, duration * bits * ratio / 8, duration * cost * pixels))
    if media.thumbnails:
        found.append(Rendition("thumbnail", "image", IMAGE_BYTES["thumbnail"], IMAGE_CORE_SECONDS))
    return found + copy, duration


@pattern(code="PAT025", name="media-pipeline", stage="access_paths", title="Upload media directly, process it asynchronously, serve it from a CDN")
def media_pipeline(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    A blob field says ``media``: ``transcode`` (codecs), ``renditions`` (resolutions such as
    1080p, or image sizes), ``thumbnails``. Uploads/s are the rate of the use cases creating
    the entity; the upload's size is the field's ``avg_bytes`` (a video's duration follows at
    an 8 Mbit/s source bitrate).

    ## What it adds
    ``POST .../uploads`` answering a pre-signed URL: the client puts the file in object
    storage itself (multipart above 100 MB), never through a service. The store's
    object-created notification queues a job; workers produce every rendition (codec x
    resolution for video, sizes for images) into object storage and record them in a
    renditions table; a job failing 3 times goes to a dead-letter queue; the row's
    ``<field>_status`` says pending, processing, ready or failed (the rows change after their
    create: the analysis calls them "processed", and every cache of them counts the workers'
    writes). A CDN serves the renditions: video as HLS/DASH (4 s segments per rendition, the
    player adapting the bitrate); ``GET {item}/playback`` authorizes as the item's own read and
    serves the use cases reading the video field (``reads: [Video.data]``).

    ## What it costs
    Core-seconds per upload = duration x sum over renditions of the codec's cost x pixels
    relative to 1080p (images: 0.05 s each); workers = ceil(uploads/s x core-seconds /
    (8 cores x 70%)); a rendition's bytes = duration x min(ladder bitrate, source bitrate) x
    the codec's ratio / 8; storage a day = uploads a day x (original + renditions).

    ## Alternatives
    Uploading through the service (every byte through an application instance); processing
    in the request (minutes of work inside an HTTP call); a managed transcoder (priced per
    output minute).

    ## References
    Apple, "HLS authoring specification for Apple devices"; Netflix technology blog,
    "Per-title encode optimization" (2015); AWS S3 documentation, pre-signed URLs and event
    notifications.
    """
    for entity, body in spec.entities.items():
        for field, definition in body.fields.items():
            if definition.media is None or definition.type.kind != "blob" or table_of(arch, entity) is None:
                continue
            yield _applied(spec, analysis, arch, entity, field, definition.media, float(definition.avg_bytes or DEFAULT_BLOB_BYTES))


def _applied(spec: Spec, analysis: Analysis, arch: Architecture, entity: str, field: str, media: MediaSpec, avg_bytes: float) -> Applied:
    found = table_of(arch, entity)
    assert found is not None
    store, table = found
    creators = writers(analysis, entity)
    avg = sum(u.avg_qps for u in creators) if creators else analysis.entities[entity].rows_per_day / SECONDS_PER_DAY
    peak = sum(u.peak_qps for u in creators) if creators else avg * analysis.peak_factor
    squeezed = compression(field, spec.entities[entity].fields[field])
    outputs, duration = renditions(media, avg_bytes, squeezed)
    core_seconds = sum(r.core_seconds for r in outputs)
    # the compressed copy is the stored original (capacity counts it so), not a rendition beside it
    output_bytes = sum(r.bytes for r in outputs if r.name != COMPRESSED)
    kept = squeezed.kept if squeezed else 1.0
    workers = max(2, math.ceil(peak * core_seconds / (WORKER_CORES * UTILISATION)))
    per_day = avg * SECONDS_PER_DAY * (avg_bytes * kept + output_bytes)
    uploads_per_day = avg * SECONDS_PER_DAY
    originals = uploads_per_day * avg_bytes
    video = is_video(media)
    subject = f"{entity}.{field}"
    scope = f"field {subject}"
    figures: tuple[Figure, ...] = (
        figure(
            f"media.uploads.{table.name}.{field}",
            f"uploads/s of {subject} at peak",
            peak,
            "uploads/s",
            "sum of the creating use cases' peaks" if creators else "rows_per_day / 86400 x peak_factor",
            {f"peak_{u.id}": u.peak_qps for u in creators}
            if creators
            else {"rows_per_day": analysis.entities[entity].rows_per_day, "peak_factor": analysis.peak_factor},
            scope,
        ),
        figure(
            f"media.core_seconds.{table.name}.{field}",
            f"processing per upload of {subject}",
            core_seconds,
            "core-seconds",
            "sum of each output's core-seconds (video: duration x codec cost x pixels / 1080p; an image: 0.05"
            + ("; the compressed copy: avg_bytes / bytes a core reads a second)" if squeezed else ")"),
            {_output_name(r): r.core_seconds for r in outputs},
            scope,
        ),
        figure(
            f"media.workers.{table.name}.{field}",
            f"processing workers for {subject}",
            workers,
            "workers",
            "max(2, ceil(peak x core_seconds / (cores x utilisation)))",
            {"peak": peak, "core_seconds": core_seconds, "cores": WORKER_CORES, "utilisation": UTILISATION},
            scope,
        ),
        figure(
            f"media.rendition_bytes.{table.name}.{field}",
            f"bytes of the renditions of one {subject}",
            output_bytes,
            "bytes",
            "sum of each output's bytes (video: duration x bitrate x codec ratio / 8)",
            {_output_name(r): r.bytes for r in outputs if r.name != COMPRESSED},
            scope,
        ),
        figure(
            f"media.originals_bytes_per_day.{table.name}.{field}",
            f"uploaded originals of {subject} a day (before processing)",
            avg * SECONDS_PER_DAY * avg_bytes,
            "bytes",
            "uploads_per_day x avg_bytes",
            {"uploads_per_day": avg * SECONDS_PER_DAY, "avg_bytes": avg_bytes},
            scope,
        ),
        figure(
            f"media.renditions_bytes_per_day.{table.name}.{field}",
            f"renditions made from {subject} a day",
            avg * SECONDS_PER_DAY * output_bytes,
            "bytes",
            "uploads_per_day x rendition_bytes",
            {"uploads_per_day": avg * SECONDS_PER_DAY, "rendition_bytes": output_bytes},
            scope,
        ),
        figure(
            f"media.bytes_per_day.{table.name}.{field}",
            f"object storage added a day by {subject} (original + renditions)",
            per_day,
            "bytes",
            "uploads_per_day x (avg_bytes x kept + rendition_bytes)" if squeezed else "uploads_per_day x (avg_bytes + rendition_bytes)",
            {"uploads_per_day": avg * SECONDS_PER_DAY, "avg_bytes": avg_bytes, "rendition_bytes": output_bytes} | ({"kept": kept} if squeezed else {}),
            scope,
        ),
    )
    if squeezed:
        figures += _compression_figures(table.name, field, subject, squeezed, peak, avg * SECONDS_PER_DAY, avg_bytes)
    horizon = sizing_horizon(spec)
    growth = spec.scale.growth_per_year or 0.0
    for years in sorted({1.0, horizon}):
        days = sum((1 + growth) ** y for y in range(math.ceil(years))) * DAYS_PER_YEAR if growth else years * DAYS_PER_YEAR
        figures += (
            figure(
                # a part of the object store's total (capacity adds it to bytes.<N>y.object_store)
                f"bytes.{years:g}y.object_store.renditions_{table.name}_{field}",
                f"renditions of {subject} after {years:g} year(s)",
                avg * SECONDS_PER_DAY * output_bytes * days,
                "bytes",
                "uploads_per_day x rendition_bytes x days",
                {"uploads_per_day": avg * SECONDS_PER_DAY, "rendition_bytes": output_bytes, "days": days},
                "object storage",
            ),
        )
    made_from = [r for r in outputs if r.name != COMPRESSED]
    names = sorted({r.name for r in made_from if r.codec != "image"}) if video else sorted({r.name for r in made_from})
    codecs = sorted({r.codec for r in made_from if r.codec != "image"})
    if video:
        work = f"transcode each video into {', '.join(codecs)} at {', '.join(names)} ({len([r for r in made_from if r.codec != 'image'])} renditions)"
    elif names:
        work = f"resize and compress each image into {', '.join(names)}"
    else:
        work = "compress each upload"
    # the scaffold's worker reads the outputs from this purpose: the compressed copy is its own clause, after the renditions
    clause = f"compress each original into a copy that replaces it ({squeezed.codec})" if squeezed else ""
    purpose = "; ".join(p for p in (work if made_from or video else "", clause) if p)
    delivery = (
        f"a CDN serves them as HLS and DASH ({SEGMENT_S} s segments per rendition; the player switches bitrate as the connection allows); "
        f"GET .../playback?codec=&resolution=&offset= selects renditions and answers signed HLS and DASH manifest URLs and each rendition's "
        f"playlist URL, valid {PLAYBACK_URL_TTL_S // 3600} h (409 while processing), never the original's object key"
        if video
        else "a CDN serves them under content-hashed keys (Cache-Control immutable)"
    )
    limit = max_bytes(spec.entities[entity].fields[field])
    # multipart only where the field's own limit lets an upload be that large (one limit, the contract's)
    parts = (
        f", multipart above {MULTIPART_FROM // 1_000_000} MB: the answer then carries a pre-signed URL per "
        f"{PART_BYTES // 1_000_000} MB part and a completion URL"
        if limit > MULTIPART_FROM
        else ""
    )
    sizes = "" if video or not names else " (long side " + ", ".join(f"{n} {IMAGE_SIDES.get(n.lower(), IMAGE_DEFAULT_SIDE)} px" for n in names) + ")"
    squeeze = (
        f"{'; each upload is also compressed' if made_from else ''} ({squeezed.method}) into a copy that replaces the original, "
        f"keeping {kept:.0%} of its bytes "
        f"({'stated by the spec' if squeezed.stated else 'assumed'}): {size(avg_bytes * (1 - kept) * avg * SECONDS_PER_DAY)} a day saved"
        if squeezed
        else ""
    )
    choice = (
        f"direct upload to object storage by a pre-signed URL from POST .../uploads (valid {UPLOAD_URL_TTL_S // 60} min, at most "
        f"{size(limit)}{parts}); the storage's object-created notification queues a job; {workers} workers {work}{sizes}{squeeze}, "
        f"recorded in {renditions_name(table.name, field)}, with {status_name(field)} on the row; "
        f"after {ATTEMPTS} failed attempts a job goes to a dead-letter queue; {delivery}"
    )
    rationale = (
        f"{fmt(avg * SECONDS_PER_DAY)} uploads a day ({fmt(peak)}/s at peak) of {size(avg_bytes)} each"
        + (f" (about {duration:,.0f} s of video at {SOURCE_BITS_PER_S / 1e6:g} Mbit/s)" if video else "")
        + (f"; compression reads {size(peak * avg_bytes)}/s at peak, {size(squeezed.bytes_per_core_s)}/s per core" if squeezed else "")
        + f"; {core_seconds:,.1f} core-seconds an upload: {fmt(peak * core_seconds)} cores busy at peak, {workers} workers of {WORKER_CORES} cores at "
        f"{UTILISATION:.0%}; renditions add {size(output_bytes)} an upload, {size(per_day)} a day with the originals"
        + (f" (stored at {kept:.0%} of their size)" if squeezed else "")
    )
    made = decision(
        f"media.{snake(entity)}.{field}",
        f"Media pipeline for {subject}",
        "read paths",
        choice,
        f"{subject}: media {', '.join(media.transcode + media.renditions + ([COMPRESSED] if squeezed else [])) or 'thumbnails'}; "
        f"{fmt(peak)} uploads/s at peak, {size(avg_bytes)} each",
        rationale,
        alternatives=[
            ("upload through the service", f"{size(peak * avg_bytes)}/s at peak through application instances that only relay bytes"),
            ("process in the request", f"{core_seconds:,.1f} core-seconds inside an HTTP call: timeouts, and no retry without a re-upload"),
            (
                "a managed transcoder (MediaConvert, Transcoder API)" if video else "an image service resizing on request (imgix, Cloudinary)",
                f"priced per {'output minute' if video else 'image served'}; an option when the team should not run workers",
            ),
        ],
        consequences=(
            f"A job is idempotent by object key (a retried job overwrites the same outputs). The dead-letter queue is watched: a failed "
            f"{entity} stays '{status_name(field)} = failed' and is reprocessed by hand. "
            "The originals stay private; only renditions are public through the CDN."
        ),
        subject=subject,
        inputs={"peak_uploads": peak, "core_seconds": core_seconds, "workers": float(workers), "rendition_bytes": output_bytes}
        | ({"kept": kept} if squeezed else {}),
        decided_by="spec",
        spec=spec,
    )
    service = owner_of(arch, entity)
    prefix = f"{kebab(entity)}-{kebab(field)}"
    components = (
        Component(
            name="object-storage",
            kind="object-store",
            technology="S3-compatible object storage",
            purpose=f"uploads and renditions of {subject}",
            services=[service],
            # the workers read each upload and write its renditions; the CDN serves them from it (its origin)
            parts=[f"{prefix}-workers", "cdn"],
            use_cases=[u.name for u in creators],
            decision=made.id,
        ),
        Component(
            name=f"{prefix}-queue",
            kind="queue",
            technology=named(spec, "work-queue"),
            purpose=f"processing jobs for {subject}; {ATTEMPTS} attempts, then the dead-letter queue",
            services=[service],
            decision=made.id,
        ),
        Component(
            name=f"{prefix}-workers",
            kind="worker",
            technology="FFmpeg workers" if video else ("image workers (libvips)" if names else "compression workers"),
            purpose=purpose,
            services=[service],
            instances=workers,
            decision=made.id,
        ),
        Component(
            name="cdn",
            kind="cdn",
            technology="a CDN",
            purpose=f"serves the renditions of {subject}" + (" (HLS/DASH)" if video else ""),
            services=[service],
            decision=made.id,
        ),
    )
    placement = Placement(
        data=f"{table.name}.{field}",
        data_class="blob",
        store="object storage (original private, renditions behind the CDN)",
        reason=f"{size(avg_bytes)} an upload, {size(originals)} a day of originals ({fmt(uploads_per_day)} uploads x {size(avg_bytes)}), "
        f"{size(per_day)} a day with the {len(outputs)} outputs made from them: files, not rows",
        retention="as long as the row",
    )
    status = Column(
        name=status_name(field),
        type="varchar",
        length=10,
        enum_values=["pending", "processing", "ready", "failed"],
        default="'pending'",
        avg_bytes=8,
        generated=True,
        comment=f"processing state of {field}, set by the media workers",
    )
    with_status = table.model_copy(update={"columns": [*[c for c in table.columns if c.name != status.name], status]})
    tables = ((store, with_status), (store, _renditions_table(entity, table, field, outputs, avg)))
    operations, schemas = upload_operation(spec, arch, service, entity, field, "Processing starts when the file arrives.")
    if video:
        # a video is played through its renditions: the playback contract selects them, and the item no longer shows the original's key
        rates = {(r.name, r.codec): r.bytes * 8 / duration for r in made_from if r.codec != "image" and duration}
        played, shapes = playback_contract(spec, arch, service, entity, field, codecs, names, rates)
        api = next((a for a in arch.apis if a.service == service), None)
        shape = read_shape(api.schemas, entity, field) if api and played else None
        operations += played
        schemas += shapes + (((service, shape),) if shape else ())
    else:
        # an image or a file is fetched by a signed URL, as every blob is; the rendition picks what the workers made of it
        picks = ((COMPRESSED,) if squeezed else ("original",)) + tuple(names)
        fetched, shapes = download_operation(spec, arch, service, entity, field, "the CDN", picks)
        operations += fetched
        schemas += shapes
    assumed = (
        (f"entities.{entity}.fields.{field}.media.compress: true; {kept:g} of each upload's bytes kept ({squeezed.method}; the largest share "
         f"among its kinds: {', '.join(squeezed.kinds)}); state the share you measure, e.g. compress: {max(0.1, kept - 0.3):g}",)
        if squeezed and not squeezed.stated
        else ()
    )  # fmt: skip
    return Applied(
        made, components=components, figures=figures, placements=(placement,), tables=tables, operations=operations, schemas=schemas, assumptions=assumed
    )


def _compression_figures(table: str, field: str, subject: str, squeezed: Compression, peak: float, per_day: float, avg_bytes: float) -> tuple[Figure, ...]:
    """What compressing a field's uploads reads and saves: the input bytes/s at peak, the share kept, the bytes saved a day."""
    scope = f"field {subject}"
    return (
        figure(
            f"media.input_bytes.{table}.{field}",
            f"bytes/s the compression of {subject} reads at peak",
            peak * avg_bytes,
            "bytes/s",
            "peak_uploads x avg_bytes",
            {"peak_uploads": peak, "avg_bytes": avg_bytes},
            scope,
        ),
        figure(
            f"media.kept.{table}.{field}",
            f"share of {subject}'s bytes its compressed copy keeps ({'stated' if squeezed.stated else 'assumed'})",
            squeezed.kept,
            "ratio",
            "stated by the spec (media.compress)" if squeezed.stated else "the largest share kept among the field's content kinds",
            {"kept": squeezed.kept},
            scope,
        ),
        figure(
            f"media.bytes_saved_per_day.{table}.{field}",
            f"object storage saved a day by compressing {subject}",
            per_day * avg_bytes * (1 - squeezed.kept),
            "bytes",
            "uploads_per_day x avg_bytes x (1 - kept)",
            {"uploads_per_day": per_day, "avg_bytes": avg_bytes, "kept": squeezed.kept},
            scope,
        ),
    )


def _output_name(output: Rendition) -> str:
    return output.name if output.codec == "image" or output.name == COMPRESSED else f"{output.name}_{output.codec}"


def renditions_name(table: str, field: str) -> str:
    """``<table>_<field>_renditions``, bounded to 63 bytes with a stable hash (a name the design makes up)."""
    return bounded_name(f"{table}_{field}_renditions")


def status_name(field: str) -> str:
    """``<field>_status``, bounded to 63 bytes with a stable hash (a column the design makes up)."""
    return bounded_name(f"{field}_status")


def _renditions_table(entity: str, parent: Table, field: str, outputs: list[Rendition], uploads_per_s: float) -> Table:
    name = renditions_name(parent.name, field)
    key = parent.columns[0]
    owner = bounded_name(f"{snake(entity)}_id")  # made up by the design: bounded with a stable hash
    return Table(
        name=name,
        comment=f"one row per processed output of {parent.name}.{field}: where it is and how big",
        columns=[
            Column(name="id", type="bigint", identity=True, avg_bytes=8),
            Column(name=owner, type=key.type, avg_bytes=key.avg_bytes),
            Column(name="rendition", type="varchar", length=20, avg_bytes=8),
            Column(name="codec", type="varchar", length=10, avg_bytes=6),
            Column(name="object_key", type="varchar", length=1024, avg_bytes=64, comment="object-store key of the output"),
            Column(name="bytes", type="bigint", avg_bytes=8),
            Column(name="created_at", type="timestamptz", default="CURRENT_TIMESTAMP", avg_bytes=8),
        ],
        primary_key=["id"],
        foreign_keys=[
            ForeignKey(
                name=constraint_name("fk", name, [owner]),
                columns=[owner],
                ref_table=parent.name,
                ref_columns=["id"],
                on_delete="cascade",
                relation=snake(entity),
            )
        ],
        uniques=[
            UniqueConstraint(
                name=constraint_name("uq", name, [owner, "rendition", "codec"]),
                columns=[owner, "rendition", "codec"],
                reason="one output per rendition and codec (a retried job overwrites it)",
            )
        ],
        indexes=[],
        key_strategy="identity",
        key_reason="outputs are found through their parent, never by id in a URL",
        rows_now=parent.rows_now * len(outputs),
        rows_per_day=uploads_per_s * SECONDS_PER_DAY * len(outputs),
        retention_days=parent.retention_days,
    )


__all__ = ["Rendition", "media_pipeline", "renditions"]
