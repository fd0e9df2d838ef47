"""Which states a proximity search reads: the ones its filter names, never the ones its description only promises.

A proximity search (``near: Driver.location``) returns the points near a point, whatever their status,
unless its filter names one (``filter: [Driver.status=available]``): then it reads only those rows (the
GEO set of that value, or the partial index). Where the use case's name or description says a state
(``nearby available drivers``: a value of ``Driver.status``, or the name of a bool such as ``available``)
and its filter names no value of that field, the design would search every state and merge the offline,
busy and available rows by distance while the contract promised only the available ones. The analysis
warns (the author adds the filter), and the operation's description says what the search returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend_architect.spec.naming import split_filter

if TYPE_CHECKING:
    from backend_architect.design.analysis import UseCase
    from backend_architect.spec.model import Spec


#: A bool's two values, as a search over both reads them.
BOOL_VALUES = ("true", "false")


@dataclass(frozen=True)
class Unkept:
    """A state a proximity search's text promises and its filter does not name: the field, the words said, every value it holds."""

    entity: str
    field: str
    said: tuple[str, ...]
    values: tuple[str, ...]

    @property
    def every(self) -> str:
        """The rows the search finds instead: of every value, or whether the bool holds or not."""
        if self.values == BOOL_VALUES:
            return f"{self.entity} rows whether {self.field} or not"
        return f"{self.entity} rows of every {self.field} ({', '.join(self.values)})"

    def warning(self, use_case: str, near: str) -> str:
        """The analysis warning: what the text says, what the search reads, and the filter that keeps the promise."""
        quoted = ", ".join(f"'{w}'" for w in self.said)
        value = "true" if self.values == BOOL_VALUES else self.said[0]
        return (
            f"use case '{use_case}': its text says {quoted} ({self.entity}.{self.field}), but its proximity search (near: {near}) "
            f"names no {self.entity}.{self.field}, so it finds {self.every}; "
            f"a filter on it (e.g. filter: [{self.entity}.{self.field}={value}]) searches those alone"
        )

    def note(self) -> str:
        """The contract's sentence: what the search returns, so the description promises no state it does not filter by."""
        return f"The proximity search names no {self.field}: it finds {self.every}."


def searched_entity(use_case: UseCase) -> tuple[str, str] | None:
    """(entity, field) of the points ``use_case`` searches near, or None when it searches none."""
    near = use_case.spec.near
    if not near:
        return None
    entity, dot, field = near.partition(".")
    return (entity, field) if dot else (use_case.entity, near)


def unkept_states(spec: Spec, use_case: UseCase) -> tuple[Unkept, ...]:
    """The states ``use_case``'s name or description promises of the searched points that its filter does not name.

    Enum values and bool field names are matched as whole words (``available``, ``on trip`` for ``on_trip``); a filter on
    the field, constant or not, keeps the promise (the caller or the constant picks the state).

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> from backend_architect.design.analysis import analyse
    >>> text = b'''system: s
    ... entities: {Cab: {fields: {location: geo, state: "enum[idle, busy]"}}, Ride: {fields: {at: geo}}}
    ... use_cases: [{name: request ride, description: idle cabs nearby get it, writes: [Ride], near: Cab.location, deliver: push}]'''
    >>> spec = load_spec_bytes(text, "s.yaml").spec
    >>> [(u.field, u.said) for u in unkept_states(spec, analyse(spec).use_cases[0])]
    [('state', ('idle',))]
    """
    found = searched_entity(use_case)
    if found is None or found[0] not in spec.entities:
        return ()
    entity, _point = found
    named = _filtered_fields(use_case, entity)
    text = f"{use_case.spec.name} {use_case.spec.description or ''}".lower().replace("_", " ")
    unkept: list[Unkept] = []
    for name, field in spec.entities[entity].fields.items():
        if name in named or field.type.kind not in {"enum", "bool"}:
            continue
        values = tuple(field.type.values) if field.type.kind == "enum" else BOOL_VALUES
        # a bool promises by its own name (available cabs), an enum by one of its values (idle cabs)
        words = (name,) if field.type.kind == "bool" else values
        said = tuple(w for w in words if re.search(rf"\b{re.escape(w.lower().replace('_', ' '))}\b", text))
        if said:
            unkept.append(Unkept(entity, name, said, values))
    return tuple(unkept)


def _filtered_fields(use_case: UseCase, entity: str) -> set[str]:
    """The fields of ``entity`` the use case's filter names (an unqualified name is the use case's own entity's)."""
    named: set[str] = set()
    for raw in use_case.spec.filter:
        ref, _constant = split_filter(raw)
        owner, dot, name = ref.partition(".")
        if not dot:
            owner, name = use_case.entity, ref
        if owner == entity:
            named.add(name)
    return named


def unkept_warnings(spec: Spec, use_cases: tuple[UseCase, ...]) -> list[str]:
    """One warning per state a proximity search promises and does not filter by (``unkept_states``)."""
    return [s.warning(u.name, u.spec.near or "") for u in use_cases for s in unkept_states(spec, u)]


__all__ = ["Unkept", "searched_entity", "unkept_states", "unkept_warnings"]
