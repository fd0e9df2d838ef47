"""Table shape: names PostgreSQL truncates, repeated groups, very wide tables, polymorphic keys, EAV."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.ir.model import Architecture, ParseProblem
from backend_architect.nouns import plural
from backend_architect.rules.model import Finding, Rule, Severity, rule
from backend_architect.rules.sql import design_tables, location, where

#: PostgreSQL's NAMEDATALEN - 1.
MAX_IDENTIFIER_BYTES = 63
#: Columns past which a table is "wide".
WIDE_TABLE_COLUMNS = 60
_NUMBERED = re.compile(r"^(?P<stem>[a-z_]*?[a-z])_?(?P<n>\d+)$")
_EAV_KEY = frozenset({"attribute", "attribute_name", "attr", "key", "name", "property", "field"})
_EAV_VALUE = frozenset({"value", "attribute_value", "val", "property_value", "field_value"})


@rule(
    code="SQL013",
    name="identifier-too-long",
    severity=Severity.ERROR,
    title="Identifier longer than 63 bytes",
    fix="Shorten the name to 63 bytes or fewer.",
)
def identifier_too_long(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds table, column, index and constraint names longer than 63 bytes (in the DDL text:
    the parser, like the server, has already cut them).

    ## Why is this bad?
    PostgreSQL truncates them silently to 63 bytes: two long names that share a prefix
    collide, and a migration that names the long form finds nothing to drop.

    ## Example
    CREATE TABLE t (id bigint PRIMARY KEY, a_very_long_column_name_that_goes_on_and_on_past_the_limit_of_postgres int);

    Use instead:
    CREATE TABLE t (id bigint PRIMARY KEY, short_name int);
    """
    for store, table in design_tables(arch):
        names = [table.name, *(c.name for c in table.columns), *(i.name for i in table.indexes), *(fk.name for fk in table.foreign_keys)]
        long = [n for n in names if len(n.encode()) > MAX_IDENTIFIER_BYTES] + table.long_identifiers
        for name in sorted(set(long)):
            message = f"name {name!r} is {len(name.encode())} bytes; PostgreSQL keeps the first 63"
            yield self.finding(where(store, table), message, location(table.source))


def _slots(columns: list[str]) -> bool:
    """Numbered like slots of one list: 1, 2, 3... (or from 0). iso_code_1 and iso_code_3 (ISO 639-1 and 639-3), cvss_score_v2 and
    cvss_score_v3 are distinct standards, not repeated values.

    >>> _slots(["phone1", "phone2"]), _slots(["iso_code_1", "iso_code_3"]), _slots(["cvss_score_v2", "cvss_score_v3"]), _slots(["type0", "type1"])
    (True, False, False, False)
    """
    numbers = sorted(int(m["n"]) for c in columns if (m := _NUMBERED.match(c)))
    if numbers == [0, 1]:
        return False  # MusicBrainz's entity_type0/entity_type1: the two ends of a relationship
    return numbers[:1] in ([0], [1]) and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


