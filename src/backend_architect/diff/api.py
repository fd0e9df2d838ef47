"""Two versions of an API contract → every change, classified by what it does to existing clients.

The direction of a schema decides the verdict: a client *sends* request schemas and *reads*
response schemas, so narrowing is breaking in a request (the client's data no longer passes)
and widening is breaking in a response (the client meets values it cannot handle). The
families of checks follow oasdiff's catalogue: endpoints and webhooks, request parameters,
request bodies and their properties, responses (statuses, headers, media types, bodies and
their properties), security, and the deprecation lifecycle.

Every node is reached through the contract's reference resolution, so a description split
over files diffs exactly like its bundled copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from backend_architect.diff.lifecycle import removal_allowed, stability_events, unpromised
from backend_architect.diff.model import Change, Impact
from backend_architect.diff.operations import PARAMETER, OperationDiffer, anchor
from backend_architect.diff.schemas import SchemaDiffer
from backend_architect.diff.security import requirement_changes, scheme_changes
from backend_architect.ir.contract import ApiContract, ContractOperation


def diff_contracts(old: ApiContract, new: ApiContract, *, today: dt.date | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, sorted by where it is; ``today`` judges sunset dates (default: the current date)."""
    differ = OperationDiffer(SchemaDiffer(old, new, today))
    _servers(differ)
    promised = _endpoints(differ, old.operations, new.operations, lambda op: op.label, flipped=False)
    promised |= _endpoints(differ, old.webhooks, new.webhooks, lambda op: f"{op.method.upper()} webhook {op.path}", flipped=True)
    differ.changes += scheme_changes(old, new)
    return sorted(_without_promise(differ.changes, promised))


def path_key(path: str) -> str:
    """A path with its parameters unnamed: renaming ``{id}`` to ``{pet_id}`` is not a new path.

    >>> path_key("/v1/pets/{pet_id}/toys/{toy}")
    '/v1/pets/{}/toys/{}'
    """
    return PARAMETER.sub("{}", path.rstrip("/") or "/")


def _endpoints(differ: OperationDiffer, old: Iterable[ContractOperation], new: Iterable[ContractOperation], label: Any, *, flipped: bool) -> dict[str, str]:
    """Operations matched by method and path (or webhook name); returns the labels of those outside the compatibility promise."""
    before = {(op.method, path_key(op.path)): op for op in old}
    after = {(op.method, path_key(op.path)): op for op in new}
    old_paths = {k[1] for k in before}
    new_paths = {k[1] for k in after}
    kind = "webhook" if flipped else "path"
    unpromised_labels: dict[str, str] = {}
    for key, op in before.items():
        where = label(op)
        level = unpromised(_dict(op.node))
        if level:
            unpromised_labels[where] = level
        if key in after:
            continue
        gone = key[1] not in new_paths
        code = f"{kind}-removed" if gone else ("webhook-operation-removed" if flipped else "operation-removed")
        what = f"the {kind} was removed" if gone else "the operation was removed"
        if level:
            differ.add(where, code, f"{what} ({level}: no compatibility promise)", Impact.SAFE, op.node, None)
        elif op.node.get("deprecated") is True:
            allowed, why = removal_allowed(op.node.get("x-sunset"), differ.schemas.today)
            differ.add(
                where,
                code if allowed else f"{code.rsplit('-', 1)[0]}-removed-before-sunset",
                what + why,
                Impact.SAFE if allowed else Impact.BREAKING,
                op.node,
                None,
            )
        else:
            differ.add(where, code, what + " without deprecation", Impact.BREAKING, op.node, None)
    for key, op in after.items():
        if key not in before:
            code = f"{kind}-added" if key[1] not in old_paths else ("webhook-operation-added" if flipped else "operation-added")
            differ.add(label(op), code, f"new {kind}" if code.startswith(kind) else "new operation", Impact.SAFE, None, op.node)
    for key, op in before.items():
        changed = after.get(key)
        if changed is None:
            continue
        where = label(op)
        for code, message, impact in stability_events(_dict(op.node), _dict(changed.node), "the operation"):
            differ.add(where, f"operation-{code}", message, impact, op.node, changed.node)
        if not flipped:
            differ.changes += requirement_changes(where, op, changed)
        differ.operation(op, changed, where, flipped=flipped)
        _callbacks(differ, op, changed, where)
    return unpromised_labels


def _callbacks(differ: OperationDiffer, old: ContractOperation, new: ContractOperation, where: str) -> None:
    """An operation's callbacks are requests the API makes: compared like webhooks, under the operation."""
    before = {(name, op.method, path_key(op.path)): op for name, op in old.callbacks}
    after = {(name, op.method, path_key(op.path)): op for name, op in new.callbacks}
    for key, op in before.items():
        label = f"{where} callback {key[0]} {op.method.upper()} {op.path}"
        if key not in after:
            differ.add(label, "callback-removed", "the callback was removed", Impact.BREAKING, op.node, new.node)
        else:
            differ.operation(op, after[key], label, flipped=True)
    for key, op in after.items():
        if key not in before:
            differ.add(f"{where} callback {key[0]} {op.method.upper()} {op.path}", "callback-added", "new callback", Impact.SAFE, old.node, op.node)


def _servers(differ: OperationDiffer) -> None:
    before, after = _bases(differ.old), _bases(differ.new)
    if before and after and not before & after:
        message = f"base path {', '.join(sorted(before))} became {', '.join(sorted(after))}"
        differ.add("/servers", "server-url-changed", message, Impact.BREAKING, anchor(differ.old.top("servers")), anchor(differ.new.top("servers")))


def _without_promise(changes: list[Change], levels: dict[str, str]) -> list[Change]:
    """Changes of draft and alpha operations are listed but never breaking: those operations promised nothing."""
    if not levels:
        return changes
    kept = []
    for change in changes:
        level = levels.get(change.where) or next((lv for w, lv in levels.items() if change.where.startswith(w + " callback ")), None)
        if level and change.impact > Impact.SAFE and not change.code.startswith("operation-stability"):
            change = dataclasses.replace(change, impact=Impact.SAFE, message=f"{change.message} ({level} operation: no compatibility promise)")
        kept.append(change)
    return kept


def _bases(contract: ApiContract) -> set[str]:
    from urllib.parse import urlparse

    if contract.version == "2.0":
        return {str(contract.document.get("basePath", "/")).rstrip("/") or "/"}
    servers = contract.document.get("servers")
    if not isinstance(servers, list):
        return set()
    return {urlparse(str(s.get("url", ""))).path.rstrip("/") or "/" for s in servers if isinstance(s, dict) and "{" not in str(s.get("url", ""))}


def _dict(node: Any) -> dict[str, Any]:
    value = getattr(node, "value", None)
    return value if isinstance(value, dict) else {}
