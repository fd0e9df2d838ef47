"""Primary keys are made the way the key decision says: the kind of key, and the function that makes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from backend_architect.ir.model import Architecture, Decision, Table
from backend_architect.rules.model import Finding, Rule, Severity, rule

#: UUID generators by the version of UUID they make (PostgreSQL core, uuid-ossp, pg_uuidv7 and common hand-written names).
UUID_VERSIONS: dict[str, str] = {
    "uuidv7": "UUIDv7",
    "uuid_generate_v7": "UUIDv7",
    "uuid7": "UUIDv7",
    "gen_random_uuid": "a random UUIDv4",
    "uuid_generate_v4": "a random UUIDv4",
    "uuidv4": "a random UUIDv4",
    "uuid_generate_v1": "a time-and-MAC UUIDv1",
    "uuid_generate_v1mc": "a time-and-MAC UUIDv1",
}
_CALL = re.compile(r"^\s*(?:[\w\"]+\.)?\"?(\w+)\"?\s*\(\s*\)\s*$")
_GENERATED_BY = re.compile(r"\s+by DEFAULT\s+(\S+\(\))")
#: How the key decision names the tables whose UUIDv7 ids the application makes (``design/shard_ids.py``: they carry their shard).
_MADE_LEAD = "the ids of "
_MADE_BY = " are made by the application"


@dataclass(frozen=True)
class _Claim:
    """What the decision says about one table's key: its kind and, for UUIDv7, the default that makes it (None: any)."""

    kind: str
    function: str | None = None


def _claims(decision: Decision) -> list[tuple[str, _Claim]]:
    """What the key decision's choice says of each table it names: ``UUIDv7 for a, b by DEFAULT f()``, ``bigint identity for c``, ..."""
    found: list[tuple[str, _Claim]] = []
    for clause in decision.choice.split(";"):
        clause = clause.strip()
        if clause.startswith(_MADE_LEAD) and _MADE_BY in clause:
            # ids the application makes (carrying their shard): UUIDv7 with no default, whatever an earlier clause said of them
            made = {n.strip() for n in clause.removeprefix(_MADE_LEAD).split(_MADE_BY, 1)[0].split(",")}
            found = [(name, _Claim("uuidv7") if name in made else claim) for name, claim in found]
            # named here alone (the clause keying by a default leaves them out): held to no default all the same
            found += [(name, _Claim("uuidv7")) for name in sorted(made - {n for n, _ in found}) if name]
            continue
        for lead, kind in (("UUIDv7 for ", "uuidv7"), ("bigint identity for ", "identity"), ("composite keys for join tables ", "composite")):
            if not clause.startswith(lead):
                continue
            names = clause.removeprefix(lead)
            generated = _GENERATED_BY.search(names)
            if generated is not None:
                names = names[: generated.start()]
            function = generated.group(1) if generated else None
            for name in (n.strip() for n in names.split(",")):
                if name:
                    found.append((name, _Claim(kind, function)))
    return found


def _function(default: str | None) -> str | None:
    """The function a default calls, without schema or quotes: ``public.uuid_generate_v7()`` -> ``uuid_generate_v7``."""
    match = _CALL.match(default or "")
    return match.group(1).lower() if match else None


def _contradiction(table: Table, claim: _Claim) -> str | None:
    """How the table's key differs from the claim, in words, or None when it is made as claimed."""
    # a partitioned table's key also holds its partition column (PostgreSQL requires it); the id is the rest
    partition = table.partitioning.column if table.partitioning is not None and len(table.primary_key) > 1 else None
    key = [c for c in table.columns if c.name in table.primary_key and c.name != partition]
    if claim.kind == "composite":
        generated = [c.name for c in key if c.identity or c.default is not None]
        return f"its key column {generated[0]} is generated" if generated else None
    if len(key) != 1:
        return f"its key is ({', '.join(table.primary_key) or 'none'})"
    column = key[0]
    made = f"{table.name}.{column.name} is {column.type}" + (" identity" if column.identity else "") + (f" DEFAULT {column.default}" if column.default else "")
    if claim.kind == "identity":
        return None if column.identity and column.type in {"bigint", "integer", "smallint"} else made
    if column.type != "uuid" or column.identity:
        return made
    called = _function(column.default)
    makes = UUID_VERSIONS.get(called or "")
    note = f" ({makes})" if makes not in {None, "UUIDv7"} else ""
    if claim.function is not None:
        if column.default is None:
            return f"{table.name}.{column.name} has no default"
        return None if called == _function(claim.function) else made + note
    return None if column.default is None or makes == "UUIDv7" else made + note


def _said(claim: _Claim) -> str:
    words = {"uuidv7": "UUIDv7", "identity": "a bigint identity", "composite": "a composite key"}[claim.kind]
    return words + (f" by DEFAULT {claim.function}" if claim.function else "")


@rule(
    code="DES008",
    name="key-contradicts-decision",
    severity=Severity.ERROR,
    title="A table's key is not made the way the key decision says",
    fix="Make the key column what the decision says (its type, identity and default), or change the decision: the DDL and the record must agree.",
)
def key_contradicts_decision(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reads the "Primary keys" decision (``id: keys``): which tables it keys by UUIDv7 and
    with what default, by a bigint identity, or by a composite key; and finds every table
    whose key column is something else — another type, no identity, a UUID default of
    another version or another function. Tables the decision does not name are held to
    their own key strategy, under the decision's UUIDv7 default; the partition column a
    partitioned table's key must hold is not part of the id. Architectures without a key
    decision (reviewed SQL, OpenAPI) are left alone.

    ## Why is this bad?
    The decision record is what reviewers and implementers read; the DDL is what runs. An
    ADR choosing UUIDv7 for its time order over a DDL defaulting to ``gen_random_uuid()``
    (a random UUIDv4) ships the write amplification the record says it avoided: random
    keys spread inserts over every leaf page of the index. A decision naming the built-in
    ``uuidv7()`` over a schema for PostgreSQL 16 fails when the DDL runs.

    ## Example
    decisions: [{id: keys, choice: "UUIDv7 for orders by DEFAULT uuid_generate_v7()"}];
    orders.id uuid DEFAULT gen_random_uuid()

    Use instead:
    orders.id uuid DEFAULT uuid_generate_v7() (with the function defined where PostgreSQL is older than 18)

    ## References
    RFC 9562, "Universally Unique IDentifiers (UUIDs)", section 5.7 (UUID version 7);
    PostgreSQL 18 documentation, "UUID Functions".
    """
    decision = next((d for d in arch.decisions if d.id == "keys"), None)
    if decision is None:
        return
    claims = _claims(decision)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    uuid_function = next((c.function for _, c in claims if c.kind == "uuidv7" and c.function), None)
    named = {name for name, _ in claims}
    for name in sorted(named - set(tables)):
        yield self.finding(f"decision {decision.id}", f"'{decision.title}' names {name}, which no datastore holds")
    for name, claim in claims:
        problem = _contradiction(tables[name], claim) if name in tables else None
        if problem is not None:
            yield self.finding(f"table {name}", f"'{decision.title}' says {_said(claim)}, but {problem}")
    for name, table in tables.items():
        if name in named:
            continue
        # a table a later stage added: held to its own strategy, made as the decision makes that kind
        claim = _Claim(table.key_strategy, uuid_function if table.key_strategy == "uuidv7" else None)
        problem = _contradiction(table, claim)
        if problem is not None:
            yield self.finding(f"table {name}", f"its key strategy is {table.key_strategy}, and '{decision.title}' makes those {_said(claim)}, but {problem}")
