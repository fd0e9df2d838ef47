"""The operations that carry out a blob field's contract (``design.blob_contract``): the upload URL and the download URL.

Private to the pattern family: PAT040 (every blob) and PAT025 (media) add them; the shapes,
lifetimes and bounds come from ``blob_contract`` so the contract, the decision and the
scaffold state one flow.
"""

from __future__ import annotations

import math

from backend_architect.design import blob_contract
from backend_architect.design.examples import EXAMPLE_TIME, example_uuid
from backend_architect.design.patterns._api import collection_path, new_operation, prop
from backend_architect.design.patterns._common import size
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation, Parameter
from backend_architect.ir.query import answers_item
from backend_architect.spec.model import FieldSpec, Spec
from backend_architect.spec.naming import kebab

Added = tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]


def blob_fields(spec: Spec, entity: str) -> list[str]:
    return [n for n, f in spec.entities[entity].fields.items() if f.type.kind == "blob"]


def upload_path(spec: Spec, base: str, entity: str, field: str) -> str:
    """``{collection}/uploads``; ``{collection}/{field}-uploads`` when the entity holds several blobs."""
    return f"{base}/uploads" if len(blob_fields(spec, entity)) == 1 else f"{base}/{kebab(field)}-uploads"


def download_path(spec: Spec, item: str, entity: str, field: str) -> str:
    """``{item}/download-url``; ``{item}/{field}-download-url`` when the entity holds several blobs."""
    return f"{item}/download-url" if len(blob_fields(spec, entity)) == 1 else f"{item}/{kebab(field)}-download-url"


def upload_operation(spec: Spec, arch: Architecture, service: str, entity: str, field: str, note: str = "") -> Added:
    """``POST {collection}/uploads``: a pre-signed PUT URL bound to the declared content type and size, and the key it issues."""
    base = collection_path(arch, service, entity)
    if base is None:
        return (), ()
    definition = spec.entities[entity].fields[field]
    tag = base.strip("/").split("/")[-1]
    limit = blob_contract.max_bytes(definition)
    types = blob_contract.content_types(field, definition)
    suffix = "" if len(blob_fields(spec, entity)) == 1 else kebab(field).title().replace("-", "")
    request = ApiSchema(
        name=f"{entity}{suffix}UploadRequest",
        entity=entity,
        properties=[
            ApiProperty(
                name="content_type", type="string", max_length=255, enum=types, required=True, description="Content type of the file, one of the allowed types."
            ),
            ApiProperty(
                name="bytes",
                type="integer",
                format="int64",
                minimum=1,
                maximum=limit,
                required=True,
                description=f"Size of the file in bytes, at most {size(limit)}.",
            ),
            ApiProperty(
                name="checksum_sha256",
                type="string",
                max_length=44,
                pattern="^[A-Za-z0-9+/]{43}=$",
                description="Base64 SHA-256 of the file: the store refuses an upload whose content does not match it.",
            ),
        ],
    )
    response, parts = _upload_answer(entity, suffix, field, limit)
    key = blob_contract.example_key(entity, field, example_uuid(f"{entity}.{field}.upload"))
    example = {"upload_url": f"https://uploads.example.com/{key}?X-Amz-Expires={blob_contract.UPLOAD_URL_TTL_S}&X-Amz-Signature=abc", "object_key": key,
               "expires_at": EXAMPLE_TIME}  # fmt: skip
    op = new_operation(
        operation_id=f"create{entity}{suffix}Upload",
        method="post",
        path=upload_path(spec, base, entity, field),
        summary=f"Get an upload URL for {article(entity)}'s {field}",
        description=f"Answers a pre-signed URL valid {blob_contract.UPLOAD_URL_TTL_S // 60} minutes, bound to the declared content type and size "
        f"(at most {size(limit)}; types: {', '.join(types)}): the client PUTs the file to object storage directly, then sends the object key as "
        f"{field} when it creates the {entity}, which confirms the upload.{_in_parts(limit)} {note}".strip(),
        entity=entity,
        kind="create",
        tag=tag,
        parameters=_path_parameters(arch, service, base),
        scopes=[f"{tag}:write"],
        request_schema=request.name,
        response_schema=response.name,
        success_status=201,
        example_request=dict(zip(("content_type", "bytes"), blob_contract.example_upload(field, definition), strict=True)),
        example_response=example,
        idempotency_key=True,
    )
    return ((service, op),), ((service, request), (service, response), *((service, p) for p in parts))


