"""The Redis GEO set a moving point lives in, named once for its writer (PAT020) and its searches (PAT021).

A GEOSEARCH knows only positions: a filter the search ignores would return points the read promises to
leave out (available cabs only). A bool or enum field a proximity search filters by (few values) splits
the set, one per value, so the search reads only the matching set and the writer adds each point to the
set of its current value; a member moves between sets when that value changes.
"""

from __future__ import annotations

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column, snake, split_filter


def split_columns(spec: Spec, entity: str, field: str) -> list[str]:
    """The bool or enum columns of ``entity`` that a proximity search near ``entity.field`` filters by, with a constant or not.

    A constant (``status=available``: offers go to available drivers only) needs the split as much as a value the caller
    names: the writer adds each point to the set of its current value, so the search reads the set of the constant alone.
    """
    fields = spec.entities[entity].fields
    found: list[str] = []
    for use_case in spec.use_cases:
        if use_case.near != f"{entity}.{field}":
            continue
        for raw in use_case.filter:
            ref, _constant = split_filter(raw)
            owner, dot, name = ref.partition(".")
            if not dot:
                owner, name = entity, ref
            if owner != entity or name not in fields or fields[name].type.kind not in {"bool", "enum"}:
                continue
            column = resolve_column(spec, entity, name)
            if column is not None and column not in found:
                found.append(column)
    return found


def set_key(spec: Spec, entity: str, field: str) -> str:
    """The set's key as its writer names it: ``cab:location``, or ``cab:location:{available}`` split by a filtered value.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> cab = b"entities: {Cab: {fields: {location: geo, available: bool}}}\\n"
    >>> text = b"system: cabs\\n" + cab + b"use_cases: [{name: near, reads: [Cab], near: Cab.location, filter: [available]}]"
    >>> set_key(load_spec_bytes(text, "s.yaml").spec, "Cab", "location")
    'cab:location:{available}'
    """
    return f"{snake(entity)}:{field}" + "".join(f":{{{column}}}" for column in split_columns(spec, entity, field))


def set_constants(spec: Spec, filters: list[str], entity: str, field: str) -> dict[str, str]:
    """The split columns (``split_columns``) a search's ``filters`` fix to a constant, with the value: the set it reads.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> cab = b"entities: {Cab: {fields: {location: geo, state: 'enum[idle, busy]'}}}\\n"
    >>> text = b"system: cabs\\n" + cab + b"use_cases: [{name: near, reads: [Cab], near: Cab.location, filter: [state=idle]}]"
    >>> set_constants(load_spec_bytes(text, "s.yaml").spec, ["state=idle"], "Cab", "location")
    {'state': 'idle'}
    """
    sets = split_columns(spec, entity, field)
    found: dict[str, str] = {}
    for raw in filters:
        ref, constant = split_filter(raw)
        owner, dot, name = ref.partition(".")
        if not dot:
            owner, name = entity, ref
        column = resolve_column(spec, entity, name) if owner == entity else None
        if constant is not None and column in sets:
            found[column] = constant.lower() if spec.entities[entity].fields[name].type.kind == "bool" else constant
    return found


__all__ = ["set_constants", "set_key", "split_columns"]
