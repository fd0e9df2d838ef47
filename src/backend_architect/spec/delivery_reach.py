"""Whether a write can find the people ``deliver.to`` names: a reference chain from the written row to them.

``deliver.to: Trip.customer`` promises each write to a Trip's customer, and the gateway publishes on that customer's
channel only if the message names them; the write can name them only by reading the rows on the way from the row it
writes (a receipt's message, then its sender: each hop a read the design draws and counts). A Driver row that refers
to no Trip gives the write no Trip to read (finding one would be a list of the Trips referring to the driver, a read
the spec does not state), so the author is told where the promise has no path, with the reference that would give it
one. Deliveries to the members of a room the row belongs to (``ChatMember.user`` for a message in a chat) are reached
through the room and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend_architect.spec.model import Spec
from backend_architect.spec.problems import Note
from backend_architect.spec.subject import primary_entity

#: References followed from the written row, as the design's routes follow them (``part_of`` counts as one).
MAX_HOPS = 3


def reachable(spec: Spec, entity: str) -> set[str]:
    """The entities a row of ``entity`` reaches through its references, up to ``MAX_HOPS`` hops, itself included.

    >>> spec = Spec.model_validate({"system": "s", "entities": {"Chat": {}, "Message": {"fields": {"chat": "ref(Chat)"}}}})
    >>> sorted(reachable(spec, "Message")), sorted(reachable(spec, "Chat"))
    (['Chat', 'Message'], ['Chat'])
    """
    seen, frontier = {entity}, [entity]
    for _ in range(MAX_HOPS):
        level = []
        for name in frontier:
            body = spec.entities[name]
            targets = [body.part_of] if body.part_of else []
            targets += [f.type.target for f in body.fields.values() if f.type.kind == "ref" and f.type.target]
            level += [t for t in targets if t in spec.entities and t not in seen]
        seen.update(level)
        frontier = level
    return seen


def _room_member(spec: Spec, owner: str, reached: set[str], written: str) -> bool:
    """Whether ``owner`` rows are the membership of a room the written row belongs to (part of it, or referring to it)."""
    body = spec.entities[owner]
    rooms = {body.part_of} if body.part_of else set()
    rooms |= {f.type.target for f in body.fields.values() if f.type.kind == "ref" and f.type.target}
    return bool((rooms & reached) - {written})


def unreached_recipients(spec: Spec) -> Iterator[Note]:
    """A note for each ``deliver.to: Entity.field`` whose Entity the written row does not reach, nor a room of it."""
    for i, use_case in enumerate(spec.use_cases):
        to = use_case.deliver.to if use_case.deliver else None
        written = primary_entity(spec, use_case) if use_case.writes else None
        if not to or "." not in to or written not in spec.entities or use_case.avg_fanout or use_case.near:
            continue
        owner, _, field = to.partition(".")
        if owner not in spec.entities or owner == written:
            continue
        reached = reachable(spec, written)
        if owner in reached or _room_member(spec, owner, reached, written):
            continue
        yield Note(
            ("use_cases", i, "deliver", "to"),
            f"'{use_case.name}' writes a {written} row, which refers to no {owner}: the write has no {owner} to read its {field} from, "
            f"so nothing names the recipient of each message. Add the reference the write follows (e.g. a field "
            f"'{owner.lower()}: ref({owner})?' on {written}), or deliver to whoever watches the {written}",
        )


__all__ = ["MAX_HOPS", "reachable", "unreached_recipients"]
