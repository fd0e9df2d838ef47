"""A membership another service holds: checked by a call, or against an event-fed local copy, decided from the numbers.

A members-only operation whose memberships live in another service asks that service once a
request (``design.membership``). Past ``reference_checks.LOCAL_COPY_FROM`` checks/s the calls cost
more than keeping the pairs: the checking service keeps an event-fed local copy of the
(scope id, member id) pairs in its own database, fed by the holder's membership events (joins and
leaves), and probes that copy instead. The same rule as an existence check decides it
(``reference_checks``), so both read alike:

- a copy answers only the checks it can resolve alone (``answerable``): those naming the scope, or reaching it through
  parent columns the keeper holds. A check reaching its scope through another service's parent column (a message's channel's
  server, the channels held elsewhere) still calls the holder with or without a copy, so it is counted apart, said with its
  own reason, and never weighed for the copy: a copy is decided on, and states, exactly the checks it serves;
- a copy needs the holder's events (a use case writes the membership as its own row: a join), and must cost less than
  the calls it saves: fewer pairs/s joined and left than answerable checks/s, and their rows (a pair and a processed
  event each) at most ``COPY_WRITES_MAX`` writes/s in the keeper's database;
- given that, the copy is kept when the answerable checks exceed ``LOCAL_COPY_FROM``/s, when the request with
  the holder in its path misses the availability target, or when the holder already calls the
  checking service synchronously (a call back would close a cycle);
- otherwise the synchronous call stays (a members-only operation is never unchecked: a cycle no
  copy can break is stated in its reason).

A copy trails the holder by the relay's lag: a member who just joined may be refused for that
long, and one who just left may still read for that long.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend_architect.design.analysis import Analysis
from backend_architect.design.read_cycles import copied_reads
from backend_architect.design.reference_checks import COPY_ROWS_PER_EVENT, COPY_WRITES_MAX, LOCAL_COPY_FROM, availabilities, reaches, sync_calls
from backend_architect.design.relay import RELAY_S
from backend_architect.ir.deployment import owner_in_path_said, with_owner_in_path
from backend_architect.ir.model import Datastore, MembershipCheck, Table
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name

#: What a membership check against a local copy is called in ``MembershipCheck.check``.
MEMBER_COPY = "local copy"


def member_copy_table(table: str) -> str:
    """The checking service's table of the (scope id, member id) pairs it copies.

    >>> member_copy_table("chat_members")
    'known_chat_members'
    """
    return f"known_{table}"


def pairs_per_s(spec: Spec, analysis: Analysis, members: str) -> float:
    """Pairs/s at peak the holder adds or removes: each use case creating or deleting membership rows (a group created with its
    members writes ``avg_per_parent`` of them a request)."""
    entity = spec.entities[members]
    total = 0.0
    for use_case in analysis.use_cases:
        if use_case.kind not in {"create", "delete"} or members not in {use_case.entity, *use_case.writes}:
            continue
        rows = 1.0 if use_case.entity == members else entity.avg_per_parent or 1.0
        total += use_case.peak_qps * rows
    return total


def answerable(check: MembershipCheck, keeper: str, owner: dict[str, str], entity_of: dict[str, str]) -> bool:
    """Whether a copy of the pairs in ``keeper``'s database can answer ``check`` alone.

    A copy holds only the (scope id, member id) pairs. A check naming its scope, or reaching it through parent columns the
    keeper holds (read in its own database on the way), probes the copy; one reaching its scope through a parent column
    another service holds (a message's channel's server, the channels kept elsewhere) cannot learn the scope here, so it
    calls the holder whether or not a copy exists, and a copy must not be justified by it.

    >>> c = MembershipCheck(use_case="u", operation="o", scope="Guild", column="channel_id", where="path", members="Member",
    ...     table="members", index=["guild_id", "user_id"], service="members", check="query", via=["channels.guild_id"], reason="")
    >>> answerable(c, "messages", {"Channel": "guilds"}, {"channels": "Channel"}), answerable(c, "messages", {"Channel": "messages"}, {"channels": "Channel"})
    (False, True)
    """
    return {owner.get(entity_of.get(v.split(".")[0], ""), "") for v in check.via} <= {keeper}


def decide_copies(
    spec: Spec, analysis: Analysis, owner: dict[str, str], checks: list[MembershipCheck], service_of: dict[str, str], *, in_process: bool = False
) -> list[MembershipCheck]:
    """The checks with each synchronous one decided by the module's rule: kept, or replaced by a probe of a local copy.

    ``owner``: entity -> service holding it; ``service_of``: operation id -> the service serving it; ``in_process``: the
    services are modules of one deployable, so the holder in the path is no second factor of the request's availability."""
    # the calls a read cycle left (design.read_cycles): a read served from a copy calls nobody
    calls = sync_calls(analysis, owner, copied_reads(analysis.use_cases, owner), spec)
    entity_of = {table_name(e): e for e in spec.entities}
    target, composite = availabilities(spec)
    # the holder publishes a membership's events where a use case writes it as its own row (join, leave): a row written beside
    # its scope (a chat created with its members) is in the scope's event, which no copy of the pairs reads
    fed = {u.entity for u in analysis.use_cases if u.is_write}
    # a copy serves every operation of its keeper checking the same memberships it can answer: its pairs are written once;
    # the checks it cannot answer are summed apart, so no record mixes the two
    served: dict[tuple[str, str], float] = {}
    apart: dict[tuple[str, str], float] = {}
    for c in (c for c in checks if c.check == "query"):
        key = (service_of[c.operation], c.members)
        tally = served if answerable(c, key[0], owner, entity_of) else apart
        tally[key] = tally.get(key, 0.0) + c.peak
    found = []
    for check in checks:
        if check.check != "query" or not check.peak:
            found.append(check)
            continue
        keeper = service_of[check.operation]
        key = (keeper, check.members)
        cycle = reaches(calls, check.service, keeper)
        if not answerable(check, keeper, owner, entity_of):
            found.append(check.model_copy(update={"reason": f"{check.reason}; {_unanswerable(check, keeper, apart[key], served.get(key, 0.0), cycle)}"}))
            continue
        peak = served[key]
        feed = pairs_per_s(spec, analysis, check.members)
        writes = feed * COPY_ROWS_PER_EVENT
        affordable = check.members in fed and feed < peak and writes <= COPY_WRITES_MAX
        both = with_owner_in_path(composite, in_process=in_process)
        besides = _besides(check, keeper, apart.get(key, 0.0))
        if not affordable or not (peak > LOCAL_COPY_FROM or both < target or cycle):
            kept = _kept(check, keeper, peak, feed, writes, both, target, cycle, check.members in fed)
            found.append(check.model_copy(update={"reason": f"{check.reason}; {kept}{besides}"}))
            continue
        table = member_copy_table(check.table)
        why = (
            f"{_rate(check, keeper, peak)}; "
            f"{owner_in_path_said('request', check.service, composite, target, in_process=in_process)}"
            f"{'; ' + check.service + ' already calls ' + keeper + ' synchronously: a call back would close a cycle' if cycle else ''}; "
            f"a copy follows {feed:,.0f} pairs/s joined and left at peak (fewer than the checks), "
            f"{writes:,.0f} writes/s here <= {COPY_WRITES_MAX:,.0f}{besides}"
        )
        reason = (
            f"{check.reason.split('; one synchronous call to')[0]}; checked against an event-fed local copy of {check.service}'s "
            f"{check.members} pairs ({', '.join(check.index)}) in {keeper}'s own database ({table}), about {RELAY_S:g} s behind {check.service} "
            f"(the event relay's lag: a member who just joined is refused, one who just left still answered, for that long), "
            f"one probe a request ({why}); a caller who is not a member gets {check.status}"
        )
        found.append(check.model_copy(update={"check": MEMBER_COPY, "table": table, "reason": reason}))
    # a get the design adds (no rate of its own) probes the copy its service keeps, if it keeps one and can answer it there
    copied = {(service_of[c.operation], c.members): c for c in found if c.check == MEMBER_COPY}
    same = "; probed in the same event-fed local copy"
    return [
        c.model_copy(update={"check": MEMBER_COPY, "table": copied[key].table, "reason": c.reason.split("; one synchronous call to")[0] + same})
        if c.check == "query" and not c.peak and (key := (service_of[c.operation], c.members)) in copied and answerable(c, key[0], owner, entity_of)
        else c
        for c in found
    ]


