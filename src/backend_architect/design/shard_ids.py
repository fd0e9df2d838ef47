"""Ids that carry their shard: a sharded table's UUIDv7 ids hold the row's logical shard, so a read by id reaches one shard.

A table sharded by another column than its id (messages by chat_id, views by user_id) cannot hash
an id alone to a shard: a read, update, delete or existence check naming the row by its id only
asks every shard (``row_address.scatters``), and at a hot rate that scatter multiplies each
shard's reads by the shard count (a chat's messages checked by id at 69,444/s over 2,007 shards).
The standard remedy (Instagram's ids carry a 13-bit logical shard) fits UUIDv7: RFC 9562 leaves
its 12 ``rand_a`` bits to the generator, so the application writes the row's logical shard there
at insert, ``hash(shard key) mod 4,096``; the shard map maps the 4,096 logical shards onto the
physical ones, and a read by id takes the logical shard from the id and goes to one shard.

When: always, for a sharded table whose ids the design makes (UUIDv7, one ``id`` column) as soon
as one read by its id would ask every shard. The cost is nil at any rate (12 of UUIDv7's 74 random
bits, still 62 random bits per millisecond), and the scatter it removes costs ``rate x shards``
reads a second, so no threshold below which the scatter would be the better design exists.

Limits, each a reason it does not apply: the 4,096 logical shards cap the physical shards (a map
past 4,096 shards keeps the scatter); a row's shard key cannot change after insert, as its id
would then name the wrong shard (a table whose update writes the shard key keeps the scatter).
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.ownership import caller_reference
from backend_architect.design.patterns._common import fmt
from backend_architect.design.row_address import ROW_ID
from backend_architect.ir.model import Datastore, Decision, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import TENANT_COLUMN, snake

#: Logical shards an id can name: UUIDv7's 12 ``rand_a`` bits (RFC 9562 section 5.7), 2 ** 12.
LOGICAL_SHARDS = 4_096
#: The bits of the id that hold the logical shard.
LOGICAL_SHARD_BITS = 12
#: What every record says of such ids, for the reader who meets the phrase "the id carries its shard".
HOW = f"hash(shard key) mod {LOGICAL_SHARDS:,} written into the id's {LOGICAL_SHARD_BITS} rand_a bits (RFC 9562 UUIDv7) at insert"


def _implicit(spec: Spec, use_case: UseCase, table: Table) -> set[str]:
    """Columns a whole-row update never writes: the parent id its path names, the tenant, the caller's own reference."""
    entity = spec.entities.get(table.entity or "")
    parent = {f"{snake(entity.part_of)}_id"} if entity is not None and entity.part_of else set()
    mine = caller_reference(spec, table.entity or "", use_case.caller)
    return parent | {TENANT_COLUMN} | ({f"{mine}_id", mine} if mine else set()) | ({use_case.caller_column} if use_case.caller_column else set())


def shard_key_changed_by(spec: Spec, analysis: Analysis, table: Table) -> str | None:
    """The first use case that writes ``table``'s shard key after insert (its id would name the wrong shard), else None.

    An update naming its fields changes the key when it names it; one naming none (``writes: [View]``) sends every writable
    field, all but the parent id its path names, the tenant and the caller's own reference.
    """
    if table.sharding is None:
        return None
    key = table.sharding.key
    for u in analysis.use_cases:
        if u.entity != table.entity or u.kind not in {"update", "replace", "action"}:
            continue
        if key in u.written_columns or (not u.written_columns and u.kind in {"update", "replace"} and key not in _implicit(spec, u, table)):
            return u.name
    return None


def can_carry_shard(spec: Spec, analysis: Analysis, table: Table, shards: int) -> bool:
    """Whether ``table``'s ids may carry its logical shard: sharded by another column than its id, keyed by a UUIDv7 ``id`` the
    design makes, at most ``LOGICAL_SHARDS`` physical shards, and no use case changing the shard key after insert."""
    sharding = table.sharding
    if sharding is None or sharding.key == ROW_ID or table.key_strategy != "uuidv7" or ROW_ID not in table.primary_key:
        return False
    return shards <= LOGICAL_SHARDS and shard_key_changed_by(spec, analysis, table) is None


def id_shard_said(key: str, rate: float, shards: int) -> str:
    """The record of a table whose ids carry their shard: how, and the scatter it replaces (``rate`` reads/s by id over ``shards``).

    >>> id_shard_said("chat_id", 1000.0, 8).split(": ", 1)[1]
    '1,000/s of reads by id go to one shard instead of asking each of 8 shards (8,000 shard reads/s); chat_id never changes after insert'
    """
    return (
        f"ids carry the row's logical shard (hash({key}) mod {LOGICAL_SHARDS:,} in the id's {LOGICAL_SHARD_BITS} rand_a bits of RFC 9562 UUIDv7, "
        f"set by the application at insert; the shard map maps the {LOGICAL_SHARDS:,} logical shards onto {shards:,} physical ones): "
        f"{fmt(rate)}/s of reads by id go to one shard instead of asking each of {shards:,} shards ({fmt(rate * shards)} shard reads/s); "
        f"{key} never changes after insert"
    )


