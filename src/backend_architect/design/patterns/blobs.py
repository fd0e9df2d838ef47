"""PAT040: blobs live in object storage: uploaded by pre-signed URL, a metadata row in the database, a CDN in front of reads, colder tiers with age."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.design import blob_contract
from backend_architect.design.analysis import Analysis
from backend_architect.design.capacity import BLOB_CONTENT_BYTES
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import named, others
from backend_architect.design.patterns._common import decision, figure, fmt, owner_of, size
from backend_architect.design.patterns._stores import NO_READERS, horizon, reader_index
from backend_architect.design.patterns._uploads import described, download_operation, upload_operation
from backend_architect.design.patterns.caching import CDN_MIN_READ_QPS
from backend_architect.ir.model import ApiSchema, Architecture, Figure, Operation
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec
from backend_architect.spec.units import SECONDS_PER_DAY

#: Blob downloads past this many bytes/s (about 26 TB a month) go through a CDN: edge caches take the load
#: off the object store and CDN egress is priced below object-store egress at that volume.
CDN_MIN_EGRESS_BYTES = 10e6
#: Past this much stored content, lifecycle rules to colder tiers pay for themselves.
LIFECYCLE_MIN_BYTES = 1e12
#: Objects move to the infrequent-access tier after 30 days (its minimum storage duration) and to archive after 90.
COLDER_AFTER_DAYS = (30, 90)


@dataclass(frozen=True)
class _Blob:
    subject: str
    table: str
    entity: str
    avg_bytes: float
    uploads_per_s: float
    downloads_per_s: float
    public: bool

    @property
    def egress(self) -> float:
        """Bytes/s read: each read of a row fetches its blob at most once, and every blob is read at least once."""
        return max(self.downloads_per_s * self.avg_bytes, self.uploads_per_s * self.avg_bytes)


def _blobs(spec: Spec, analysis: Analysis, arch: Architecture) -> list[_Blob]:
    found = []
    index = reader_index(analysis)
    for store in arch.datastores:
        for table in store.tables:
            if table.entity is None or table.entity not in spec.entities:
                continue
            for name, field in spec.entities[table.entity].fields.items():
                if field.type.kind != "blob":
                    continue
                lookups = [u for u in index.get(table.entity, NO_READERS).lookups if u.entity == table.entity and not u.is_write]
                found.append(
                    _Blob(
                        subject=f"{table.name}.{name}",
                        table=table.name,
                        entity=table.entity,
                        avg_bytes=float(field.avg_bytes or BLOB_CONTENT_BYTES),
                        uploads_per_s=table.rows_per_day / SECONDS_PER_DAY * field.set_share,
                        downloads_per_s=sum(u.peak_qps for u in lookups),
                        public=any(u.spec.auth == "none" for u in lookups),
                    )
                )
    return found


@pattern(code="PAT040", name="blobs-in-object-storage", stage="placement", title="Keep blobs in object storage, behind pre-signed URLs and a CDN")
def blobs_in_object_storage(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every ``blob`` field. A CDN goes in front when reads are public at ``CDN_MIN_READ_QPS``
    (200/s) or more, or blob egress reaches ``CDN_MIN_EGRESS_BYTES`` (10 MB/s; egress is at least
    the upload volume, since every object is read once). Lifecycle rules to colder tiers when the
    stored content reaches ``LIFECYCLE_MIN_BYTES`` (1 TB) at the horizon.

    ## What it adds
    An object store and the contract that carries it out (``design.blob_contract``):
    ``POST {collection}/uploads`` answers a pre-signed PUT URL valid 15 minutes, bound to the
    declared content type (the allowed list) and size (the maximum); the client puts the file
    straight to the store, then creates the row with the issued object key, which confirms the
    upload (the object must exist within the signed bounds, else 422); the row keeps the key,
    size, content type and SHA-256. ``GET {item}/download-url`` answers a signed GET URL valid
    5 minutes, through the CDN when there is one, after the item's own authorization. Uploads
    nobody confirmed expire after a day; lifecycle rules move objects to the infrequent-access
    tier after 30 days and to archive after 90.

    ## What it costs
    Upload bytes/s = rows a day x blob bytes / 86,400; egress = max(reads/s, uploads/s) x blob
    bytes; stored bytes come from the capacity figures (``bytes.<N>y.object_store``).

    ## Alternatives
    ``bytea`` columns (the database, its backups and replicas carry every byte; every download
    passes through the API); a shared file system (no HTTP access or per-object authorization).

    ## References
    AWS, "Sharing objects with presigned URLs" and "Managing your storage lifecycle"; Google Cloud, "Signed URLs".
    """
    placed = {p.data for p in arch.placements}
    blobs = []
    for blob in _blobs(spec, analysis, arch):
        if blob.subject in placed:
            yield Skipped(blob.subject, "placed by an earlier pattern")
        else:
            blobs.append(blob)
    if blobs:
        yield _applied(spec, arch, blobs)


