"""Small OpenAPI documents built around one schema, parameter or operation, for diff fixture tables."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from backend_architect.diff.api import diff_contracts
from backend_architect.diff.model import Change, Impact
from backend_architect.importers.openapi import import_openapi_text

#: Sunset dates are judged against this day, so the tables do not age.
TODAY = dt.date(2026, 6, 1)
PAST, FUTURE = "2026-01-31", "2027-01-31"


def operation(*, body: Any = None, response: Any = None, parameters: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """One POST operation: ``body`` is the request body's JSON schema, ``response`` the 200's."""
    found: dict[str, Any] = {"operationId": "createPet", "responses": {"200": {"description": "ok"}}}
    if body is not None:
        found["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if response is not None:
        found["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    if parameters is not None:
        found["parameters"] = parameters
    found.update(extra)
    return found


def document(op: dict[str, Any] | None = None, *, path: str = "/pets", components: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """An OpenAPI 3.1 document with one operation (or none) and optional components and top-level keys."""
    found: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "Pets", "version": "1.0.0"}, "paths": {path: {"post": op}} if op is not None else {}}
    if components:
        found["components"] = components
    found.update(top)
    return found


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (sunsets judged on ``TODAY``)."""
    before = import_openapi_text(json.dumps(old), "old.json")
    after = import_openapi_text(json.dumps(new), "new.json")
    return diff_contracts(before, after, today=TODAY)


def found(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Impact]]:
    return [(c.code, c.impact) for c in diff(old, new)]


def worst(old: dict[str, Any], new: dict[str, Any]) -> Impact | None:
    """The worst impact of any change, None when nothing changed."""
    return max((c.impact for c in diff(old, new)), default=None)


def in_body(schema: Any, where: str) -> dict[str, Any]:
    """A document whose request body (``where="request"``) or 200 response (``"response"``) is ``schema``."""
    return document(operation(body=schema) if where == "request" else operation(response=schema))


def edit(document_: dict[str, Any], change: Any) -> dict[str, Any]:
    """A deep copy of ``document_`` with ``change`` applied to it (a function that edits in place)."""
    copied = copy.deepcopy(document_)
    change(copied)
    return copied
