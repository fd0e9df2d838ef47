"""How a ``blob`` field is carried out, stated once: every stage that writes about one reads these values.

A blob never travels through the API as bytes, and never as a bare key a client cannot use:

1. ``POST {collection}/uploads`` takes the file's content type (one of the allowed types), its
   size (at most the maximum) and optionally its SHA-256, and answers a pre-signed ``PUT`` URL
   valid ``UPLOAD_URL_TTL_S`` seconds with the ``object_key`` it is bound to; the signature binds
   the key, the content type and the size, so the store refuses any other file.
2. The client puts the file to that URL (straight to object storage, never through a service),
   then creates (or updates) the resource with ``{field}: object_key``. The service confirms the
   upload before it commits the row: the object must exist under a key it issued, within the
   size and type it signed (a ``HEAD`` on the object); otherwise the request gets a 422
   problem. The row keeps the key, the size, the content type and the checksum.
3. ``GET {item}/download-url`` answers a signed ``GET`` URL valid ``DOWNLOAD_URL_TTL_S``
   seconds (through the CDN when the design has one), with the size and the content type, after
   the same authorization as reading the item; the URL is never cached or logged.

The key's format is ``uploads/{table}/{field}/{yyyy}/{mm}/{uuid}``: unguessable, and the
prefix lets a lifecycle rule expire uploads nobody confirmed.
"""

from __future__ import annotations

from backend_architect.spec.model import FieldSpec, Spec
from backend_architect.spec.naming import blob_meta_columns, table_name

