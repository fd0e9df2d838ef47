"""A create that sets its many-to-many relations: the links it writes, how the body names them, how many a row takes.

``writes: [Video, Video.tags]`` on a create (or replace) of Video whose entity says ``many_to_many: [Tag]``
sets the video's tags in its body: the join rows (``video_tags``) are written in the transaction that
inserts the video, and every record of the write (the request schema, its example, the operation's
description, the join table's rows and inserts, the scaffold) reads the rules here, so none of them
says "no way to set tags on upload".

- **What the body carries.** A target with a unique name (a ``Tag`` whose ``name`` is unique) is
  named by it: the client sends ``["jazz", "live"]`` and the server creates the names it does not
  know (an insert that does nothing on a conflict of the unique name) before linking them. Any other
  target, or one another service owns (its rows cannot be created here), is sent by id.
- **How many.** The target's ``avg_per_parent`` and ``max_per_parent`` count its links per row of the
  entity listing it (a video's 5 tags, at most 20) when the target has no parent of its own to count
  by; else one link a row on average and :data:`DEFAULT_MAX_LINKS` at most, recorded as assumptions.
- **Optional.** The relation is optional in the body (a video without tags); a link entity written as
  a part (``VideoTag part_of: Video``, ``writes: [Video, VideoTag]``) is the form for links that must
  exist or carry fields of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import join_columns, join_table, parent_relation
from backend_architect.spec.units import SECONDS_PER_DAY

if TYPE_CHECKING:
    from backend_architect.design.analysis import Analysis

#: The most links one create may set when the target states no ``max_per_parent``.
DEFAULT_MAX_LINKS = 100
#: Links one row takes on average when the target states no ``avg_per_parent``.
DEFAULT_LINKS_PER_ROW = 1.0
#: Fields that name a row for people, in the order one is taken as the target's name.
NAME_FIELDS = ("name", "slug", "label", "code", "title")


@dataclass(frozen=True)
class LinkWrite:
    """One many-to-many relation a create sets in its body."""

    entity: str
    relation: str
    target: str
    table: str
    #: The join table's two columns: the created row's id, the target's id.
    columns: tuple[str, str]
    #: The target's unique name field the body sends (``name``), or None when the body sends ids.
    name_field: str | None
    avg: float
    most: int
    #: Whether ``avg`` and ``most`` were stated (the target's avg_per_parent / max_per_parent).
    stated: tuple[bool, bool]

    @property
    def body_field(self) -> str:
        """The request property: the relation's name (``tags``), holding names or ids."""
        return self.relation


def links_written(spec: Spec, entity: str, writes: Iterable[str], kind: str) -> tuple[str, ...]:
    """The many-to-many relations of ``entity`` a create or replace writes with the whole row (``Video.tags`` beside ``Video``).

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> spec = load_spec_bytes(b"system: s\\nentities:\\n  Tag: {fields: {name: string}}\\n  Video: {many_to_many: [Tag], fields: {t: string}}\\n").spec
    >>> links_written(spec, "Video", ["Video", "Video.tags"], "create"), links_written(spec, "Video", ["Video.tags"], "create")
    (('tags',), ())
    """
    written = list(writes)
    body = spec.entities.get(entity)
    if body is None or kind not in {"create", "replace"} or entity not in written:
        return ()
    named = (w.split(".", 1)[1] for w in written if w.startswith(entity + "."))
    return tuple(dict.fromkeys(r for r in named if r in body.many_to_many))


def counts_links(spec: Spec, target: str) -> bool:
    """The target's ``avg_per_parent``/``max_per_parent`` count its links per linking row: it has no parent of its own."""
    return parent_relation(spec, target) is None