def _in_parts(limit: int) -> str:
    """What the contract says of a file too large for one PUT, when the field's limit allows one (else nothing)."""
    if limit <= blob_contract.MULTIPART_FROM:
        return ""
    return (
        f" Above {size(blob_contract.MULTIPART_FROM)} the answer carries parts instead of upload_url (S3 multipart upload): the client PUTs "
        f"each {size(blob_contract.PART_BYTES)} slice of the file (the last one shorter) to its part's url, keeps each answer's ETag, then "
        "POSTs the part numbers and ETags to complete_url; the object exists under object_key only then."
    )


def _upload_answer(entity: str, suffix: str, field: str, limit: int) -> tuple[ApiSchema, tuple[ApiSchema, ...]]:
    """The upload answer: one PUT URL, and where the field's limit passes ``MULTIPART_FROM`` the parts' URLs and the completion URL
    (each present by the declared size), so a file one PUT cannot carry has the contract it needs."""
    key = prop("object_key", "string", f"Key of the upload; send it as {field} when creating the {entity}.", max_length=blob_contract.KEY_LENGTH)
    expires = prop("expires_at", "string", "When the URL stops accepting the upload.", fmt="date-time")
    name = f"{entity}{suffix}Upload"
    if limit <= blob_contract.MULTIPART_FROM:
        url = prop("upload_url", "string", "Pre-signed URL to PUT the file to, with the same Content-Type.", fmt="uri", max_length=2048)
        return ApiSchema(name=name, entity=entity, properties=[url, key, expires]), ()
    above = size(blob_contract.MULTIPART_FROM)
    count = math.ceil(limit / blob_contract.PART_BYTES)
    part = ApiSchema(
        name=f"{name}Part",
        entity=entity,
        properties=[
            ApiProperty(
                name="part_number", type="integer", minimum=1, maximum=count, required=True, read_only=True, description="Position of the part, from 1."
            ),
            prop("url", "string", "Pre-signed URL to PUT this part to; its answer's ETag goes to complete_url.", fmt="uri", max_length=2048),
        ],
    )
    optional = {"required": False}
    one = f"Pre-signed URL to PUT the file to, with the same Content-Type; for a file of at most {above}."
    url = prop("upload_url", "string", one, fmt="uri", max_length=2048)
    listed = prop("parts", "array", f"For a file above {above}: a pre-signed URL per part, in order.", items=part.name).model_copy(
        update={"required": False, "min_items": 2, "max_items": count}
    )
    part_bytes = ApiProperty(
        name="part_bytes", type="integer", minimum=blob_contract.PART_BYTES, maximum=blob_contract.PART_BYTES, read_only=True,
        description=f"For a file above {above}: bytes of each part, the last one shorter.",
    )  # fmt: skip
    complete = prop(
        "complete_url",
        "string",
        f"For a file above {above}: pre-signed URL to POST the part numbers and their ETags to (S3 CompleteMultipartUpload) once every part is stored.",
        fmt="uri",
        max_length=2048,
    )
    properties = [url.model_copy(update=optional), listed, part_bytes, complete.model_copy(update=optional), key, expires]
    return ApiSchema(name=name, entity=entity, properties=properties), (part,)


