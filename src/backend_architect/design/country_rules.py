"""Which items a spec restricts per country, read from the data that holds the countries.

A stranger writes geo-blocking one of two ways, and either reads the same here:

1. a list of country codes on the item: ``Video.blocked_countries: json`` (or
   ``allowed_countries``, ``available_countries`` ...), the list on the row the read fetches;
2. a child entity with one country a row: ``GeoBlock: {part_of: Video, fields: {country:
   string(2)}}`` (or an entity whose only reference is the item), looked up by the item's id.

The field's ``countries: blocked | allowed`` key says it outright; left out, the names say it
(``blocked_countries``, a ``GeoBlock``/``CountryRestriction`` child's ``country``). A name that
says neither (a user's ``country``) restricts nothing.
"""

from __future__ import annotations

import re
from typing import Literal

from backend_architect.ir.model import Architecture, CountryRule, Table
from backend_architect.spec.model import EntitySpec, FieldSpec, Spec
from backend_architect.spec.naming import snake

#: The header the edge sets to the client's country (geolocated from its IP), replacing any value the client sent.
COUNTRY_HEADER = "X-Client-Country"

_LIST = re.compile(r"^(?P<word>[a-z]+)_(countries|country_codes|regions|territories)$")
_BLOCK_WORDS = frozenset({"blocked", "banned", "restricted", "excluded", "embargoed", "forbidden", "denied", "block", "ban", "restriction", "embargo"})
_ALLOW_WORDS = frozenset({"allowed", "available", "permitted", "licensed", "licence", "license", "availability", "allow", "territory"})
_COUNTRY_FIELDS = frozenset({"country", "country_code", "region", "territory"})


def _mode_of_words(words: set[str]) -> Literal["blocked", "allowed"] | None:
    """blocked or allowed by the words of a name, or None.

    >>> _mode_of_words({"geo", "block"}), _mode_of_words({"licensed"}), _mode_of_words({"user"})
    ('blocked', 'allowed', None)
    """
    if words & _BLOCK_WORDS:
        return "blocked"
    if words & _ALLOW_WORDS:
        return "allowed"
    return None


def _list_mode(name: str, field: FieldSpec) -> Literal["blocked", "allowed"] | None:
    """A list of countries on the item itself (``blocked_countries``)."""
    if field.type.kind != "json":
        return None
    if field.countries is not None:
        return field.countries
    found = _LIST.match(name)
    return _mode_of_words({found["word"]}) if found else None


def _child_mode(entity: str, spec_entity: EntitySpec, name: str, field: FieldSpec) -> Literal["blocked", "allowed"] | None:
    """One country a row of a child entity (``GeoBlock.country``)."""
    if field.countries is not None:
        return field.countries
    if name not in _COUNTRY_FIELDS or field.type.kind not in {"string", "enum"}:
        return None
    return _mode_of_words(set(snake(entity).split("_")) | set((spec_entity.description or "").lower().replace("-", " ").split()))


def _item_of(spec: Spec, entity: str) -> str | None:
    """The item a child entity restricts: its aggregate, else its one reference."""
    found = spec.entities[entity]
    if found.part_of:
        return found.part_of
    refs = [f.type.target for f in found.fields.values() if f.type.kind == "ref" and f.type.target]
    return refs[0] if len(refs) == 1 else None


def country_rules(spec: Spec, tables: dict[str, Table]) -> list[CountryRule]:
    """Every item the spec restricts per country, with where its countries live (``tables``: entity -> its table)."""
    rules: list[CountryRule] = []
    for entity, found in spec.entities.items():
        table = tables.get(entity)
        if table is None:
            continue
        for name, field in found.fields.items():
            column = next((c.name for c in table.columns if c.source_field == name or c.name == name), None)
            if column is None:
                continue
            listed = _list_mode(name, field)
            if listed is not None:
                rules.append(CountryRule(item=entity, mode=listed, table=table.name, column=column, header=COUNTRY_HEADER))
                continue
            item = _item_of(spec, entity)
            mode = _child_mode(entity, found, name, field)
            if mode is None or item is None or item not in tables:
                continue
            parent = tables[item].name
            link = next((fk.columns[0] for fk in table.foreign_keys if fk.ref_table == parent and len(fk.columns) == 1), None)
            link = link or next((c.name for c in table.columns if c.name == f"{snake(item)}_id"), None)
            if link is not None:
                rules.append(CountryRule(item=item, mode=mode, table=table.name, column=column, item_column=link, header=COUNTRY_HEADER))
    return rules


def entity_tables(arch: Architecture) -> dict[str, Table]:
    """Each entity's table (the first that stores it), across the datastores."""
    out: dict[str, Table] = {}
    for store in arch.datastores:
        for table in store.tables:
            if table.entity:
                out.setdefault(table.entity, table)
    return out


__all__ = ["COUNTRY_HEADER", "country_rules", "entity_tables"]
