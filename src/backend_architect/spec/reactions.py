"""Writes the server makes in reaction to other writes: ``after: [use case, ...]``.

A spec says "an inbox notification is created after each answer and each comment" by giving the notification's
use case ``after: [post answer, post comment]``. Without the key nothing in the language ties the notification to
the answer: the design drew it as a request any signed-in user could make, and no consumer of the answer's
event made it. The checks here keep the key meaningful: every name is a write of the same spec, a reaction
writes something itself and is not also scheduled, and no chain of reactions comes back to where it started
(each event would make the next one forever).
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.spec.field_types import suggest
from backend_architect.spec.model import Spec
from backend_architect.spec.problems import Note, Problem

#: Actor names that say the backend itself makes the write: no person's request.
SERVER_ACTORS = frozenset({"system", "server", "backend"})


def followed(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Each reaction's name with the names of the writes it follows, in spec order (only names the spec has).

    >>> s = Spec.model_validate({"system": "s", "entities": {"A": {}, "N": {}}, "use_cases": [
    ...     {"name": "add a", "writes": ["A"]}, {"name": "tell", "actor": "system", "writes": ["N"], "after": "add a"}]})
    >>> followed(s)
    {'tell': ('add a',)}
    """
    names = {u.name for u in spec.use_cases}
    return {u.name: tuple(n for n in dict.fromkeys(u.after) if n in names) for u in spec.use_cases if u.after}


def check_reactions(spec: Spec) -> Iterator[Problem]:
    """Every ``after`` names another use case that writes; a reaction writes and is not scheduled; no cycle of reactions.

    Why: a reaction to a read has no event to consume, one that writes nothing has nothing to make, and a
    scheduled reaction would be made twice (by the scheduler and by the consumer).
    """
    by_name = {u.name: u for u in spec.use_cases}
    for i, use_case in enumerate(spec.use_cases):
        if not use_case.after:
            continue
        if not use_case.writes:
            said = f"use case '{use_case.name}' follows other writes, so it needs writes: of its own (e.g. writes: [Notification])"
            yield Problem(("use_cases", i, "after"), said)
        if use_case.schedule is not None:
            yield Problem(("use_cases", i, "after"), "a reaction is made by a consumer of the writes it follows, so it must not have a schedule as well")
        for j, name in enumerate(use_case.after):
            other = by_name.get(name)
            if other is None:
                writes = [u.name for u in spec.use_cases if u.writes and u.name != use_case.name]
                hint = suggest(name, writes) or (f" (e.g. after: [{writes[0]}])" if writes else "")
                yield Problem(("use_cases", i, "after", j), f"unknown use case '{name}': 'after' takes names of the spec's writes{hint}")
            elif name == use_case.name:
                yield Problem(("use_cases", i, "after", j), "a use case cannot follow itself: 'after' takes names of other use cases that write")
            elif not other.writes:
                yield Problem(("use_cases", i, "after", j), f"'{name}' writes nothing, so no event follows it: 'after' takes names of use cases that write")
            elif other.schedule is not None or other.kind in {"job", "list", "get"}:
                # a job's run and a read that records its query publish no event of the rows they write for a consumer to take
                what = "a scheduled job" if other.schedule is not None or other.kind == "job" else f"a {other.kind}"
                yield Problem(("use_cases", i, "after", j), f"'{name}' is {what}: 'after' takes names of requests that write (a create, update or action)")
    follows = followed(spec)
    for i, use_case in enumerate(spec.use_cases):
        if use_case.name in follows and _comes_back(use_case.name, follows):
            said = f"the reactions following '{use_case.name}' come back to it (each event would make the next forever): 'after' needs a chain that ends"
            yield Problem(("use_cases", i, "after"), said)


def unreacting_notes(spec: Spec) -> list[Note]:
    """A write the server makes (actor system) on no schedule and after nothing: designed as a request, which it is not.

    Why: "notifications are created by the server after each answer" said only in words leaves the design a
    create operation some client must call and no consumer making the rows; ``after`` says which writes it follows.
    """
    notes = []
    for i, u in enumerate(spec.use_cases):
        if u.actor.lower() not in SERVER_ACTORS or not u.writes or u.after or u.schedule is not None:
            continue
        writes = [w.name for w in spec.use_cases if w.writes and w.name != u.name and w.actor.lower() not in SERVER_ACTORS]
        example = f" (e.g. after: [{writes[0]}])" if writes else ""
        said = (
            f"use case '{u.name}' is the server's ({u.actor}) but follows no write and has no schedule: it is designed as a request "
            f"another caller makes; if the server makes it after other writes, name them in after:{example}"
        )
        notes.append(Note(("use_cases", i, "actor"), said))
    return notes


def _comes_back(start: str, follows: dict[str, tuple[str, ...]]) -> bool:
    seen: set[str] = set()
    todo = [n for n in follows.get(start, ()) if n != start]
    while todo:
        name = todo.pop()
        if name == start:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(follows.get(name, ()))
    return False


__all__ = ["SERVER_ACTORS", "check_reactions", "followed", "unreacting_notes"]