def _contract(spec: Spec, arch: Architecture, blobs: list[_Blob], through: str) -> tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]:
    """The upload and download operations of every blob field (a media field's upload comes from the media pipeline)."""
    operations: list[tuple[str, Operation]] = []
    schemas: list[tuple[str, ApiSchema]] = []
    noted: dict[str, tuple[str, Operation]] = {}
    for blob in blobs:
        field = blob.subject.split(".", 1)[1]
        service = owner_of(arch, blob.entity)
        for made in (upload_operation(spec, arch, service, blob.entity, field), download_operation(spec, arch, service, blob.entity, field, through)):
            operations += made[0]
            schemas += made[1]
        for op, note in described(spec, arch, service, blob.entity, field):
            base = noted.get(op.operation_id, (service, op))[1]
            noted[op.operation_id] = (service, base.model_copy(update={"description": f"{base.description} {note}".strip()}))
    return (*operations, *noted.values()), tuple(schemas)


def bounds(spec: Spec, blob: _Blob) -> str:
    """``attachments.file: at most 10 MB, image/jpeg, ...``: the bounds every upload of one blob is signed with."""
    field = blob.subject.split(".", 1)[1]
    definition = spec.entities[blob.entity].fields[field]
    return f"{blob.subject}: at most {size(blob_contract.max_bytes(definition))}; {', '.join(blob_contract.content_types(field, definition))}"


def _assumed(spec: Spec, blobs: list[_Blob]) -> tuple[str, ...]:
    out = []
    for blob in blobs:
        field = blob.subject.split(".", 1)[1]
        definition = spec.entities[blob.entity].fields[field]
        path = f"entities.{blob.entity}.fields.{field}"
        if definition.max_bytes is None:
            out.append(f"{path}.max_bytes: not given; uploads of at most {size(blob_contract.max_bytes(definition))} (20 x avg_bytes, at least 10 MB)")
        if not definition.content_types:
            out.append(f"{path}.content_types: not given; {', '.join(blob_contract.content_types(field, definition))} (by the field's name)")
    out.append(
        f"blob URLs: upload URLs valid {blob_contract.UPLOAD_URL_TTL_S // 60} min, download URLs {blob_contract.DOWNLOAD_URL_TTL_S // 60} min; "
        f"uploads nobody confirmed expire after {blob_contract.UNCONFIRMED_EXPIRY_DAYS} day"
    )
    return tuple(out)