def download_operation(spec: Spec, arch: Architecture, service: str, entity: str, field: str, through: str, outputs: tuple[str, ...] = ()) -> Added:
    """``GET {item}/download-url``: a signed GET URL for the stored object, after the same authorization as reading the item.

    ``outputs`` are what the media workers made of it (``compressed``, ``thumb``): a ``rendition`` query parameter picks one, the
    first by default (the compressed copy that replaced the original, else the original)."""
    api = next((a for a in arch.apis if a.service == service), None)
    reads = [o for o in (api.operations if api else []) if o.entity == entity and o.kind == "get" and o.method == "get" and o.path.endswith("}")]
    if not reads:
        return (), ()
    read = min(reads, key=lambda o: (len(o.path), o.path))
    definition: FieldSpec = spec.entities[entity].fields[field]
    suffix = "" if len(blob_fields(spec, entity)) == 1 else kebab(field).title().replace("-", "")
    ttl = blob_contract.DOWNLOAD_URL_TTL_S
    response = ApiSchema(
        name=f"{entity}{suffix}Download",
        entity=entity,
        properties=[
            prop(
                "download_url", "string", f"Signed URL to GET the file from ({through}); valid {ttl // 60} minutes, never cached.", fmt="uri", max_length=2048
            ),
            prop("expires_at", "string", "When the URL stops working; ask again after.", fmt="date-time"),
            prop("content_type", "string", "Content type of the stored object.", max_length=255),
            prop("bytes", "integer", "Size of the stored object in bytes.", fmt="int64"),
        ],
    )
    key = blob_contract.example_key(entity, field, example_uuid(f"{entity}.{field}.upload"))
    kind, stored = blob_contract.example_upload(field, definition)
    example = {"download_url": f"https://files.example.com/{key}?Expires={ttl}&Signature=abc", "expires_at": EXAMPLE_TIME, "content_type": kind,
               "bytes": stored}  # fmt: skip
    picks = (
        [
            Parameter(
                name="rendition",
                location="query",
                enum=list(outputs),
                default=outputs[0],
                description=f"Which file: {', '.join(outputs)} (made by the media workers); {outputs[0]} when left out.",
            )
        ]
        if outputs
        else []
    )
    processed = f" The rendition parameter picks what the media workers made ({', '.join(outputs)}); 409 while they are at work." if outputs else ""
    op = new_operation(
        operation_id=f"get{entity}{suffix}DownloadUrl",
        method="get",
        path=download_path(spec, read.path, entity, field),
        summary=f"Get a download URL for {article(entity)}'s {field}",
        description=f"Answers a signed URL valid {ttl // 60} minutes to fetch the {field} from {through}, after the same authorization as "
        f"'{read.summary}'; 404 when the {entity} does not exist or the caller may not see it.{processed}",
        entity=entity,
        kind="get",
        tag=read.tag,
        parameters=[p for p in read.parameters if p.location == "path"] + picks,
        scopes=list(read.scopes),
        response_schema=response.name,
        example_response=example,
        owner_only=read.owner_only,
    )
    errors = sorted({*op.error_statuses, 409}) if outputs else op.error_statuses
    op = op.model_copy(
        update={"cache_control": "no-store", "auth": read.auth, "scopes": list(read.scopes) if read.auth != "none" else [], "error_statuses": errors}
    )
    return ((service, op),), ((service, response),)


def described(spec: Spec, arch: Architecture, service: str, entity: str, field: str) -> tuple[tuple[Operation, str], ...]:
    """The entity's operations that take the field or read the item, each with the note saying its part of the flow."""
    api = next((a for a in arch.apis if a.service == service), None)
    if api is None:
        return ()
    takes = {s.name for s in api.schemas if s.entity == entity and any(p.name == field and not p.read_only for p in s.properties)}
    out = []
    for op in api.operations:
        if op.entity != entity or op.flow or op.response_schema in {f"{entity}Upload", f"{entity}Download"}:
            continue
        if op.request_schema in takes:
            note = (
                f"{field} is the object_key answered by the upload operation: the service confirms the upload (the object exists under that key, "
                "within the size and content type it signed) before it commits, and records its size, content type and SHA-256; otherwise 422."
            )
        elif op.kind == "get" and answers_item(op, entity) and op.path.endswith("}"):
            note = f"The {field} itself: GET {download_path(spec, op.path, entity, field)} answers a signed URL to fetch it."
        else:
            continue
        if note not in op.description:
            out.append((op, note))
    return tuple(out)


def article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _path_parameters(arch: Architecture, service: str, base: str) -> list[Parameter]:
    api = next((a for a in arch.apis if a.service == service), None)
    wanted = [part.strip("{}") for part in base.split("/") if part.startswith("{")]
    found = {p.name: p for op in (api.operations if api else []) for p in op.parameters if p.location == "path"}
    return [found[name] for name in wanted if name in found]


__all__ = ["article", "blob_fields", "described", "download_operation", "download_path", "upload_operation", "upload_path"]