def name_field(spec: Spec, target: str) -> str | None:
    """The unique string field that names a target row (``Tag.name``), or None: such a target is sent by name, others by id.

    Only a row the name alone can make is named: every other field of the target is nullable or has a default (a Tag, a
    Topic; not a User whose email is required, nor a row with a parent). A name not yet known makes such a row.
    """
    fields = spec.entities[target].fields
    for candidate in NAME_FIELDS:
        field = fields.get(candidate)
        if field is None or not field.unique or field.type.kind not in {"string", "text"} or field.is_nullable:
            continue
        others = (f for n, f in fields.items() if n != candidate)
        if spec.entities[target].part_of is None and all(f.is_nullable or f.default is not None for f in others):
            return candidate
    return None


def link_write(spec: Spec, entity: str, relation: str, local: bool = True) -> LinkWrite:
    """How a create of ``entity`` sets ``relation``: by name where the target is named and ``local`` (its rows can be made here)."""
    target = spec.entities[entity].many_to_many[relation]
    body = spec.entities[target]
    counted = counts_links(spec, target)
    avg = body.avg_per_parent if counted and body.avg_per_parent is not None else DEFAULT_LINKS_PER_ROW
    most = int(body.max_per_parent) if counted and body.max_per_parent is not None else DEFAULT_MAX_LINKS
    return LinkWrite(
        entity=entity,
        relation=relation,
        target=target,
        table=join_table(entity, relation),
        columns=join_columns(entity, relation, target),
        name_field=name_field(spec, target) if local else None,
        avg=avg,
        most=max(most, 1),
        stated=(counted and body.avg_per_parent is not None, counted and body.max_per_parent is not None),
    )


def links_assumptions(spec: Spec, writes: Iterable[tuple[str, str]]) -> list[str]:
    """What a create's links take when the target states no count: one line per relation, for the design's assumptions."""
    lines = []
    for entity, relation in dict.fromkeys(writes):
        link = link_write(spec, entity, relation)
        if not link.stated[0]:
            lines.append(
                f"entities.{link.target}.avg_per_parent: not given; a {entity} sets {DEFAULT_LINKS_PER_ROW:g} {relation} link(s) on average "
                f"(state {link.target}'s avg_per_parent: the links per {entity})"
            )
        if not link.stated[1]:
            lines.append(f"entities.{link.target}.max_per_parent: not given; a {entity} create takes at most {DEFAULT_MAX_LINKS} {relation}")
    return lines


@dataclass(frozen=True)
class JoinRows:
    """The rows of a join table the creates setting its relation make: today's and a day's, with the working."""

    table: str
    rows_now: float
    #: Rows a day: ``creates_per_s x 86400 x links_per_row``.
    rows_per_day: float
    creates_per_s: float
    links_per_row: float
    creators: tuple[str, ...]

    @property
    def formula(self) -> str:
        return f"creates_per_s x 86400 x links_per_row (creates_per_s: the average rates of {', '.join(self.creators)})"

    @property
    def inputs(self) -> dict[str, float]:
        return {"creates_per_s": self.creates_per_s, "links_per_row": self.links_per_row}


def join_rows(spec: Spec, analysis: Analysis) -> dict[str, JoinRows]:
    """Per join table a create fills: its rows today (the entity's rows x links a row) and a day (creates a day x links a row).

    Every record of the table's size (its rows a day, storage, inserts reaching its primary) reads this, so the
    join table is not sized at 0 rows while every upload writes its tags.
    """
    found: dict[str, JoinRows] = {}
    # a replace swaps a row's links for others: it writes join rows but does not grow the table
    for use_case in (u for u in analysis.use_cases if u.kind == "create"):
        for relation in use_case.links:
            link = link_write(spec, use_case.entity, relation)
            was = found.get(link.table)
            creates = (was.creates_per_s if was else 0.0) + use_case.avg_qps
            facts = analysis.entities.get(use_case.entity)
            now = facts.rows_now * link.avg if facts else 0.0
            creators = tuple(dict.fromkeys((*(was.creators if was else ()), use_case.name)))
            found[link.table] = JoinRows(link.table, now, creates * SECONDS_PER_DAY * link.avg, creates, link.avg, creators)
    return found
