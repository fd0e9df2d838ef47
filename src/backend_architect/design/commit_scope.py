"""Whether rows a request writes together commit in one transaction, read from where the finished design put their tables.

A sentence written before the sharding decision ("'request ride' writes TripOffer with Trip in one
transaction") is true only while both tables live on one server. Once the partitioning stage puts
them on different shard maps, or one on a shard map and one on the unsharded primary, or in
different services' databases, no transaction holds both: the design's mechanism is then the
cross-shard write (PAT053: one row commits with an outbox event, an applier writes the rest) or a
saga between services. ``together`` says which, so a note naming the write says what the design does.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.co_writes import placements
from backend_architect.ir.model import Architecture

#: What a note says of rows committed on one server.
ONE_TRANSACTION = "in one transaction"


@dataclass(frozen=True)
class Apart:
    """A table whose rows a use case writes with the rows of another but which live elsewhere, and from when."""

    table: str
    #: 'now', or when the rows part (once a table is sharded): the cross-shard write's record.
    since: str
    #: The table whose row commits first with the outbox event (the others follow through the relay); '' across services.
    home: str = ""


def apart(arch: Architecture, use_case: str, table: str, others: list[str]) -> list[Apart]:
    """The tables of ``others`` whose rows ``use_case`` writes with ``table``'s but commits on another server, today or later.

    The cross-shard write's records (``Sharding.co_writes``) name the pairs one database holds apart, and which row commits
    first; tables of different databases are apart from the start (a saga between services, no home).
    """
    where = placements(arch)
    recorded: dict[str, Apart] = {}
    for store in arch.datastores:
        for held in store.tables:
            for write in held.sharding.co_writes if held.sharding else []:
                pair = {held.name, *write.tables}
                if write.use_case == use_case and table in pair:
                    for other in sorted(pair - {table}):
                        recorded.setdefault(other, Apart(other, write.since or "now", held.name))
    found = []
    for other in others:
        if other in recorded:
            found.append(recorded[other])
        elif other in where and table in where and where[other][0] != where[table][0]:
            found.append(Apart(other, "now"))
    return found


def together(table: str, parted: list[Apart]) -> str:
    """How ``table``'s rows commit with the others a request writes, for a note: in one transaction when nothing is apart,
    else the mechanism that replaces it.

    >>> together("trips", [])
    'in one transaction'
    >>> print(together("trips", [Apart("payments", "now", "trips")]))
    in one request, not in one transaction: payments rows live on another server than trips's and follow its commit through the outbox relay ...
    >>> together("payments", [Apart("trips", "now", "trips")]) == together("trips", [Apart("payments", "now", "trips")])
    True
    >>> together("members", [Apart("groups", "once members is sharded, in 10 months", "groups")])[:80]
    'in one transaction until their rows part (once members is sharded, in 10 months)'
    """
    if not parted:
        return ONE_TRANSACTION
    shards = [a for a in parted if a.home]
    services = [a.table for a in parted if not a.home]
    later = list(dict.fromkeys(a.since for a in shards if a.since != "now"))
    home = shards[0].home if shards else ""
    followers = sorted({table, *(a.table for a in shards)} - {home})
    relayed = f"{', '.join(followers)} rows live on another server than {home}'s and follow its commit through the outbox relay (see Writes across shards)"
    if later and not services:
        return f"{ONE_TRANSACTION} until their rows part ({'; '.join(later)}); then {relayed}"
    parts = [relayed] if shards else []
    if services:
        parts.append(f"{', '.join(services)} rows live in another service's database and follow by an event (a saga), not a transaction")
    return "in one request, not in one transaction: " + "; ".join(parts)


__all__ = ["ONE_TRANSACTION", "Apart", "apart", "together"]
