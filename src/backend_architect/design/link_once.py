"""A link entity's unique pair says what repeating the write that makes it does, read from the contract's operation.

A link (a driver's decline of a trip, a user's follow of another) holds its pair once. What a
client sees when it makes the link again depends on the operation the contract gives it: a PUT
on the relationship finds the row and answers as the first time; a POST creating the link
resource is refused with 409 on the constraint, unless it replays its Idempotency-Key and gets
the first answer. The data stage writes the rule before the API exists, so the sentence is
restated here from the operations that create the link, and never names a method the contract
does not have.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Operation, Table

#: What the data stage says of a link's unique pair before the contract is decided (restated by ``with_link_once_said``).
LINK_ONCE = "a link exists once: making it again finds this row"


def repeat_said(ops: list[tuple[str, Operation]]) -> str:
    """What making the link again does, for the operations creating it (none: a second insert of the pair is refused).

    >>> put = Operation(operation_id="f", method="put", path="/users/{id}/follows/{other_id}", summary="", kind="create", tag="t")
    >>> repeat_said([("/v1", put)])
    'a link exists once: making it again (PUT /v1/users/{id}/follows/{other_id}, idempotent) finds this row and answers as the first time'
    """
    if not ops:
        return "a link exists once: a second insert of the pair fails on this constraint"
    said = []
    for base, op in ops:
        call = f"{op.method.upper()} {base}{op.path}"
        if op.method == "put":
            said.append(f"making it again ({call}, idempotent) finds this row and answers as the first time")
            continue
        refused = "is refused 409 Conflict on this constraint" if 409 in op.error_statuses else "fails on this constraint"
        replay = "; a retry with the same Idempotency-Key gets the first answer" if op.idempotency_key else ""
        said.append(f"making it again ({call}) {refused}{replay}")
    return "a link exists once: " + "; ".join(said)


def _creating(arch: Architecture, entity: str) -> list[tuple[str, Operation]]:
    """The contract's operations that make rows of ``entity`` (with their base path): its creates and relationship PUTs."""
    return [(api.base_path, op) for api in arch.apis for op in api.operations if op.entity == entity and (op.kind == "create" or op.flow == "relate")]


def _restated(table: Table, said: str) -> Table:
    uniques = [u.model_copy(update={"reason": u.reason.replace(LINK_ONCE, said)}) for u in table.uniques]
    indexes = [i.model_copy(update={"reasons": [r.replace(LINK_ONCE, said) for r in i.reasons]}) for i in table.indexes]
    return table.model_copy(update={"uniques": uniques, "indexes": indexes})


def with_link_once_said(arch: Architecture) -> Architecture:
    """``arch`` with each link table's unique pair saying what the operation that makes the link answers when repeated."""
    stores = []
    for store in arch.datastores:
        tables = [
            _restated(t, repeat_said(_creating(arch, t.entity)))
            if t.entity and (any(LINK_ONCE in u.reason for u in t.uniques) or any(LINK_ONCE in r for i in t.indexes for r in i.reasons))
            else t
            for t in store.tables
        ]
        stores.append(store.model_copy(update={"tables": tables}))
    return arch.model_copy(update={"datastores": stores})


__all__ = ["LINK_ONCE", "repeat_said", "with_link_once_said"]
