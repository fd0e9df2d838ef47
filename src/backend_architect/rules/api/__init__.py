"""Helpers the API rules share: findings anchored in a document, and schema walks that follow ``$ref``.

A schema in a real document is rarely one object: it is ``allOf`` of a base and an
extension, a ``$ref`` to a component, a ``oneOf`` of variants. The peers' false positives
come from reading only the literal node, so every rule reads schemas through these helpers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.contract import ApiContract, ContractOperation, Node, pointer_text
from backend_architect.ir.model import Architecture
from backend_architect.ir.schema_view import ObjectView, object_view, schema_type, subschemas
from backend_architect.rules.model import Finding, Rule

__all__ = ["ObjectView", "object_view", "schema_type", "subschemas"]

#: Query parameters that page a collection, in the styles real APIs use.
PAGINATION_PARAMETERS = frozenset(
    {
        "limit",
        "cursor",
        "page",
        "per_page",
        "page_size",
        "pagesize",
        "offset",
        "starting_after",
        "ending_before",
        "page_token",
        "pagetoken",
        "next",
        "after",
        "before",
        "top",
        "skip",
        "max_results",
        "maxresults",
        "page[size]",
        "page[number]",
        "page[cursor]",
        "page[after]",
        "$top",
        "$skip",
    }
)
_VERSION_SEGMENT = re.compile(r"^[vV]\d+(\.\d+)*(alpha|beta|rc)?\d*$|^\d+\.\d+(\.\d+)?$|^\d{4}-\d{2}-\d{2}$")


def located(rule: Rule, node: Node, where: str, message: str) -> Finding:
    """A finding about ``node``; its line and column are filled in after the review, in one batch per file."""
    return rule.finding(where, message, anchor=(node.file, node.pointer))


def operations(arch: Architecture) -> Iterator[tuple[ApiContract, ContractOperation]]:
    for contract in arch.contracts:
        for operation in contract.operations:
            yield contract, operation


def segments(path: str) -> list[str]:
    """The segments of a path template.

    >>> segments("/v1/pets/{pet_id}/toys")
    ['v1', 'pets', '{pet_id}', 'toys']
    """
    return [s for s in path.split("/") if s]


def is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def is_version(segment: str) -> bool:
    """``v1``, ``v2.1``, ``v1beta1``, a dotted number like Box's ``2.0``, or a date version like ``2024-06-01``.

    >>> [is_version(s) for s in ("v1", "v10", "V2", "v1beta1", "2.0", "2024-06-01", "vendors", "2", "v")]
    [True, True, True, True, True, True, False, False, False]
    """
    return bool(_VERSION_SEGMENT.match(segment))


def where_of(node: Node) -> str:
    """A name for a node outside any operation: its pointer, read as a path (after its file's name when it is a file of its own)."""
    return pointer_text(node.pointer) or f"{node.file.rsplit('/', 1)[-1]}#/"


def is_collection_path(path: str) -> bool:
    """A path that names a collection: its last segment is a static noun, not a parameter.

    >>> [is_collection_path(p) for p in ("/v1/pets", "/v1/pets/{id}", "/")]
    [True, False, False]
    """
    parts = segments(path)
    return bool(parts) and not is_parameter(parts[-1]) and not is_version(parts[-1])


def success_responses(operation: ContractOperation) -> list[str]:
    return [r.status for r in operation.responses if r.status[:1] == "2"]


def has_json(media_type: str) -> bool:
    """JSON bodies, including ``application/problem+json`` and vendor ``+json`` types."""
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"