#: How the key record's clause naming the tables whose ids the application makes begins and goes on (the critic, DES008, reads it).
MADE_LEAD = "the ids of "
MADE_BY = " are made by the application"
#: How the id column's comment says who makes it.
ID_COMMENT = (
    f"UUIDv7 made by the application, never by a column default: its {LOGICAL_SHARD_BITS} rand_a bits hold the row's logical shard "
    f"(hash of the shard key mod {LOGICAL_SHARDS:,}), so a read by id reaches one shard"
)


def with_shard_ids(table: Table) -> Table:
    """``table`` with ids carrying their logical shard: its key reason says how and why (``Sharding.id_shard``), and its id
    column has no default (a database-made UUIDv7 would hold random bits where the shard belongs) and says who makes it.

    >>> from backend_architect.ir.model import Column, Sharding
    >>> t = Table(name="logs", columns=[Column(name="id", type="uuid", default="uuidv7()")], primary_key=["id"], key_strategy="uuidv7",
    ...           key_reason="ids appear in URLs", sharding=Sharding(key="source_id", reason="r", id_shard="ids carry the row's logical shard"))
    >>> made = with_shard_ids(t)
    >>> made.columns[0].default, made.key_reason
    (None, "ids appear in URLs; ids carry the row's logical shard")
    """
    if table.sharding is None or not table.sharding.id_shard:
        return table
    columns = [c.model_copy(update={"default": None, "comment": ID_COMMENT}) if c.name == ROW_ID else c for c in table.columns]
    reason = f"{table.key_reason}; {table.sharding.id_shard}" if table.key_reason else table.sharding.id_shard
    return table.model_copy(update={"columns": columns, "key_reason": reason})


#: How the key record's clause naming the tables whose UUIDv7 ids a column default makes begins (``data_decisions.key_decision``).
_DEFAULT_LEAD = "UUIDv7 for "


def without_defaults(choice: str, made: set[str]) -> str:
    """``choice`` with the tables in ``made`` taken out of its "UUIDv7 for a, b by DEFAULT f()" clause (the clause dropped when
    none is left): their ids are made by the application and their columns have no default, so a record naming them under
    the default would say two things of one key (the DDL says the other).

    >>> without_defaults("UUIDv7 for users, logs by DEFAULT uuidv7(); bigint identity for jobs", {"logs"})
    'UUIDv7 for users by DEFAULT uuidv7(); bigint identity for jobs'
    >>> without_defaults("UUIDv7 for logs by DEFAULT uuidv7(); bigint identity for jobs", {"logs"})
    'bigint identity for jobs'
    """
    clauses = []
    for clause in choice.split("; "):
        if clause.startswith(_DEFAULT_LEAD) and " by DEFAULT " in clause:
            names, by = clause.removeprefix(_DEFAULT_LEAD).split(" by DEFAULT ", 1)
            kept = [n for n in names.split(", ") if n not in made]
            if not kept:
                continue
            clause = f"{_DEFAULT_LEAD}{', '.join(kept)} by DEFAULT {by}"
        clauses.append(clause)
    return "; ".join(clauses)


def keys_with_shard_ids(record: Decision, stores: list[Datastore]) -> Decision:
    """The key record saying which tables' UUIDv7 ids the application makes with their logical shard in them (their columns have
    no default), and why, with the reads by id that decided it in the rationale: the ADR, the hand-off and the critic
    (DES008: a table named so has no default) read it. Appended as its own clause, so the clauses before it keep what the
    data stage said of every key (an overruled record's "what the numbers chose" is that text).

    >>> from backend_architect.ir.model import Sharding
    >>> t = Table(name="logs", columns=[], primary_key=["id"], key_strategy="uuidv7", sharding=Sharding(key="source_id", reason="r", id_shard="said"))
    >>> d = Decision(id="keys", area="data", title="t", choice="UUIDv7 for users, logs by DEFAULT uuidv7()", context="c", rationale="r")
    >>> keys_with_shard_ids(d, [Datastore(name="db", tables=[t])]).choice.split("; ")[1][:53]
    'the ids of logs are made by the application, carrying'
    """
    carrying = {t.name: t.sharding.id_shard for s in stores for t in s.tables if t.sharding is not None and t.sharding.id_shard}
    if not carrying:
        return record
    names = ", ".join(carrying)
    choice = without_defaults(record.choice, set(carrying))
    made = f"{MADE_LEAD}{names}{MADE_BY}, carrying the row's logical shard ({HOW}): a read by id reaches one shard"
    why = "; ".join(f"{name}: {said}" for name, said in carrying.items())
    limits = (
        f"The {LOGICAL_SHARDS:,} logical shards cap each of these maps at {LOGICAL_SHARDS:,} physical shards, and a row's shard key never "
        "changes after insert (its id would name the wrong shard); an id made without the shard bits (a database default, a client "
        "library's plain UUIDv7) routes its reads to the wrong shard, so those columns have no default."
    )
    return record.model_copy(
        update={
            "choice": f"{choice}; {made}",
            "rationale": f"{record.rationale}; ids carrying their shard, where a read by id alone would ask every shard: {why}",
            "consequences": f"{record.consequences} {limits}".strip(),
        }
    )


__all__ = [
    "HOW",
    "ID_COMMENT",
    "LOGICAL_SHARDS",
    "LOGICAL_SHARD_BITS",
    "MADE_BY",
    "MADE_LEAD",
    "can_carry_shard",
    "id_shard_said",
    "keys_with_shard_ids",
    "shard_key_changed_by",
    "with_shard_ids",
    "without_defaults",
]
