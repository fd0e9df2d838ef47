"""Where a row's writes and current reads go when several regions run: the multi-region mode and its home-region rule.

One source for every section that claims a consistency (the store's rationale, the cache's read-your-writes, the
read replicas, the multi-region decision, the latency table): with active-active regions replicating asynchronously
(last writer wins per row), a read is current only in the region that takes its row's writes. So each row has a
HOME region — the region its owner (the scope its requests carry: a chat for its messages, the signed-in user for
their own rows) was created in — and the edge routes writes and reads that must be current there; other regions
serve only reads that tolerate the replication lag. Unique keys follow the same rule: a key scoped by a reference
is checked in that owner's home; a global key (a username) takes a reservation in one region, synchronously.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from backend_architect.design.analysis import Analysis, UseCase
from backend_architect.design.patterns._common import fmt
from backend_architect.spec.model import Spec, UniqueWhileSpec
from backend_architect.spec.naming import snake

#: Round trip between regions on different continents (60-250 ms; we plan at 150 ms): a write use case whose
#: latency target is within it cannot reach a primary in another region, so every region must take writes.
INTER_REGION_RTT_MS = 150.0
#: Asynchronous replication between regions lags by about a second; we plan for 5 s at peak: the writes a region loss can lose.
REPLICATION_LAG_S = 5.0

Mode = Literal["single", "active-passive", "active-active"]


@dataclass(frozen=True)
class RegionPlan:
    """The multi-region mode the spec leads to and, under active-active, where each consistency is kept."""

    mode: Mode
    regions: tuple[str, ...]
    #: Write use cases whose latency target is within the cross-region round trip (they make every region take writes).
    fast_writes: tuple[UseCase, ...] = ()
    #: Reads that must be current, each with the home it is routed to (its scope).
    current_reads: tuple[tuple[str, str], ...] = ()
    #: Reads that tolerate the replication lag: any region serves them.
    lagging_reads: tuple[str, ...] = ()
    #: Current reads whose rows have several homes (reached through a relation: a user's chats): answered in the caller's region.
    spread_reads: tuple[str, ...] = ()
    #: Each unique key (``Entity(field, ...)``) with where it is kept unique.
    unique_keys: tuple[tuple[str, str], ...] = ()

    @property
    def homed(self) -> bool:
        """True when rows have home regions (active-active): strong claims hold only there."""
        return self.mode == "active-active"


def tolerates_lag(use_case: UseCase) -> bool:
    """A read tolerates the replication lag when its staleness is at least the lag, or, with none given, it asks for eventual consistency.

    A read with no staleness and strong consistency (the default) must be current: under active-active it is
    served in its row's home region only.
    """
    if use_case.spec.staleness is not None:
        return use_case.spec.staleness >= REPLICATION_LAG_S
    return use_case.spec.consistency == "eventual"


def pays_round_trip(spec: Spec, use_case: UseCase) -> bool:
    """Whether a caller outside the row's home pays the round trip: a current read scoped by anything but the caller (the edge routes a
    caller to their own home region); a create of a row owned by another row (its parent, or a required reference other than the caller: a
    message in a chat); any other write (the row it changes may be homed elsewhere). A create owned by the caller alone is homed where it is
    made, and a read that tolerates the lag is answered in the caller's region."""
    if not use_case.is_write:
        return not use_case.is_job and not tolerates_lag(use_case) and not spans_homes(use_case) and not home_of(use_case).startswith("the caller's")
    if use_case.kind != "create":
        return True
    entity = spec.entities.get(use_case.entity)
    if entity is None:
        return True
    owners = [f.type.target for f in entity.fields.values() if f.type.kind == "ref" and not f.is_nullable]
    # a global unique key is reserved in the first region before the row is written
    reserved = any(key.startswith(f"{use_case.entity}(") and how.startswith("a global reservation") for key, how in unique_homes(spec))
    return bool(entity.part_of) or reserved or any(owner != use_case.caller for owner in owners)


def spans_homes(use_case: UseCase) -> bool:
    """Whether a read's rows have several homes: its scope reaches them through a relation (a user's chats, through their memberships),
    or nothing scopes it (a search over every user), so each row lives in its own owner's home and no one region holds them all current."""
    if use_case.is_write or use_case.kind == "get":
        return False
    if use_case.filters and use_case.filters[0].joined:
        return True
    # a list or search over every row (no reference scoping it, not the caller's own): its rows live in every home
    scoped = any(ref.column and ref.column.endswith("_id") and not ref.joined for ref in use_case.filters)
    return not scoped and not (use_case.caller and use_case.spec.owner_only)


def home_of(use_case: UseCase) -> str:
    """The home a request is routed to: the entity its first reference filter names (a chat's messages: the chat's home), else the caller's own
    home (their rows), else the row's own home (read by its id)."""
    for ref in use_case.filters:
        if ref.column and ref.column.endswith("_id") and not ref.joined:
            return f"the home of the {ref.field} it is scoped by ({ref.column})"
    if use_case.caller and use_case.spec.owner_only:
        return "the caller's home (where they signed up)"
    return f"the home of the {use_case.entity} it reads (where it was created)"


