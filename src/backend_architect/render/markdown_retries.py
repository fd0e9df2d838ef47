"""The API's one statement about retries: which operations take ``Idempotency-Key``, and why the other writes need none.

Read from each operation's ``idempotency_key`` flag, the same flag the contracts' header
parameter, the tables' conventions column and the scaffold's routes read, so the sentence
names exactly the operations that take the header ("every write takes a key" would be
false wherever a ``PUT`` replaces a value).
"""

from __future__ import annotations

from backend_architect.ir.model import Api, Architecture, Operation
from backend_architect.ir.query import guarded_how, held_keys, if_match
from backend_architect.ir.runtime_tables import RUNTIME_RETENTION_DAYS
from backend_architect.ir.store_steps import leaves_row

#: What makes a write safe to repeat without a key, by its method.
_BY_METHOD = {
    "put": "a PUT sets the resource it names, a value or a membership, to one state, so the same request twice leaves the same state",
    "delete": "a DELETE repeated leaves the row gone, as the first did; the retry may answer 404",
    "patch": "a merge patch sets the same fields to the same values again",
}
#: A link's DELETE answers 204 whether the link was there or not (its contract says removing a missing link is no error).
_UNLINK = "a DELETE of a link answers 204 whether the link was there or not, so a retry answers as the first did"


def _named(api: Api, op: Operation) -> str:
    return f"{op.method.upper()} `{api.base_path}{op.path}` ({op.summary})"


def _kept(arch: Architecture) -> str:
    """Where the keys are kept: the owning service's idempotency_keys table, in the transaction of the change; keys of writes a
    wide-column store holds, in that store (the keys' placement says the same sentence: ``ir.query.guarded_how``)."""
    services = sorted({api.service for api in arch.apis})
    held = {s: held_keys(arch, s) for s in services}
    keyed = {u for api in arch.apis for op in api.operations if op.idempotency_key for u in op.use_cases}
    in_table = keyed - {u for found in held.values() for u in found}
    said = [f"in {s}, {guarded_how(arch, s)}" for s in services if held[s]]
    if in_table:
        said.insert(0, "in the owning service's idempotency_keys table, written in the transaction of the change")
    return "; ".join(said)


def retries_section(arch: Architecture) -> list[str]:
    """``### Retries and idempotency``: the operations taking the header, then each other write with the reason it needs none."""
    apis = arch.apis
    writes = [(api, op) for api in apis for op in api.operations if op.method != "get"]
    if not writes:
        return []
    keyed = [_named(api, op) for api, op in writes if op.idempotency_key]
    lines = ["### Retries and idempotency", ""]
    if keyed:
        lines.append(
            f"- `Idempotency-Key` (optional header) is taken by exactly these {len(keyed)} operations: {'; '.join(keyed)}. A retry with the "
            f"same key gets the first answer for as long as the key is kept; the same key with another body is a 409. "
            f"Keys are kept {RUNTIME_RETENTION_DAYS} days " + _kept(arch) + "."
        )
    reasons = [(m, r, False) for m, r in _BY_METHOD.items()]
    reasons.insert(2, ("delete", _UNLINK, True))
    for method, reason, unlink in reasons:
        same = [(api, op) for api, op in writes if op.method == method and not op.idempotency_key and (method != "delete" or (op.flow == "unrelate") is unlink)]
        if not same:
            continue
        guarded = [op for _, op in same if if_match(op) is not None]
        tail = "; with If-Match, a retry of a write that already succeeded answers 412: re-read, then decide" if guarded else ""
        lines.append(f"- No key, by their method ({reason}{tail}): {'; '.join(_named(api, op) for api, op in same)}.")
    # an action changing no field and telling no one takes no key (design/api/operations.py): a retry only reads its row again
    unchanged = [_named(api, op) for api, op in writes if op.method == "post" and not op.idempotency_key and leaves_row(op)]
    if unchanged:
        lines.append(f"- No key, as they change nothing (each reads the row it names, changes no field and tells no one): {'; '.join(unchanged)}.")
    unsafe = [_named(api, op) for api, op in writes if op.method == "post" and not op.idempotency_key and not leaves_row(op)]
    if unsafe:
        lines.append(f"- No key and not idempotent (a retry may repeat the effect): {'; '.join(unsafe)}.")
    return [*lines, ""]


__all__ = ["retries_section"]