def _applied(spec: Spec, arch: Architecture, blobs: list[_Blob]) -> Applied:
    store = named(spec, "object-store")
    known = {f.key: f.value for f in arch.figures}
    stored = known.get(f"bytes.{horizon(spec):g}y.object_store", 0.0)
    egress = sum(b.egress for b in blobs)
    public_rate = sum(b.downloads_per_s for b in blobs if b.public)
    cdn = public_rate >= CDN_MIN_READ_QPS or egress >= CDN_MIN_EGRESS_BYTES
    cdn_name = named(spec, "cdn")
    lifecycle = stored >= LIFECYCLE_MIN_BYTES
    tiers = named(spec, "archive-tiers")
    up, down = blob_contract.UPLOAD_URL_TTL_S // 60, blob_contract.DOWNLOAD_URL_TTL_S // 60
    parts = [
        f"{store} for {', '.join(b.subject for b in blobs)}: POST .../uploads answers a pre-signed URL (PUT) valid {up} min, bound to the declared "
        f"content type and size ({'; '.join(bounds(spec, b) for b in blobs)}); the client puts the file to the store, then creates the row with "
        "the issued object key, which confirms the upload (object present within the signed bounds, else 422); the row is the metadata "
        "record (key, size, content type, SHA-256)"
    ]
    if cdn:
        private = [b.subject for b in blobs if not b.public]
        parts.append(
            f"GET .../download-url answers a signed URL valid {down} min through {cdn_name}" + (f" (private objects: {', '.join(private)})" if private else "")
        )
    else:
        parts.append(f"GET .../download-url answers a pre-signed URL valid {down} min to fetch the file from the store")
    if lifecycle:
        parts.append(f"lifecycle rules: {tiers}, after {COLDER_AFTER_DAYS[0]} and {COLDER_AFTER_DAYS[1]} days")
    if cdn:
        met = [f"egress {size(egress)}/s >= {size(CDN_MIN_EGRESS_BYTES)}/s"] if egress >= CDN_MIN_EGRESS_BYTES else []
        met += [f"public reads {fmt(public_rate)}/s >= {fmt(CDN_MIN_READ_QPS)}/s"] if public_rate >= CDN_MIN_READ_QPS else []
        why_cdn = " and ".join(met) + ": a CDN"
    else:
        why_cdn = f"egress {size(egress)}/s < {size(CDN_MIN_EGRESS_BYTES)}/s and public reads {fmt(public_rate)}/s < {fmt(CDN_MIN_READ_QPS)}/s: no CDN yet"
    why_life = (
        f"{size(stored)} stored at the horizon (>= {size(LIFECYCLE_MIN_BYTES)}): older objects to colder tiers"
        if lifecycle
        else f"{size(stored)} stored at the horizon (< {size(LIFECYCLE_MIN_BYTES)}): one tier"
    )
    rationale = f"blobs kept out of the database, its backups and replicas; {why_cdn}; {why_life}"
    made = decision(
        "object-storage",
        "Object storage for blobs",
        "storage",
        "; ".join(parts),
        f"blob fields: {', '.join(f'{b.subject} ({size(b.avg_bytes)})' for b in blobs)}; uploads {size(sum(b.uploads_per_s * b.avg_bytes for b in blobs))}/s",
        rationale,
        alternatives=[
            *((n, "another provider's equivalent") for n in others(spec, "object-store", store)),
            ("bytea columns", "the database, its backups and replication carry every byte; every download passes through the API"),
            ("a shared file system", "no HTTP access, harder to replicate and to authorize per object"),
        ],
        consequences=(
            "A row exists only for a confirmed upload: creating it checks the object under the issued key (size, content type, checksum) "
            f"before the commit, so no row points at a missing file; objects nobody confirmed expire after {blob_contract.UNCONFIRMED_EXPIRY_DAYS} day "
            "by a lifecycle rule on the uploads/ prefix. Signed URLs are bearer credentials: never logged, never cached (Cache-Control: no-store)."
        ),
        subject="blobs",
        inputs={"egress_bytes_per_s": egress, "public_reads_per_s": public_rate, "stored_bytes": stored},
        spec=spec,
    )
    # the services owning the blobs sign the URLs and check each upload under its key; the CDN fetches from the store as its origin
    signers = sorted({owner for b in blobs if (owner := owner_of(arch, b.entity))})
    components = [
        Component(
            name="object-storage",
            kind="object-store",
            technology=store,
            purpose="blob content",
            services=signers,
            parts=["cdn"] if cdn else [],
            decision=made.id,
        )
    ]
    if cdn:
        components.append(Component(name="cdn", kind="cdn", technology=cdn_name, purpose="serves blob downloads at the edge", decision=made.id))
    retention = f"with its row; {tiers} after {COLDER_AFTER_DAYS[0]} / {COLDER_AFTER_DAYS[1]} days" if lifecycle else "with its row"
    placements = tuple(
        Placement(
            data=b.subject,
            data_class="blob",
            store=store + (f" behind {cdn_name}" if cdn else ""),
            reason=f"uploaded and downloaded by signed URLs ({blob_contract.UPLOAD_URL_TTL_S // 60} / {blob_contract.DOWNLOAD_URL_TTL_S // 60} min), "
            f"never through a service; {rationale}",
            retention=retention,
            component="object-storage",
            decision=made.id,
            alternatives=["bytea column", "shared file system"],
        )
        for b in blobs
    )
    figures: list[Figure] = []
    for b in blobs:
        figures.append(
            figure(
                f"blob.egress.{b.subject}",
                f"blob bytes read from {b.subject}",
                b.egress,
                "bytes/s",
                "max(reads_per_s, uploads_per_s) x blob_bytes",
                {"reads_per_s": b.downloads_per_s, "uploads_per_s": b.uploads_per_s, "blob_bytes": b.avg_bytes},
                b.table,
            )
        )
    operations, schemas = _contract(spec, arch, blobs, cdn_name if cdn else store)
    return Applied(
        made,
        components=tuple(components),
        placements=placements,
        figures=tuple(figures),
        operations=operations,
        schemas=schemas,
        assumptions=_assumed(spec, blobs),
    )
