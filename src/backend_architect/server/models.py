"""The HTTP API's request and response bodies (its OpenAPI schemas come from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

#: A 1,000-entity spec is 0.4 MB; an OpenAPI document may be larger.
MAX_BODY_BYTES = 8 * 1024 * 1024


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[str] | None = None


class DesignCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["bookstore"])
    spec: str = Field(min_length=1, max_length=MAX_BODY_BYTES, description="The spec as YAML or JSON text.")
    shared: bool = Field(default=False, description="Readable by anyone, without a key.")


class Sharing(BaseModel):
    shared: bool = Field(description="Whether anyone may read the design without a key.")


class SpecUpdate(BaseModel):
    spec: str = Field(min_length=1, max_length=MAX_BODY_BYTES)


class SpecText(BaseModel):
    spec: str = Field(max_length=MAX_BODY_BYTES)


class Validation(BaseModel):
    valid: bool
    errors: list[str]


class DesignOut(BaseModel):
    id: str
    name: str
    owner: str
    shared: bool
    version: int
    created_at: str
    updated_at: str
    summary: dict[str, Any]
    findings: list[dict[str, Any]]


class DesignItem(BaseModel):
    id: str
    name: str
    owner: str
    shared: bool
    version: int
    updated_at: str


class DesignPage(BaseModel):
    items: list[DesignItem]
    next_cursor: str | None


class VersionItem(BaseModel):
    number: int
    created_at: str
    summary: dict[str, Any]


class VersionPage(BaseModel):
    items: list[VersionItem]
    next_cursor: str | None


class VersionOut(BaseModel):
    number: int
    created_at: str
    spec: str
    summary: dict[str, Any]
    findings: list[dict[str, Any]]
    files: list[str]


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    needs_major_version: bool
    api_changes: list[dict[str, Any]]
    schema_changes: list[dict[str, Any]]
    services_added: list[str]
    services_removed: list[str]


class ReviewCreate(BaseModel):
    kind: Literal["openapi", "sql", "spec"]
    content: str = Field(min_length=1, max_length=MAX_BODY_BYTES)


class ReviewOut(BaseModel):
    id: str
    kind: str
    findings: list[dict[str, Any]]