#: How a membership check's reason says its synchronous call was kept, so others quote the decision rather than undo it.
CALL_STAYS = "the call stays"


def kept_because(check: MembershipCheck) -> str:
    """Why the membership decision kept ``check``'s synchronous call, in its words; empty where it did not decide to keep one.

    >>> kept_because(MembershipCheck(use_case="u", operation="o", scope="S", column="s_id", where="path", members="M", table="m",
    ...     index=["s_id", "u_id"], service="m", check="query", reason="only members; the call stays (9 checks/s at peak <= 1,000; x)"))
    'the call stays (9 checks/s at peak <= 1,000; x)'
    """
    return check.reason[check.reason.index(CALL_STAYS) :] if check.check == "query" and CALL_STAYS in check.reason else ""


def _kept(check: MembershipCheck, keeper: str, peak: float, feed: float, writes: float, both: float, target: float, cycle: bool, fed: bool) -> str:
    """Why the synchronous call of an answerable check stays: no event could feed a copy, the copy costs more, or nothing calls for it."""
    if not fed:
        cost = f"no use case writes {check.members} as its own row (a join), so no event of {check.service}'s could feed a local copy"
    elif feed >= peak:
        cost = f"a local copy would follow {feed:,.0f} pairs/s joined and left, no fewer than the checks"
    elif writes > COPY_WRITES_MAX:
        cost = f"a local copy would write {writes:,.0f} rows/s > {COPY_WRITES_MAX:,.0f} in the keeper's database"
    else:
        cost = f"the request with {check.service} in its path keeps {both:.4%} >= the {target:.2%} target"
    said = f"{CALL_STAYS} ({_rate(check, keeper, peak)}; {cost})"
    return f"{said}; {check.service} also calls this service synchronously, a cycle no copy breaks here" if cycle else said


