"""PAT007: large binaries in object storage, uploaded and served by URL, never through the database."""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, pattern
from backend_architect.design.patterns._common import avoided, decision, figures, fmt, owner_of, size
from backend_architect.design.traffic import BLOB_BYTES
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec

#: Days after which objects move to an infrequent-access tier (reads of old media fall off steeply).
COLD_AFTER_DAYS = 30


@pattern(code="PAT007", name="object-storage", stage="write_paths", title="Blobs in object storage, transferred by pre-signed URL")
def object_storage(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Any ``blob`` field: its content never enters the database (which keeps its key and
    metadata); clients upload and download by pre-signed URL, straight to the store.

    ## What it adds
    An S3-compatible bucket per system, lifecycle rules to an infrequent-access tier after
    30 days, a CDN in front of reads that anyone may see, and a placement per blob field.

    ## What it costs
    Object storage grows by ``rows/day x blob bytes`` (the ``bytes.<N>y.object_store``
    figures); egress is paid per byte unless a CDN serves it.

    ## Alternatives
    ``bytea`` columns (bloat the database, its backups and replicas; every byte passes the
    API); a shared file system (no HTTP access, harder to replicate and secure per object).

    ## References
    AWS S3 documentation, "Presigned URLs"; "Object lifecycle management".
    """
    blobs = [(name, field_name) for name, e in spec.entities.items() for field_name, f in e.fields.items() if f.type.kind == "blob"]
    if not blobs:
        return
    known = figures(arch)
    horizon = spec.scale.retention_years or 5.0
    stored = known.get(f"bytes.{horizon:g}y.object_store", 0.0)
    daily = sum(analysis.entities[e].rows_per_day * (spec.entities[e].fields[f].avg_bytes or BLOB_BYTES) for e, f in blobs)
    read = {e for u in analysis.use_cases if not u.is_write for e in u.entities}
    store = "S3-compatible object storage" if not avoided(spec, "s3") else "object storage"
    # downloads of media dominate egress: a CDN serves them near the reader (signed URLs keep private objects private)
    cdn = [e for e, _f in blobs if e in read]
    choice = (
        f"{store} for {', '.join(f'{e}.{f}' for e, f in blobs)}: clients upload and download by pre-signed URL, the database keeps the "
        f"object key and metadata; lifecycle moves objects to an infrequent-access tier after {COLD_AFTER_DAYS} days"
        + (f"; a CDN serves their downloads ({', '.join(cdn)}), with signed URLs for private objects" if cdn else "")
    )
    made = decision(
        "object-storage",
        "Object storage for large binaries",
        "storage",
        choice,
        f"{fmt(daily / 86_400)} B/s of new blobs ({size(daily)} a day); {size(stored)} after {horizon:g} years",
        "binaries stay out of the database, its backups and replicas; clients transfer directly, so the API never carries the bytes",
        alternatives=[
            ("bytea columns", f"{size(daily)} a day into the database, its WAL, backups and every replica"),
            ("a shared file system", "no HTTP access, harder to replicate and to secure per object"),
        ],
        consequences="Uploads are confirmed by the client after the PUT (or by the bucket's event); orphans (a key never confirmed) expire "
        "after a day by a lifecycle rule.",
        subject="blobs",
        inputs={"bytes_per_day": daily, "bytes_at_horizon": stored},
        spec=spec,
    )
    services = sorted({owner_of(arch, e) for e, _f in blobs})
    components = [Component(name="object-store", kind="object-store", technology=store, purpose="blob content", services=services, decision="object-storage")]
    if cdn:
        components.append(
            Component(
                name="cdn",
                kind="cdn",
                technology="a CDN in front of the bucket (signed URLs for private objects)",
                purpose=f"serves downloads of {', '.join(cdn)}",
                services=services,
                decision="object-storage",
            )
        )
    placements = tuple(
        Placement(
            data=f"{e}.{f}",
            data_class="blob",
            store=store,
            reason=f"{size(analysis.entities[e].rows_per_day * (spec.entities[e].fields[f].avg_bytes or BLOB_BYTES))} a day of binary content",
            retention=f"as long as its row; infrequent-access tier after {COLD_AFTER_DAYS} days",
        )
        for e, f in blobs
    )
    yield Applied(made, components=tuple(components), placements=placements)
