"""The design's OpenAPI documents, served as they are: the contract clients and tests read is the one designed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import yaml
from fastapi import APIRouter
from fastapi.responses import Response

from .. import deployable

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "contract"


@cache
def document_text(name: str) -> str:
    return (CONTRACT_DIR / "openapi" / f"{name}.yaml").read_text(encoding="utf-8")


@cache
def document(name: str) -> dict[str, Any]:
    """A module's contract, parsed (YAML 1.2 core types, as OpenAPI 3.1 reads)."""
    loaded: dict[str, Any] = yaml.safe_load(document_text(name))
    return loaded


def router() -> APIRouter:
    routes = APIRouter()
    for name in deployable.MODULES:

        def as_yaml(name: str = name) -> Response:
            return Response(document_text(name), media_type="application/yaml")

        def as_json(name: str = name) -> Response:
            return Response(orjson.dumps(document(name)), media_type="application/json")

        routes.add_api_route(f"/openapi/{name}.yaml", as_yaml, methods=["GET"], include_in_schema=False)
        routes.add_api_route(f"/openapi/{name}.json", as_json, methods=["GET"], include_in_schema=False)
    if len(deployable.MODULES) == 1:
        only = deployable.MODULES[0]

        def only_json() -> Response:
            return Response(orjson.dumps(document(only)), media_type="application/json")

        routes.add_api_route("/openapi.json", only_json, methods=["GET"], include_in_schema=False)
    return routes
