"""The container a members-only write really acts in: a row naming a container and that container's ancestor belongs to the container.

``design.membership`` checks a request's scope; this module says which scope a write names when it
names two of a chain (a message sent into a channel with its server's id beside it): the nearer
container, whose parent column leads to the scope, and the ancestor id the request sends must agree
with it, so a member of one server cannot post into another's channel by naming their own server.
"""

from __future__ import annotations

from backend_architect.spec.model import Spec


def ancestors(spec: Spec, entity: str, caller: str | None = None) -> list[str]:
    """``entity``'s ``part_of`` ancestors, nearest first (a channel's server, a comment's card, board and workspace); with
    ``caller``, a reference to a scope of ``caller``'s members the row is kept in leads up too (``membership.container_ref``).

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Server": {"fields": {"t": "string"}},
    ...     "Channel": {"part_of": "Server", "fields": {"t": "string"}}, "Thread": {"part_of": "Channel", "fields": {"t": "string"}}}})
    >>> ancestors(spec, "Thread"), ancestors(spec, "Server")
    (['Channel', 'Server'], [])
    """
    found: list[str] = []
    # membership reads which container a request names from this module
    from backend_architect.design.membership import container_ref

    def parent(name: str) -> str | None:
        return spec.entities[name].part_of or (container_ref(spec, name, caller) if caller else None)

    current = parent(entity) if entity in spec.entities else None
    while current is not None and current in spec.entities and current not in found and current != entity:
        found.append(current)
        current = parent(current)
    return found


def real_container(spec: Spec, named: list[tuple[str, str, str]], *, write: bool = True, caller: str | None = None) -> list[tuple[str, str, str, list[str]]]:
    """The scopes a request names, the container its row really belongs to first, each with the ids sent beside it that must agree.

    Why: a row naming both a container and that container's ancestor (a message sent into a channel with a ``guild_id`` beside
    it) belongs to the container; its ancestor is the container's parent, not the client's word. Checking the membership of
    the ancestor the client names would let a member of one server post into any channel of another, so the check reaches
    the scope through the container's parent column, and the ancestor id the write sends (in its path, query or body) must
    equal it (``agree_status`` where it does not). A read's filters naming both only narrow what a member sees, and a stored
    row's columns (``row``) were checked when it was written, so neither is said.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Server": {"fields": {"t": "string"}},
    ...     "Channel": {"part_of": "Server", "fields": {"t": "string"}}}})
    >>> real_container(spec, [("server", "Server", "body"), ("channel", "Channel", "path")])
    [('channel', 'Channel', 'path', ['server_id']), ('server', 'Server', 'body', [])]
    >>> real_container(spec, [("server", "Server", "query"), ("channel", "Channel", "query")], write=False)[0]
    ('server', 'Server', 'query', [])
    """
    out: list[tuple[str, str, str, list[str]]] = []
    for field, target, where in named:
        sent = [f"{f}_id" for f, other, at in named if write and at != "row" and other != target and other in ancestors(spec, target, caller)]
        out.append((field, target, where, sent))
    # a container named beside its own ancestor comes first: the ancestor is read from it, not taken from the request
    return [*(row for row in out if row[3]), *(row for row in out if not row[3])]


def agree_status(named: list[tuple[str, str, str]], agrees: list[str]) -> int:
    """What a request naming another ancestor than its container's gets: 404 for a path's id (as an unknown one), else 422."""
    return 404 if any(f"{f}_id" in agrees and at == "path" for f, _t, at in named) else 422


def agreement(agrees: list[str], field: str, scope: str, via: list[str], status: int = 422) -> str:
    """What a check says of the ancestor ids a write sends: each must equal the one read from the named container (empty: none).

    >>> agreement(["guild_id"], "channel", "Guild", ["channels.guild_id"])[:86]
    '; the guild_id the request sends must be the Guild the channel belongs to (channels.gu'
    """
    if not agrees:
        return ""
    return (
        f"; the {', '.join(agrees)} the request sends must be the {scope} the {field} belongs to ({' -> '.join(via)}), else {status}: "
        f"the {scope} is read from the {field}, never taken from the request"
    )


__all__ = ["agree_status", "agreement", "ancestors", "real_container"]
