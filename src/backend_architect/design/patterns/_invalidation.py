"""How a write reaches the cached keys of a read it changes: named from the services and events the design has.

An invalidation said to come "from events" is only as true as the events: a writer publishing none leaves every
cached key to its TTL, while the text promises earlier deletes (a list-comments cache "invalidated from Comment
events" in a design whose comments service publishes nothing). So each written entity gets the route its owner
really offers:

- the reading service owns it: its own write deletes the keys after the transaction commits (deleting before would let
  a concurrent miss refill the old row), so no event is needed;
- another service owns it and publishes events of it the reading service consumes: it deletes the keys as it consumes them;
- another service owns it and publishes none the reader consumes: nothing deletes the keys early, the TTL alone bounds staleness.
"""

from __future__ import annotations

from backend_architect.design.patterns._common import owner_of
from backend_architect.ir.model import Architecture


def invalidation_routes(arch: Architecture, reader: str, written: list[str]) -> str:
    """How writes to each of ``written`` delete the keys ``reader`` caches, grouped by route, in ``written``'s order.

    >>> from backend_architect.ir.model import Architecture, Service
    >>> arch = Architecture(system="s", services=[Service(name="comments", entities=["Comment"]), Service(name="users", entities=["User"])])
    >>> own, other = invalidation_routes(arch, "comments", ["Comment", "User"]).split("; ")
    >>> own
    'comments deletes the keys after each write to Comment commits'
    >>> other
    'users publishes no events of User to comments: the TTL alone bounds staleness after its writes'
    """
    own = [e for e in written if owner_of(arch, e) in {reader, ""}]
    said = [f"{reader} deletes the keys after each write to {', '.join(own)} commits"] if own else []
    for entity in (e for e in written if e not in own):
        owner = owner_of(arch, entity)
        # an event the reader does not consume deletes nothing in it
        events = sorted({e.name for e in arch.events if e.entity == entity and e.producer == owner and reader in e.consumers})
        if events:
            said.append(f"{reader} deletes the keys on consuming {', '.join(events)} from {owner}")
        else:
            said.append(f"{owner} publishes no events of {entity} to {reader}: the TTL alone bounds staleness after its writes")
    return "; ".join(said)
