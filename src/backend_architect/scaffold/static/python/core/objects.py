"""Object storage for uploads and their renditions: S3 pre-signed URLs, or a PostgreSQL table behind a signed local URL.

``POST .../uploads`` answers a URL the client PUTs the file to directly; a file above 100 MB
goes in parts (S3 multipart upload): a URL per 100 MB part and a completion URL the client
POSTs the parts' ETags to, as the contract says. With
``OBJECT_STORE_URL`` (``s3://bucket``; ``S3_ENDPOINT_URL`` for MinIO and other S3-compatible
stores; credentials from the usual AWS variables) it is an S3 pre-signed PUT. Without it the
URL is this service's ``/objects/{key}``, signed with ``OBJECT_SIGNING_SECRET`` and valid
until it expires, and the bytes go to the module's ``stored_objects`` table, bounded by the
size the design allows. ``GET .../download-url`` answers a signed URL to fetch a row's file
(an S3 pre-signed GET, or this service's signed ``/objects/{key}``), valid 5 minutes, after the
same authorization as reading the row. The media worker (``python -m <package> media``) turns
each pending upload into the designed renditions.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Request, Response
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .access import parent_exists, reading, require_parent, respond, visible
from .body import read_bounded
from .config import Settings
from .problems import Problem

log = structlog.get_logger(__name__)

#: How long an upload URL accepts the file (the design's 15 minutes), and how long a download URL works (5 minutes).
UPLOAD_URL_TTL = datetime.timedelta(minutes=15)
DOWNLOAD_URL_TTL = datetime.timedelta(minutes=5)
#: Files above this go in parts of PART_BYTES (the design's S3 multipart upload), each PUT to its own URL, then completed.
MULTIPART_FROM = 100_000_000
PART_BYTES = 100_000_000
#: Playback URLs work 6 hours (the design's): long enough for a long film and a pause.
PLAYBACK_URL_TTL = datetime.timedelta(hours=6)


def objects_table(metadata: MetaData, name: str, schema: str | None) -> Table:
    """Uploaded objects kept in PostgreSQL by the local adapter."""
    return Table(
        name,
        metadata,
        Column("key", Text, primary_key=True),
        Column("content_type", Text, nullable=False),
        Column("bytes", Integer, nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


@dataclass(frozen=True)
class Upload:
    """Where an upload goes: the key's prefix, the field it becomes, the largest object accepted, and the local store's table."""

    prefix: str
    field: str
    max_bytes: int
    schema: str | None
    table: str = "stored_objects"


@dataclass(frozen=True)
class Download:
    """Where a row's file is: the column holding its key, and the local store's table; for a processed file, its renditions."""

    column: str
    schema: str | None
    table: str = "stored_objects"
    #: The renditions table, its column naming the row, and the row's processing status (``ready`` once the outputs exist).
    renditions: Table | None = None
    owner: str | None = None
    status: str | None = None

    @property
    def store(self) -> str:
        return f"{self.schema or ''}.{self.table}"


def part_key(key: str, number: int) -> str:
    """Where the local store keeps one part of a multipart upload until it is completed."""
    return f"{key}.part{number:05d}"


def new_key(upload: Upload) -> str:
    now = datetime.datetime.now(datetime.UTC)
    return f"uploads/{upload.prefix}/{now:%Y/%m}/{uuid.uuid4()}"


def _signature(secret: bytes, key: str, expires: int, max_bytes: int, content_type: str, store: str) -> str:
    message = f"{key}\n{expires}\n{max_bytes}\n{content_type}\n{store}".encode()
    return base64.urlsafe_b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode().rstrip("=")


class TableObjects:
    """Objects in PostgreSQL, uploaded through this service's ``/objects`` route with a signed, expiring URL."""

    external = False

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        configured = settings.object_signing_secret
        self.secret = configured.encode() if configured else secrets.token_bytes(32)
        self.warned = bool(configured)
        self.base_url = (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
        self.engine = engine

    def presign(self, upload: Upload, key: str, content_type: str) -> tuple[str, datetime.datetime]:
        if not self.warned:
            log.warning("OBJECT_SIGNING_SECRET is not set: upload URLs are signed with a per-process key (one instance only)")
            self.warned = True
        expires_at = datetime.datetime.now(datetime.UTC) + UPLOAD_URL_TTL
        expires = int(expires_at.timestamp())
        store = f"{upload.schema or ''}.{upload.table}"
        signature = _signature(self.secret, key, expires, upload.max_bytes, content_type, store)
        query = f"expires={expires}&max={upload.max_bytes}&store={store}&signature={signature}"
        return f"{self.base_url}/objects/{key}?{query}", expires_at

    def presign_parts(self, upload: Upload, key: str, content_type: str, count: int) -> tuple[list[str], str, datetime.datetime]:
        """A signed URL per part (``part=N``) and the completion URL (``complete=count``), each bound to the key, the size and the type."""
        expires_at = datetime.datetime.now(datetime.UTC) + UPLOAD_URL_TTL
        expires = int(expires_at.timestamp())
        store = f"{upload.schema or ''}.{upload.table}"
        common = f"expires={expires}&max={upload.max_bytes}&store={store}"
        parts = [
            f"{self.base_url}/objects/{key}?part={n}&{common}&signature={_signature(self.secret, f'{key}#{n}', expires, upload.max_bytes, 'part', store)}"
            for n in range(1, count + 1)
        ]
        signed = _signature(self.secret, f"{key}#complete{count}", expires, upload.max_bytes, content_type, store)
        complete = f"{self.base_url}/objects/{key}?complete={count}&content_type={quote(content_type, safe='')}&{common}&signature={signed}"
        return parts, complete, expires_at

    async def complete(self, store: str, key: str, content_type: str, count: int, max_bytes: int) -> None:
        """Join the stored parts, in order, into the object under ``key`` and drop them; 400 when one is missing."""
        data = b""
        for n in range(1, count + 1):
            part = await self.fetch(store, part_key(key, n))
            if part is None:
                raise Problem(400, f"Part {n} of this upload was not stored; PUT it to its URL first.")
            data += part
        if len(data) > max_bytes:
            raise Problem(413, f"The file is larger than {max_bytes} bytes.")
        await self.store(store, key, content_type, data)
        schema, _, name = store.rpartition(".")
        table = objects_table(MetaData(), name, schema or None)
        async with self.engine.begin() as conn:
            await conn.execute(table.delete().where(table.c.key.in_([part_key(key, n) for n in range(1, count + 1)])))

    def verify(self, key: str, expires: int, max_bytes: int, content_type: str, store: str, signature: str) -> None:
        if expires < datetime.datetime.now(datetime.UTC).timestamp():
            raise Problem(403, "This signed URL has expired; ask for a new one.")
        wanted = _signature(self.secret, key, expires, max_bytes, content_type, store)
        if not hmac.compare_digest(wanted, signature):
            raise Problem(403, "This signed URL is not valid for this file.")

    def presign_get(self, download: Download, key: str, ttl: datetime.timedelta = DOWNLOAD_URL_TTL) -> tuple[str, datetime.datetime]:
        expires_at = datetime.datetime.now(datetime.UTC) + ttl
        expires = int(expires_at.timestamp())
        signature = _signature(self.secret, key, expires, 0, "GET", download.store)
        return f"{self.base_url}/objects/{key}?expires={expires}&store={download.store}&signature={signature}", expires_at

    async def stat(self, store: str, key: str) -> tuple[str, int] | None:
        """The stored object's content type and size, None when nothing was uploaded under the key."""
        schema, _, name = store.rpartition(".")
        table = objects_table(MetaData(), name, schema or None)
        async with self.engine.connect() as conn:
            found = (await conn.execute(select(table.c.content_type, table.c.bytes).where(table.c.key == key))).first()
        return (str(found[0]), int(found[1])) if found else None

    async def store(self, store: str, key: str, content_type: str, data: bytes) -> None:
        schema, _, name = store.rpartition(".")
        table = objects_table(MetaData(), name, schema or None)
        values = {"key": key, "content_type": content_type, "bytes": len(data), "data": data, "created_at": datetime.datetime.now(datetime.UTC)}
        async with self.engine.begin() as conn:
            await conn.execute(pg_insert(table).values(values).on_conflict_do_update(index_elements=["key"], set_=values))

    async def fetch(self, store: str, key: str) -> bytes | None:
        schema, _, name = store.rpartition(".")
        table = objects_table(MetaData(), name, schema or None)
        async with self.engine.connect() as conn:
            found = (await conn.execute(select(table.c.data).where(table.c.key == key))).first()
        return bytes(found[0]) if found else None


class S3Objects:
    """Objects in S3 (or an S3-compatible store): pre-signed PUT URLs, and boto3 for the media worker."""

    external = True

    def __init__(self, settings: Settings) -> None:
        import boto3  # optional: the [s3] extra
        from botocore.config import Config

        url = settings.object_store_url or ""
        self.bucket = url.removeprefix("s3://").split("/", 1)[0]
        timeout = Config(connect_timeout=settings.backend_timeout_s, read_timeout=settings.backend_timeout_s, retries={"max_attempts": 3})
        self.client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url or None, config=timeout)

    def presign(self, upload: Upload, key: str, content_type: str) -> tuple[str, datetime.datetime]:
        expires_at = datetime.datetime.now(datetime.UTC) + UPLOAD_URL_TTL
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        url = self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=int(UPLOAD_URL_TTL.total_seconds()))
        return str(url), expires_at

    def presign_parts(self, upload: Upload, key: str, content_type: str, count: int) -> tuple[list[str], str, datetime.datetime]:
        """S3 multipart: the upload started, a pre-signed UploadPart URL per part, a pre-signed CompleteMultipartUpload URL."""
        expires_at = datetime.datetime.now(datetime.UTC) + UPLOAD_URL_TTL
        ttl = int(UPLOAD_URL_TTL.total_seconds())
        started = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=content_type)
        where = {"Bucket": self.bucket, "Key": key, "UploadId": started["UploadId"]}
        parts = [str(self.client.generate_presigned_url("upload_part", Params=where | {"PartNumber": n}, ExpiresIn=ttl)) for n in range(1, count + 1)]
        complete = self.client.generate_presigned_url("complete_multipart_upload", Params=where, ExpiresIn=ttl, HttpMethod="POST")
        return parts, str(complete), expires_at

    def presign_get(self, download: Download, key: str, ttl: datetime.timedelta = DOWNLOAD_URL_TTL) -> tuple[str, datetime.datetime]:
        expires_at = datetime.datetime.now(datetime.UTC) + ttl
        params = {"Bucket": self.bucket, "Key": key}
        url = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(ttl.total_seconds()))
        return str(url), expires_at

    async def stat(self, store: str, key: str) -> tuple[str, int] | None:
        import anyio

        def head() -> tuple[str, int] | None:
            try:
                found = self.client.head_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.ClientError:
                return None
            return str(found.get("ContentType", "application/octet-stream")), int(found["ContentLength"])

        return await anyio.to_thread.run_sync(head)

    async def store(self, store: str, key: str, content_type: str, data: bytes) -> None:
        import anyio

        await anyio.to_thread.run_sync(lambda: self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type))

    async def fetch(self, store: str, key: str) -> bytes | None:
        import anyio

        def get() -> bytes | None:
            try:
                return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
            except self.client.exceptions.NoSuchKey:
                return None

        return await anyio.to_thread.run_sync(get)