@rule(
    code="SQL014",
    name="repeated-column-group",
    severity=Severity.WARNING,
    title="Numbered columns repeat one attribute",
    fix="Move the repeated attribute to a child table with one row per value.",
)
def repeated_column_group(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables with two or more columns that differ only by a number (`phone1`, `phone2`,
    `email_1`, `email_2`). Numbered foreign keys (`entity0`, `entity1` of a link table) are the
    ends of a relationship and pass, and so are numbered lines (`address_line1`,
    `address_line2`): the ordered parts of one postal address, not values of one kind. Only
    slot numbering counts (1, 2, 3... or from 0): `iso_code_1` beside `iso_code_3` names two
    standards.

    ## Why is this bad?
    It breaks first normal form: the third phone number needs a migration, queries test every
    column (`WHERE phone1 = $1 OR phone2 = $1`), and no index serves "find by phone".

    ## Example
    CREATE TABLE contacts (id bigint PRIMARY KEY, phone1 text, phone2 text, phone3 text);

    Use instead:
    CREATE TABLE contacts (id bigint PRIMARY KEY);
    CREATE TABLE contact_phones (contact_id bigint REFERENCES contacts (id), phone text, PRIMARY KEY (contact_id, phone));
    """
    for store, table in design_tables(arch):
        groups: dict[str, list[str]] = {}
        references = {col for fk in table.foreign_keys for col in fk.columns}
        for column in table.columns:
            match = _NUMBERED.match(column.name)
            if match:
                groups.setdefault(match.group("stem"), []).append(column.name)
        for stem, columns in sorted(groups.items()):
            # entity0/entity1 (referencing rows, or their types) are the two ends of a relationship, not a repeated attribute; address_line1/2
            # are the ordered parts of one postal address (the format carriers and payment providers use), not repeated values
            if len(columns) >= 2 and not set(columns) <= references and not stem.rstrip("_").endswith("line") and _slots(columns):
                yield self.finding(where(store, table), f"{', '.join(columns)} repeat '{stem}'", location(table.source))


@rule(
    code="SQL015",
    name="wide-table",
    severity=Severity.INFO,
    title="Table has very many columns",
    fix="Split rarely used or optional groups of columns into 1:1 side tables.",
)
def wide_table(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds tables with more than 60 columns.

    ## Why is this bad?
    Every update writes a new version of the whole row; wide rows spill to TOAST and fit few
    to a page, so scans read more; and such tables usually mix several entities' data.

    ## Example
    CREATE TABLE t (id int PRIMARY KEY,
      c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int, c10 int,
      c11 int, c12 int, c13 int, c14 int, c15 int, c16 int, c17 int, c18 int, c19 int, c20 int,
      c21 int, c22 int, c23 int, c24 int, c25 int, c26 int, c27 int, c28 int, c29 int, c30 int,
      c31 int, c32 int, c33 int, c34 int, c35 int, c36 int, c37 int, c38 int, c39 int, c40 int,
      c41 int, c42 int, c43 int, c44 int, c45 int, c46 int, c47 int, c48 int, c49 int, c50 int,
      c51 int, c52 int, c53 int, c54 int, c55 int, c56 int, c57 int, c58 int, c59 int, c60 int);

    Use instead:
    CREATE TABLE t (id int PRIMARY KEY, name text);
    """
    for store, table in design_tables(arch):
        if len(table.columns) > WIDE_TABLE_COLUMNS:
            yield self.finding(where(store, table), f"{len(table.columns)} columns", location(table.source))


@rule(
    code="SQL016",
    name="polymorphic-foreign-key",
    severity=Severity.WARNING,
    title="A type column says which table an id column points to",
    fix="Use one nullable foreign key per target table (with a CHECK that one is set), or a table per relation.",
)
def polymorphic_foreign_key(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds column pairs `<x>_type` + `<x>_id` (Rails-style polymorphic associations) where the
    id column has no foreign key.

    ## Why is this bad?
    The database cannot enforce the reference: rows point at deleted or never-existing
    parents, deletes do not cascade, and every join needs a CASE over the type column.

    ## Example
    CREATE TABLE comments (id bigint PRIMARY KEY, commentable_type text, commentable_id bigint, body text);

    Use instead:
    CREATE TABLE posts (id bigint PRIMARY KEY);
    CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint REFERENCES posts (id), body text);
    """
    tables = {t.name for s in arch.datastores for t in s.tables}
    for store, table in design_tables(arch):
        names = {c.name for c in table.columns}
        referenced = {col for fk in table.foreign_keys for col in fk.columns}
        for name in sorted(names):
            stem = name[:-5]
            # room_type + room_id beside a rooms table: the id names that table, and the type is the room's own attribute
            named_table = {stem, plural(stem)} & tables
            # media_type + media_id where media_id is (part of) the row's own key (Synapse's media tables): no reference at all
            keys = [table.primary_key, *(u.columns for u in table.uniques), *([c.name for c in i.columns] for i in table.indexes if i.unique)]
            own_key = any(f"{stem}_id" in key for key in keys)
            if name.endswith("_type") and f"{stem}_id" in names and f"{stem}_id" not in referenced and not named_table and not own_key:
                yield self.finding(where(store, table), f"{name} + {name[:-5]}_id reference a table chosen per row", location(table.source))


@rule(
    code="SQL017",
    name="entity-attribute-value",
    severity=Severity.WARNING,
    title="Table stores attributes as rows (EAV)",
    fix="Model the attributes as columns, or as one jsonb column with a GIN index when they are truly open-ended.",
)
def entity_attribute_value(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Finds narrow tables of the shape (entity id, attribute name, value): at most five columns,
    one naming an attribute (`attribute`, `key`, `name`, `property`) and one holding a
    `value`, next to a reference to the entity.

    ## Why is this bad?
    Types, NOT NULL and foreign keys cannot be enforced per attribute, reading one entity is
    a pivot over many rows, and every filter on two attributes is a self-join.

    ## Example
    CREATE TABLE product_attributes (product_id bigint, attribute text, value text);

    Use instead:
    CREATE TABLE products (id bigint PRIMARY KEY, color text, weight_grams integer, extra jsonb);
    """
    for store, table in design_tables(arch):
        names = {c.name for c in table.columns}
        if len(names) <= 5 and names & _EAV_KEY and names & _EAV_VALUE and any(n.endswith("_id") or n == "entity" for n in names):
            yield self.finding(where(store, table), f"rows of ({', '.join(c.name for c in table.columns)}) store attributes as values", location(table.source))


@rule(
    code="SQL000",
    name="unparsable-statement",
    severity=Severity.ERROR,
    title="Statement cannot be parsed",
    fix="Fix the statement's syntax; the reviewer judged the schema without it.",
)
def unparsable_statement(self: Rule, arch: Architecture) -> Iterator[Finding]:
    """
    ## What it does
    Reports every statement of the reviewed SQL that PostgreSQL's parser refuses, with its
    position. The rest of the file is still reviewed.

    ## Why is this bad?
    The database would refuse it too; and whatever it defines is missing from the review, so
    a clean report would be wrong.

    ## Example
    CREATE TABLE t (id bigint PRIMARY KEY,);

    Use instead:
    CREATE TABLE t (id bigint PRIMARY KEY);
    """
    for problem in arch.parse_problems:
        yield self.finding(_problem_where(problem), problem.message, location(problem.source))


def _problem_where(problem: ParseProblem) -> str:
    return f"{problem.source.file}:{problem.source.line}"
