"""Request bodies: bounded in size, JSON only, validated against the contract's schema without coercion."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from .problems import Problem, json_pointer

M = TypeVar("M", bound=BaseModel)

_JSON_TYPES = ("application/json", "application/merge-patch+json")


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body, refusing more than ``limit`` bytes without reading past them."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"The body is larger than {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"The body is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


async def parse(request: Request, model: type[M], limit: int) -> tuple[M, Any]:
    """The body as ``model`` and as plain JSON (for the idempotency fingerprint); 400 if it is not JSON, 422 if it breaks the schema."""
    raw = await read_bounded(request, limit)
    if not _is_json(request.headers.get("content-type", "")):
        raise Problem(400, "Send the body as application/json.")
    try:
        parsed = model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in problems):
            raise Problem(400, "The body is not valid JSON.") from None
        errors = [(json_pointer(e["loc"]), e["msg"]) for e in problems]
        raise Problem(422, "The request body has invalid fields.", errors=errors) from None
    return parsed, parsed.model_dump(mode="json", exclude_unset=True)