async def create_upload(ctx: Any, op: Any, upload: Upload, content_type: str, size: int = 0, parent_key: Any = None) -> Response:
    """``POST .../uploads``: a key for the file and a URL to put it to, valid for 15 minutes; for a file above 100 MB (where the
    field allows one) a URL per part and the completion URL instead. Under a parent (``/tickets/{id}/comments/uploads``) the
    parent must be one the caller may see (404 otherwise), as creating the row there would demand: no URL is signed for a
    file that could never be attached."""
    if op.resource.parent is not None and parent_key is not None:
        async with reading(ctx, op.resource) as conn:
            await require_parent(conn, ctx, op.resource, parent_key)
    key = new_key(upload)
    objects = ctx.services.backends.objects
    if size > MULTIPART_FROM and upload.max_bytes > MULTIPART_FROM:
        count = -(-size // PART_BYTES)
        parts, complete, expires_at = objects.presign_parts(upload, key, content_type, count)
        body = {
            "parts": [{"part_number": n, "url": url} for n, url in enumerate(parts, start=1)],
            "part_bytes": PART_BYTES,
            "complete_url": complete,
            "object_key": key,
            "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
        }
        return respond(ctx, 201, body, {"Location": complete})
    url, expires_at = objects.presign(upload, key, content_type)
    body = {"upload_url": url, "object_key": key, "expires_at": expires_at.isoformat().replace("+00:00", "Z")}
    return respond(ctx, 201, body, {"Location": url})


async def _row(ctx: Any, op: Any, key: Any, parent_key: Any) -> Any:
    """The row as reading it would find it; 404 otherwise."""
    resource = op.resource
    query = select(resource.table).where(*visible(ctx, resource, op.owner), resource.lookup == key)
    if resource.parent is not None and parent_key is not None:
        query = query.where(parent_exists(ctx, resource, parent_key))
    async with reading(ctx, resource) as conn:
        row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise Problem(404, f"No {resource.name} with this id exists, or you may not see it.")
    return row


async def _outputs(ctx: Any, op: Any, row: Any, renditions: Table, owner: str, status: str) -> list[Any]:
    """The processed outputs of a row (409 while the media workers are still at work on it)."""
    if row[status] != "ready":
        raise Problem(409, f"This {op.resource.name}'s file is still being processed ({row[status]}); ask again shortly.")
    async with reading(ctx, op.resource) as conn:
        found = await conn.execute(select(renditions).where(renditions.c[owner] == row[op.resource.key.name]))
        return list(found.mappings())


async def download_url(ctx: Any, op: Any, key: Any, download: Download, parent_key: Any = None, rendition: str | None = None) -> Response:
    """``GET .../download-url``: the row as reading it would find it (404 otherwise), then a signed URL to its file (or the rendition
    asked for, 409 while it is being made), never cached."""
    row = await _row(ctx, op, key, parent_key)
    objects = ctx.services.backends.objects
    object_key = row[download.column]
    if rendition not in {None, "original"} and download.renditions is not None and download.owner and download.status:
        made = [r for r in await _outputs(ctx, op, row, download.renditions, download.owner, download.status) if r["rendition"] == rendition]
        if not made:
            raise Problem(404, f"This {op.resource.name}'s file has no {rendition} rendition.")
        object_key = made[0]["object_key"]
    found = await objects.stat(download.store, object_key) if object_key else None
    if found is None:
        raise Problem(404, f"The file of this {op.resource.name} has not been uploaded.")
    url, expires_at = objects.presign_get(download, object_key)
    body = {"download_url": url, "expires_at": expires_at.isoformat().replace("+00:00", "Z"), "content_type": found[0], "bytes": found[1]}
    return respond(ctx, 200, body, {"Cache-Control": "no-store"})


@dataclass(frozen=True)
class Playback:
    """A processed video: its key and status columns, its renditions table and owner column, each rendition's bandwidth, the local store."""

    column: str
    status: str
    renditions: Table
    owner: str
    bandwidth: dict[tuple[str, str], int]
    schema: str | None
    table: str = "stored_objects"


def height(name: str) -> int:
    """Lines of a rendition by its name: ``1080p`` is 1080, ``4k`` 2160; other names (a thumbnail) are 0."""
    found = re.fullmatch(r"(\d{3,4})p|(\d)k", name.lower())
    if found is None:
        return 0
    return int(found.group(1)) if found.group(1) else int(found.group(2)) * 540


async def playback(
    ctx: Any, op: Any, key: Any, spec: Playback, parent_key: Any = None, codec: str | None = None, resolution: str | None = None, offset: int = 0
) -> Response:
    """``GET .../playback``: the renditions in the codec asked for, at most the resolution asked for, highest first, each by a signed URL,
    with the HLS and DASH manifests the media worker wrote; 404 when none matches, 409 while processing; never cached."""
    row = await _row(ctx, op, key, parent_key)
    made = [r for r in await _outputs(ctx, op, row, spec.renditions, spec.owner, spec.status) if (r["rendition"], r["codec"]) in spec.bandwidth]
    ceiling = height(resolution) if resolution else None
    chosen = [r for r in made if (codec is None or r["codec"] == codec) and (ceiling is None or height(r["rendition"]) <= ceiling)]
    if not chosen:
        raise Problem(404, f"No rendition of this {op.resource.name} matches the codec and resolution asked for.")
    chosen.sort(key=lambda r: (-height(r["rendition"]), r["codec"]))
    objects = ctx.services.backends.objects
    where = Download(spec.column, spec.schema, spec.table)
    base = f"renditions/{row[spec.column]}"
    manifest, expires_at = objects.presign_get(where, f"{base}/master.m3u8", PLAYBACK_URL_TTL)
    dash, _ = objects.presign_get(where, f"{base}/manifest.mpd", PLAYBACK_URL_TTL)
    renditions = []
    for r in chosen:
        url, _ = objects.presign_get(where, r["object_key"], PLAYBACK_URL_TTL)
        renditions.append({"resolution": r["rendition"], "codec": r["codec"], "bandwidth": spec.bandwidth[(r["rendition"], r["codec"])], "url": url})
    body = {
        "manifest_url": manifest,
        "dash_manifest_url": dash,
        "renditions": renditions,
        "start_offset": offset,
        "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
    }
    return respond(ctx, 200, body, {"Cache-Control": "no-store"})


def router() -> APIRouter:
    """``PUT /objects/{key}`` (``?part=N`` for a part) and ``POST /objects/{key}?complete=N``: the local adapter's upload target
    (outside the versioned API; the signed URL authorizes it)."""
    routes = APIRouter()

    async def put_object(request: Request, key: str, expires: int, max: int, store: str, signature: str, part: int = 0) -> Response:
        objects = request.app.state.services.backends.objects
        if not isinstance(objects, TableObjects):
            raise Problem(404, "Uploads go to the object store this service's upload URLs name.")
        limit = min(max, request.app.state.services.settings.max_upload_bytes)
        if part:
            # one part of a multipart upload: kept apart until the completion URL joins them; its ETag goes to that URL
            objects.verify(f"{key}#{part}", expires, max, "part", store, signature)
            data = await read_bounded(request, min(limit, PART_BYTES))
            await objects.store(store, part_key(key, part), "application/octet-stream", data)
            return Response(status_code=200, headers={"ETag": f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'})
        content_type = request.headers.get("content-type", "application/octet-stream")
        objects.verify(key, expires, max, content_type, store, signature)
        data = await read_bounded(request, limit)
        await objects.store(store, key, content_type, data)
        return Response(status_code=200)

    async def complete_object(
        request: Request, key: str, expires: int, max: int, store: str, signature: str, complete: int, content_type: str
    ) -> Response:
        """The completion URL of a multipart upload: the parts joined in order under the key (the body lists their ETags, as S3's)."""
        objects = request.app.state.services.backends.objects
        if not isinstance(objects, TableObjects):
            raise Problem(404, "Uploads go to the object store this service's upload URLs name.")
        objects.verify(f"{key}#complete{complete}", expires, max, content_type, store, signature)
        await read_bounded(request, 64 * 1024)
        await objects.complete(store, key, content_type, complete, min(max, request.app.state.services.settings.max_upload_bytes))
        return Response(status_code=200)

    async def get_object(request: Request, key: str, expires: int, store: str, signature: str) -> Response:
        objects = request.app.state.services.backends.objects
        if not isinstance(objects, TableObjects):
            raise Problem(404, "Downloads come from the object store this service's download URLs name.")
        objects.verify(key, expires, 0, "GET", store, signature)
        found = await objects.stat(store, key)
        data = await objects.fetch(store, key)
        if found is None or data is None:
            raise Problem(404, "No file is stored under this key.")
        return Response(content=data, media_type=found[0], headers={"Cache-Control": "private, no-store"})

    routes.add_api_route("/objects/{key:path}", put_object, methods=["PUT"], include_in_schema=False)
    routes.add_api_route("/objects/{key:path}", complete_object, methods=["POST"], include_in_schema=False)
    routes.add_api_route("/objects/{key:path}", get_object, methods=["GET"], include_in_schema=False)
    return routes