#: A pre-signed upload URL accepts the file for 15 minutes (long enough for a 100 MB upload on a slow mobile link).
UPLOAD_URL_TTL_S = 900
#: Files larger than this go in parts (S3 multipart upload): the upload answer carries a pre-signed URL per part and a completion
#: URL instead of one PUT URL (one S3 PUT takes at most 5 GB, and a lost connection then costs one part, not the file).
MULTIPART_FROM = 100_000_000
#: Bytes of each part (the last one shorter): 10,000 parts, S3's most, carry 1 TB.
PART_BYTES = 100_000_000
#: A signed download URL works for 5 minutes: enough to start the download, short enough that a leaked link dies quickly.
DOWNLOAD_URL_TTL_S = 300
#: Uploads nobody confirmed (no row names their key) expire after a day, by a lifecycle rule on the ``uploads/`` prefix.
UNCONFIRMED_EXPIRY_DAYS = 1
#: The largest upload accepted, when the spec gives no ``max_bytes``: 20 x the average size, and never below 10 MB.
MAX_BYTES_FACTOR = 20
MAX_BYTES_FLOOR = 10_000_000
#: Blob size when the spec gives none (as the capacity stage assumes).
DEFAULT_BLOB_BYTES = 250_000
#: The pattern every object key matches (issued by the upload operation).
KEY_PATTERN = "^uploads/[a-z0-9_]+/[a-z0-9_]+/[0-9]{4}/[0-9]{2}/[0-9a-f-]{36}$"
KEY_LENGTH = 1024

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/gif")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
AUDIO_TYPES = ("audio/mpeg", "audio/mp4", "audio/ogg", "audio/webm")
DOCUMENT_TYPES = (
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
#: Content types by the words a field's name holds (``photo``, ``avatar_image``, ``voice_note``); any other blob takes them all.
_BY_WORD = {
    "image": IMAGE_TYPES,
    "photo": IMAGE_TYPES,
    "picture": IMAGE_TYPES,
    "avatar": IMAGE_TYPES,
    "thumbnail": IMAGE_TYPES,
    "cover": IMAGE_TYPES,
    "logo": IMAGE_TYPES,
    "banner": IMAGE_TYPES,
    "icon": IMAGE_TYPES,
    "screenshot": IMAGE_TYPES,
    "selfie": IMAGE_TYPES,
    "video": VIDEO_TYPES,
    "clip": VIDEO_TYPES,
    "audio": AUDIO_TYPES,
    "voice": AUDIO_TYPES,
    "recording": AUDIO_TYPES,
    "pdf": ("application/pdf",),
    "document": DOCUMENT_TYPES,
    "scan": ("application/pdf", *IMAGE_TYPES),
}


def max_bytes(field: FieldSpec) -> int:
    """The largest upload accepted: the spec's ``max_bytes``, else ``max(20 x avg_bytes, 10 MB)``.

    >>> from backend_architect.spec.model import FieldSpec, Spec
    >>> max_bytes(FieldSpec(type="blob", avg_bytes=100_000))
    10000000
    >>> max_bytes(FieldSpec(type="blob", avg_bytes=50_000_000))
    1000000000
    """
    if field.max_bytes is not None:
        return int(field.max_bytes)
    return int(max(float(field.avg_bytes or DEFAULT_BLOB_BYTES) * MAX_BYTES_FACTOR, MAX_BYTES_FLOOR))


def content_types(name: str, field: FieldSpec) -> list[str]:
    """The content types an upload may declare: the spec's ``content_types``, else by the field's name, else every common type.

    >>> from backend_architect.spec.model import FieldSpec, Spec
    >>> content_types("avatar_image", FieldSpec(type="blob"))[:2]
    ['image/jpeg', 'image/png']
    >>> content_types("scan", FieldSpec(type="blob", content_types=["application/pdf"]))
    ['application/pdf']
    """
    if field.content_types:
        return list(field.content_types)
    words = set(name.lower().split("_"))
    found: list[str] = []
    for word, types in _BY_WORD.items():
        if word in words:
            found += [t for t in types if t not in found]
    if field.media is not None and not found:
        found = [*VIDEO_TYPES] if field.media.transcode else [*IMAGE_TYPES]
    return found or [*IMAGE_TYPES, *VIDEO_TYPES, *AUDIO_TYPES, *DOCUMENT_TYPES]


#: Names of an entity's own fields that restate its one file's content type or size (kept beside the blob by some specs).
_TYPE_NAMES = frozenset({"content_type", "mime_type", "media_type", "mimetype", "file_type", "file_content_type"})
_SIZE_NAMES = frozenset({"size_bytes", "bytes", "size", "file_size", "file_bytes", "byte_size", "file_size_bytes", "length_bytes"})


def example_upload(name: str, field: FieldSpec) -> tuple[str, int]:
    """The content type and size every example of one blob's flow shows: the upload URL is asked for them, the confirming write
    and every read repeat them (the first allowed type; the average size, within the maximum).

    >>> from backend_architect.spec.model import FieldSpec, Spec
    >>> example_upload("avatar", FieldSpec(type="blob", avg_bytes=100_000))
    ('image/jpeg', 100000)
    """
    return content_types(name, field)[0], int(min(float(field.avg_bytes or DEFAULT_BLOB_BYTES), max_bytes(field)))


def example_story(spec: Spec, entity: str) -> dict[str, str | int]:
    """The values an entity's examples show for its files, one story across the upload, the confirming write and the reads: each
    blob's recorded size and content type, and the entity's own fields restating them when it holds one file."""
    fields = spec.entities[entity].fields
    blobs = [(n, f) for n, f in fields.items() if f.type.kind == "blob"]
    out: dict[str, str | int] = {}
    for name, field in blobs:
        kind, size = example_upload(name, field)
        size_column, type_column, _ = meta_columns(name)
        out[size_column], out[type_column] = size, kind
    if len(blobs) == 1:
        kind, size = example_upload(*blobs[0])
        for name, field in fields.items():
            if name in _TYPE_NAMES and field.type.kind == "string" and (field.type.length is None or field.type.length >= len(kind)):
                out[name] = kind
            elif name in _SIZE_NAMES and field.type.kind in {"int", "bigint"}:
                out[name] = size
    return out


def stated(field: FieldSpec) -> bool:
    """The spec states the bounds itself (both), so no default is assumed."""
    return field.max_bytes is not None and bool(field.content_types)


def key_prefix(entity: str, field: str) -> str:
    """``attachments/file``: the part of an object key naming the table and the field."""
    return f"{table_name(entity)}/{field}"


def example_key(entity: str, field: str, example_id: str) -> str:
    """The object key the examples show, in the format the upload operation issues."""
    return f"uploads/{key_prefix(entity, field)}/2026/03/{example_id}"


def meta_columns(field: str) -> tuple[str, str, str]:
    """The columns beside the key that record the confirmed object: its size, content type and SHA-256 (the spec's naming,
    which checks their length at the field that makes them)."""
    return blob_meta_columns(field)


__all__ = [
    "DOWNLOAD_URL_TTL_S",
    "KEY_PATTERN",
    "UPLOAD_URL_TTL_S",
    "content_types",
    "example_key",
    "example_story",
    "example_upload",
    "key_prefix",
    "max_bytes",
    "meta_columns",
    "stated",
]