def unique_homes(spec: Spec) -> tuple[tuple[str, str], ...]:
    """Each unique key and where active-active regions keep it unique: a key holding a reference is checked in that owner's home region (all
    its rows share it); a global key takes a reservation in the first region, written synchronously before the row, so two regions never
    take one value (a create from another region pays the round trip)."""
    found: list[tuple[str, str]] = []
    for name, entity in spec.entities.items():
        keys = [[f] for f, field in entity.fields.items() if field.unique]
        keys += [key.fields if isinstance(key, UniqueWhileSpec) else list(key) for key in entity.unique]
        for key in keys:
            # the key's owners: its references (a part's key naming its parent included), each by the entity it names
            owners = [
                str(entity.fields[f].type.target) if f in entity.fields else str(entity.part_of)
                for f in key
                if (f in entity.fields and entity.fields[f].type.kind == "ref") or (entity.part_of and f == snake(entity.part_of))
            ]
            label = f"{name}({', '.join(key)})"
            if owners:
                found.append((label, f"checked in the home region of its {owners[0]} (every row of one {owners[0]} lives there)"))
            else:
                found.append(
                    (
                        label,
                        f"a global reservation: the value is written to a reservation row in {spec.scale.regions[0]} synchronously before the row "
                        f"(a create from another region pays the {fmt(INTER_REGION_RTT_MS)} ms round trip)",
                    )
                )
    return tuple(found)


def region_plan(spec: Spec, analysis: Analysis) -> RegionPlan:
    """The mode (``single`` below two regions; ``active-active`` when a write's latency target is within the round trip, else
    ``active-passive``) with, under active-active, the home of each current read, the reads any region serves and the unique keys."""
    regions = tuple(spec.scale.regions)
    if len(regions) < 2:
        return RegionPlan("single", regions)
    fast = tuple(u for u in analysis.use_cases if u.is_write and u.spec.latency_ms is not None and u.spec.latency_ms <= INTER_REGION_RTT_MS)
    if not fast:
        return RegionPlan("active-passive", regions)
    reads = [u for u in analysis.use_cases if not u.is_write and not u.is_job]
    return RegionPlan(
        "active-active",
        regions,
        fast,
        tuple((u.name, home_of(u)) for u in reads if not tolerates_lag(u) and not spans_homes(u)),
        tuple(u.name for u in reads if tolerates_lag(u)),
        tuple(u.name for u in reads if not tolerates_lag(u) and spans_homes(u)),
        unique_homes(spec),
    )


def serving_regions(spec: Spec, analysis: Analysis) -> int:
    """Regions that serve users: every one under active-active, the first alone otherwise (a standby region serves no one
    until it takes over, so nothing a user does happens there: no points near them, no traffic)."""
    plan = region_plan(spec, analysis)
    return len(plan.regions) if plan.mode == "active-active" else 1


def home_rule(plan: RegionPlan) -> str:
    """The home-region rule as the multi-region decision states it (empty unless active-active)."""
    if not plan.homed:
        return ""
    current = "; ".join(f"'{name}' in {home}" for name, home in plan.current_reads)
    served = (
        f"reads that must be current are served in their row's home region only ({current}); a caller in another region pays the "
        f"{fmt(INTER_REGION_RTT_MS)} ms round trip for them"
        if plan.current_reads
        else "every read tolerates the replication lag, so each region serves every read"
        if not plan.spread_reads
        else "no read is routed to another region"
    )
    lagging = (
        f"; reads that tolerate {fmt(REPLICATION_LAG_S)} s of lag are served by every region ({', '.join(plan.lagging_reads)})"
        if plan.lagging_reads and (plan.current_reads or plan.spread_reads)
        else ""
    )
    spread = (
        f"; {', '.join(repr(n) for n in plan.spread_reads)} read(s) rows of several homes (reached through a relation, or unscoped): answered in the caller's "
        f"region, current for the rows whose home region it is, the others up to {fmt(REPLICATION_LAG_S)} s behind (a current answer would "
        "ask every region)"
        if plan.spread_reads
        else ""
    )
    unique = "; ".join(f"{key}: {how}" for key, how in plan.unique_keys)
    return (
        "home-region rule: each row has a home region, the region its owner was created in (a part lives with its parent), recorded with its "
        f"id; the edge routes every write of a row to its home region, so a row has one writer; {served}{lagging}{spread}"
        + (f"; unique keys: {unique}" if unique else "")
    )


def home_note(plan: RegionPlan, use_case: str | None = None) -> str:
    """The clause a consistency claim carries under active-active (empty otherwise): where the claim holds (for a read whose rows have
    several homes, only for those homed in the caller's region)."""
    if not plan.homed:
        return ""
    if use_case in plan.spread_reads:
        return (
            f" for the rows whose home region is the caller's; rows homed in another region trail by up to {fmt(REPLICATION_LAG_S)} s "
            f"(regions {', '.join(plan.regions)} active-active, replicated asynchronously: see multi-region)"
        )
    return f" in the row's home region, where its writes go (regions {', '.join(plan.regions)} active-active, replicated asynchronously: see multi-region)"
