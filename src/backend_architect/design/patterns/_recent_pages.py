"""The newest page of a parent's child rows, kept current in the shared cache by the service that writes every row.

A read that must be current is not cached by TTL: an entry may be as old as its TTL. One
shape is still cached safely: a list of an append-mostly child collection, newest first,
filtered by its parent (a chat's messages, a ticket's events, a device's readings). When
every write of those rows is a request of the service that owns them (no job, no relay
applying them later), that service updates the cached page in the same request, after the
commit and before it answers: an append is pushed onto the parent's page (only when the
page is cached) and trimmed to the page size, an update or delete drops the page, and a miss
refills it from the database with a conditional set. Every read after a write's answer then
sees the write (read-your-writes for the writer, current for every reader of the shared
cache); a per-instance copy (L1) would not, so these pages stay in the shared cache only.

It does not hold when a batch job or an outbox relay writes the rows (the cache would miss
those writes until the TTL), when the order is not by arrival (a page sorted by score moves
on every vote), or when updates are not rare beside appends (each drops the page).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.design.analysis import Analysis, UseCase

# the one append-mostly share (each update or delete drops the page), the partitioning and wide-column verdicts' too
from backend_architect.design.churn import APPEND_MOSTLY_SHARE
from backend_architect.design.patterns._common import PRIMARY_READ_CEILING
from backend_architect.ir.runtime import Mechanism
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import relations

#: Reads/s from which a page the writers must maintain earns its place on the write path: a twentieth of a primary's reads
#: (below, the database serves the newest page by its index without noticing).
RECENT_PAGE_MIN_READS = 0.05 * PRIMARY_READ_CEILING
#: Bytes one cached row takes in a page, with its share of the key and allocator overhead, when the row size is unknown.
PAGE_ROW_BYTES = 256


@dataclass(frozen=True)
class RecentPage:
    """A read the owning service keeps current in the shared cache: the parent, the page, and the write rates that touch it."""

    parent: str
    limit: int
    appends_per_s: float
    changes_per_s: float
    writers: tuple[str, ...]

    @property
    def why(self) -> str:
        return (
            f"the newest {self.limit} rows per {self.parent} are kept current by every write ({', '.join(self.writers)}), which goes through the "
            f"owning service: it appends to the cached page after commit, before it answers"
        )


def recent_page(spec: Spec, analysis: Analysis, use_case: UseCase) -> RecentPage | None:
    """The recent page a read is, when its writers can keep it current; None when any condition fails.

    Conditions: a list (no search) of one entity filtered by its parent, newest first by a time
    the creating request sets; its rows written only by requests whose main entity (or child
    rows) they are, none by a job; updates and deletes under ``APPEND_MOSTLY_SHARE`` of appends;
    at least ``RECENT_PAGE_MIN_READS`` reads/s.
    """
    entity = use_case.entity
    if (
        use_case.peak_qps < RECENT_PAGE_MIN_READS
        or use_case.kind != "list"
        or use_case.searches
        or use_case.is_job
        or entity not in analysis.entities
        or entity not in spec.entities
    ):
        return None
    parent = next(
        (relations(spec, entity).get(f.field) for f in use_case.filters if f.constant is None and not f.joined and relations(spec, entity).get(f.field)), None
    )
    if parent is None or not _newest_first(spec, analysis, use_case):
        return None
    facts = analysis.entities[entity]
    if facts.mutability in {"job_written", "reference"}:
        return None
    writers = [u for u in analysis.use_cases if entity in u.writes]
    if not writers or any(u.is_job or (u.entity != entity and entity not in u.children) for u in writers):
        return None
    appends = sum(u.peak_qps for u in writers if u.kind == "create")
    changes = sum(u.peak_qps for u in writers if u.kind != "create")
    if appends <= 0 or changes > APPEND_MOSTLY_SHARE * appends:
        return None
    return RecentPage(parent, use_case.spec.page.limit, appends, changes, tuple(u.name for u in writers))


def page_writes(analysis: Analysis, use_case: UseCase, page: RecentPage, code: str) -> tuple[Mechanism, ...]:
    """The Redis step each writer of a kept page takes after its commit, before it answers: a side write on its path.

    A cache said to be written through by a request is a step of that request: its sequence draws the Redis call and its
    latency budget times it (``paths.side_write``), or the record promising the page current describes a path that never
    touches Redis. A create pushes its row onto the parent's page; an update or delete drops the page.
    """
    by_name = {u.name: u for u in analysis.use_cases}
    key = f"{use_case.entity.lower()}:{use_case.id}:{{{page.parent.lower()}_id}}:newest"
    return tuple(
        Mechanism(
            use_case=name,
            pattern=code,
            decision=f"cache.{use_case.id}",
            serves="write",
            store="redis",
            entities=[use_case.entity],
            how=(
                f"push the new {use_case.entity} onto {key} and trim it to {page.limit} rows, only when cached, after commit"
                if by_name[name].kind == "create"
                else f"delete {key}, the {page.parent}'s cached newest page, after commit"
            )
            + f", for '{use_case.name}'",
            database_share=1.0,
        )
        for name in page.writers
        if name in by_name
    )


def _newest_first(spec: Spec, analysis: Analysis, use_case: UseCase) -> bool:
    """The first sort is descending on the entity's own creation time (or id): new rows land on the first page, and nothing moves them."""
    if not use_case.sorts:
        return False
    first = use_case.sorts[0]
    if not first.descending or first.joined or first.entity != use_case.entity:
        return False
    if first.field in {"id", "created_at"}:
        return True
    field = spec.entities[use_case.entity].fields.get(first.field)
    if field is None or field.type.kind != "datetime":
        return False
    # a time an update sets (last_activity_at) moves rows between pages
    return not any(u.kind != "create" for u in analysis.field_writers.get(f"{use_case.entity}.{first.field}", ()))
