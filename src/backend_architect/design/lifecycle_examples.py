"""An example of an entity with a lifecycle is one state of it: what the writes up to its state set, and nothing later.

A trip's status moves requested -> accepted -> started -> ended, and each write moving it sets
fields (accepting sets the driver and accepted_at, ending the fare and ended_at). Every example
of the entity -- the create's answer, a transition's, a read's, a list's items -- shows those
fields only when its status is at or after the write that sets them: a 'requested' trip has no
driver, an 'accepted' one no fare. The order is the enum's, the spec's own order of the states;
a state that ends the row early (cancelled, rejected, failed) follows only the create, so its
example shows its own write's fields and none of the main line's.

An entity without a lifecycle still has writes after the create (editing a message sets
``edited_at``): a created row shows those fields null, and its create never sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend_architect.design.analysis import Analysis
from backend_architect.design.named_state import named_value
from backend_architect.design.ownership import is_state
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column

#: States that end a row before the main line does: reached from an early state, so none of the later writes happened.
EARLY_ENDS = frozenset({"cancelled", "canceled", "rejected", "declined", "denied", "failed", "expired", "aborted", "voided", "revoked", "withdrawn", "refused"})
#: States meaning the row's own actor is away: an entity reporting itself (a driver's location every 4s) is never in one.
AWAY = frozenset({"offline", "inactive", "away", "disconnected"})


@dataclass(frozen=True)
class Lifecycle:
    """What an entity's examples may show: the state field, its values in order, and the fields each state's write sets."""

    state: str | None
    values: tuple[str, ...] = ()
    #: state -> the properties (API names) the write moving the row to it sets
    sets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: optional properties only writes after the create set (a trip's fare, a message's edited_at)
    later: frozenset[str] = frozenset()

    def allowed(self, value: str) -> frozenset[str]:
        """The later properties a row in state ``value`` has set: its own write's and the main line's before it.

        >>> life = Lifecycle("status", ("new", "paid", "shipped", "cancelled"), {"paid": frozenset({"paid_at"}),
        ...     "shipped": frozenset({"shipped_at"}), "cancelled": frozenset({"reason"})}, frozenset({"paid_at", "shipped_at", "reason"}))
        >>> sorted(life.allowed("shipped")), sorted(life.allowed("cancelled")), sorted(life.allowed("new"))
        (['paid_at', 'shipped_at'], ['reason'], [])
        """
        own = set(self.sets.get(value, frozenset()))
        if value in self.values and value.lower() not in EARLY_ENDS:
            for before in self.values[: self.values.index(value)]:
                if before.lower() not in EARLY_ENDS:
                    own |= self.sets.get(before, frozenset())
        return frozenset(own)

    def reaching(self, fields: set[str], shown: str) -> str:
        """The state a row whose write set ``fields`` shows: ``shown`` when it has them, else the first state that does (a
        correction of a tracking code answers a shipped order, not a placed one).

        >>> life = Lifecycle("status", ("new", "shipped"), {"shipped": frozenset({"tracking"})}, frozenset({"tracking"}))
        >>> life.reaching({"tracking"}, "new"), life.reaching({"note"}, "new")
        ('shipped', 'new')
        """
        staged = frozenset().union(*self.sets.values()) if self.sets else frozenset()
        wanted = fields & staged
        if not wanted or wanted <= self.allowed(shown):
            return shown
        return next((v for v in self.values if wanted <= self.allowed(v)), shown)

    def settle(self, row: dict[str, Any]) -> None:
        """``row`` as one state: the properties the writes its state has not reached set are null (a 'requested' trip has no driver).

        Only a state's writes are placed on the line: a field other writes set (a message's edit time, a payment's failure
        reason from its webhook) may show in any state, as a row can have been edited in any.
        """
        value = row.get(self.state) if self.state else None
        if value is None:
            return
        staged = frozenset().union(*self.sets.values()) if self.sets else frozenset()
        for name in staged - self.allowed(str(value)):
            if name in row:
                row[name] = None


def _names(spec: Spec, entity: str, field_name: str) -> set[str]:
    """The API property names of one field: itself and its column (``driver`` -> driver_id)."""
    column = resolve_column(spec, entity, field_name)
    return {field_name, *([column] if column else [])}


def lifecycles(spec: Spec, analysis: Analysis) -> dict[str, Lifecycle]:
    """Per entity written after its create, the :class:`Lifecycle` its examples follow."""
    out: dict[str, Lifecycle] = {}
    for entity, body in spec.entities.items():
        # a write whose main row is another entity (accepting a ride offer sets the trip's driver) is a later write of this one
        uses = [u for u in analysis.use_cases if u.entity == entity or any(w.startswith(entity + ".") for w in u.spec.writes)]
        state = next((n for n, f in body.fields.items() if is_state(n, f) and f.generated is not False), None)
        values = tuple(str(v) for v in body.fields[state].type.values) if state else ()
        # an optional field an action or a state's write names is that write's, even when a create writes the whole row
        acted = {
            w.split(".", 1)[1]
            for use in uses
            if use.entity != entity or use.kind == "action" or (use.kind != "create" and state and named_value(use.name, values) is not None)
            for w in use.spec.writes
            if w.startswith(entity + ".")
        }
        created: set[str] = set()
        for use in uses:
            if use.kind != "create" or use.entity != entity:
                continue
            whole = entity in use.spec.writes
            for name, spec_field in body.fields.items():
                by_whole = whole and spec_field.generated is not True and not (spec_field.is_nullable and name in acted)
                if by_whole or f"{entity}.{name}" in use.spec.writes:
                    created |= _names(spec, entity, name)
        sets: dict[str, set[str]] = {}
        later: set[str] = set()
        for use in uses:
            if use.entity == entity and use.kind in {"create", "get", "list", "delete"}:
                continue
            written = [w.split(".", 1)[1] for w in use.spec.writes if w.startswith(entity + ".")]
            optional = {n for w in written if w != state and w in body.fields and body.fields[w].is_nullable for n in _names(spec, entity, w)}
            later |= optional - created
            value = named_value(use.name, values) if state else None
            if value is not None:
                sets.setdefault(value, set()).update(optional - created)
        if later:
            out[entity] = Lifecycle(state, values, {k: frozenset(v) for k, v in sets.items()}, frozenset(later))
    return out


def present(values: list[str] | tuple[str, ...], shown: Any) -> Any:
    """The state an entity reporting itself shows: ``shown`` unless it means away, then the first value that does not.

    >>> present(["offline", "available", "on_trip"], "offline"), present(["open", "closed"], "open")
    ('available', 'open')
    """
    if str(shown).lower() not in AWAY:
        return shown
    return next((v for v in values if str(v).lower() not in AWAY), shown)


__all__ = ["AWAY", "EARLY_ENDS", "Lifecycle", "lifecycles", "present"]