def _rate(check: MembershipCheck, keeper: str, peak: float) -> str:
    """The answerable checks' rate against the threshold: the one figure a copy is decided on."""
    return (
        f"{peak:,.0f} checks/s at peak of {check.members} from {keeper} a local copy could answer "
        f"{'>' if peak > LOCAL_COPY_FROM else '<='} {LOCAL_COPY_FROM:,.0f}"
    )


def _besides(check: MembershipCheck, keeper: str, apart: float) -> str:
    """The checks a copy could not answer, said beside the decision so its rate is not read as theirs (empty: none)."""
    if not apart:
        return ""
    return (
        f"; not counted: {apart:,.0f} checks/s at peak of {check.members} from {keeper} reaching their {check.scope} through "
        f"another service's parent column, which a copy of the pairs cannot answer (they call {check.service})"
    )


def _unanswerable(check: MembershipCheck, keeper: str, apart: float, served: float, cycle: bool) -> str:
    """Why a check reaching its scope through another service's parent column keeps its call: no copy of the pairs answers it,
    so its rate is counted apart from the checks a copy could serve, whatever either rate is."""
    said = (
        f"{CALL_STAYS} (a local copy of the pairs cannot answer it: the parts' parent columns ({', '.join(check.via)}) are not "
        f"{keeper}'s, and a copy holds only the pairs; {apart:,.0f} checks/s at peak of {check.members} from {keeper} reach their "
        f"{check.scope} so, counted apart from the {served:,.0f} a copy could answer)"
    )
    return f"{said}; {check.service} also calls this service synchronously, a cycle no copy breaks here" if cycle else said


def with_member_copies(stores: list[Datastore], checks: Iterable[MembershipCheck], service_of: dict[str, str]) -> list[Datastore]:
    """The datastores with, in each keeper's database, the table of (scope id, member id) pairs its copy-checked operations probe."""
    tables = {t.name: t for s in stores for t in s.tables}
    added: dict[str, list[Table]] = {}
    for check in (c for c in checks if c.check == MEMBER_COPY):
        keeper = service_of[check.operation]
        store = next((s for s in stores if s.service == keeper and s.engine in {"postgresql", "sqlite", "mysql"}), None)
        source = tables.get(check.table.removeprefix("known_"))
        if store is None or source is None or any(t.name == check.table for t in added.get(store.name, [])):
            continue
        columns = [c.model_copy(update={"generated": False, "default": None, "identity": False}) for n in check.index for c in source.columns if c.name == n]
        added.setdefault(store.name, []).append(
            Table(
                name=check.table,
                comment=f"local copy of {check.service}'s {check.members} pairs ({', '.join(check.index)}), fed by its {check.members} events "
                f"about {RELAY_S:g} s behind it (the event relay's lag): {keeper}'s members-only operations probe it",
                columns=columns,
                primary_key=list(check.index),
                key_strategy="composite",
                key_reason=f"one row per ({', '.join(check.index)}) pair, as {source.name}'s unique index",
                rows_now=source.rows_now,
                rows_per_day=source.rows_per_day,
            )
        )
    if not added:
        return stores
    return [s.model_copy(update={"tables": [*s.tables, *added.get(s.name, [])]}) for s in stores]


__all__ = ["MEMBER_COPY", "answerable", "decide_copies", "member_copy_table", "pairs_per_s", "with_member_copies"]
