"""What a request naming one row states about it: the column it addresses the row by, and the other columns it carries.

A table sharded by another column than a row's address (views sharded by user_id, read by
``GET /views/{view_id}``) cannot hash the address to a shard. Whether such a read reaches one
shard or every shard depends on what else the request names: a parent id in its path
(``/chats/{chat_id}/messages/{message_id}`` on messages sharded by chat_id), or the caller's own
id on an owner-only request (the server fills it from the token and checks the owner by it). The
loads of the reads that name one row - a created row read back, the row an update or delete
finds first, a reference checked on its owner - state both here, so the cross-shard list
(``patterns/_cross_shard_reads.py``) counts each as the shards it reaches and never as one
shard's read by default.
"""

from __future__ import annotations

from backend_architect.ir.model import Operation, Table

#: The column a row is named by when its path names no column of its table (``{view_id}`` is the row's own ``id``).
ROW_ID = "id"


def path_parameters(op: Operation) -> list[str]:
    """The path parameters of ``op`` in path order: ``/chats/{chat_id}/messages/{message_id}`` -> chat_id, message_id.

    >>> op = Operation(operation_id="g", method="get", path="/chats/{chat_id}/messages/{message_id}", summary="", kind="get", tag="t")
    >>> path_parameters(op)
    ['chat_id', 'message_id']
    """
    return [part[1:-1] for part in op.path.split("/") if part.startswith("{") and part.endswith("}")]


def row_address(op: Operation | None, table: Table | None) -> str:
    """The column ``op`` names its one row by: the last path parameter when it is a column of ``table`` (a public ``code``),
    else the row's ``id`` (``{view_id}`` names the view's own id).

    >>> t = Table(name="videos", columns=[], primary_key=["id"])
    >>> op = Operation(operation_id="g", method="get", path="/videos/{code}", summary="", kind="get", tag="t")
    >>> row_address(op, t), row_address(None, t)
    ('id', 'id')
    """
    if op is None or table is None:
        return ROW_ID
    names = {c.name for c in table.columns}
    params = path_parameters(op)
    return params[-1] if params and params[-1] in names else ROW_ID


def carried(op: Operation | None, table: Table | None, caller_column: str | None) -> list[str]:
    """The columns of ``table`` the request names besides the row's address: its path's other parameters that are columns of
    the table (a parent id), and the caller's own reference when only the owner may call it (``caller_column``).

    >>> from backend_architect.ir.model import Column
    >>> t = Table(name="messages", columns=[Column(name="chat_id", type="uuid")], primary_key=["id"])
    >>> op = Operation(operation_id="g", method="get", path="/chats/{chat_id}/messages/{message_id}", summary="", kind="get", tag="t")
    >>> carried(op, t, None), carried(op.model_copy(update={"owner_only": True}), t, "user_id")
    (['chat_id'], ['chat_id', 'user_id'])
    """
    if op is None:
        return [caller_column] if caller_column else []
    names = {c.name for c in table.columns} if table is not None else set()
    params = path_parameters(op)
    found = [p for p in params[:-1] if p in names]
    if op.owner_only and caller_column and caller_column not in found:
        found.append(caller_column)
    return found


def scatters(table: Table, by: str, carries: list[str]) -> bool:
    """Whether a read of ``table``'s rows by ``by`` asks every shard today: the table is on its shards, ``by`` is not its shard
    key, the request carries no shard key value, ``by`` is not an id carrying its shard (``design/shard_ids.py``), and no
    uniqueness table holds ``by`` with the row's shard key.

    >>> from backend_architect.ir.model import Sharding
    >>> t = Table(name="views", columns=[], primary_key=["id"], sharding=Sharding(key="user_id", reason="r", now=True))
    >>> scatters(t, "id", []), scatters(t, "id", ["user_id"]), scatters(t, "user_id", [])
    (True, False, False)
    >>> scatters(t.model_copy(update={"sharding": t.sharding.model_copy(update={"id_shard": "ids carry it"})}), "id", [])
    False
    """
    sharding = table.sharding
    if sharding is None or sharding.now is False or not by or by == sharding.key or sharding.key in carries:
        return False
    if by == ROW_ID and sharding.id_shard:
        return False
    return not any(g.columns == [by] for g in sharding.uniques)


__all__ = ["ROW_ID", "carried", "path_parameters", "row_address", "scatters"]
