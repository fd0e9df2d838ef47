"""An entity a get names in ``reads`` that no reference joins to its item is not read by it.

A get answers one item and what hangs off it: the rows naming it (its children) and the rows it names (its references),
read by its key (``design/embeds.py``). An entity neither naming the item nor named by it, not linked to it many-to-many
and not the subject of one of its filters or sorts has no key the request holds: the old reading drew a read of one row
by an id nobody sent. The analysis leaves such an entity out of the get's reads, so no figure counts and no diagram draws
a read that cannot happen, and warns the author to read it in a use case of its own.
"""

from __future__ import annotations

from backend_architect.spec.model import Spec, UseCaseSpec


def joined(spec: Spec, item: str, other: str) -> bool:
    """Whether one hop joins ``other`` to ``item``: a reference either way (``part_of`` included), or a many-to-many link.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> spec = load_spec_bytes(b'''
    ... system: s
    ... entities:
    ...   Post: {fields: {title: string(80)}}
    ...   Reply: {fields: {post: ref(Post)}}
    ...   Banner: {fields: {image: string(80)}}
    ... use_cases: [{name: view post, kind: get, reads: [Post], rate: 1/s}]
    ... ''').spec
    >>> joined(spec, "Post", "Reply"), joined(spec, "Reply", "Post"), joined(spec, "Post", "Banner")
    (True, True, False)
    """

    def names(a: str, b: str) -> bool:
        body = spec.entities[a]
        refs = {f.type.target for f in body.fields.values() if f.type.kind == "ref"}
        return body.part_of == b or b in refs or b in body.many_to_many.values()

    return names(item, other) or names(other, item)


def unjoined(spec: Spec, use_case: UseCaseSpec, item: str, kind: str) -> tuple[str, ...]:
    """The entities a get (``kind``) of ``item`` names in ``reads`` that nothing joins to it in one hop, in spec order; none
    for any other kind, or where its filters or sorts name that entity (a join the read makes)."""
    if kind != "get" or item not in spec.entities:
        return ()
    used = {r.removeprefix("-").split(".", 1)[0] for r in (*use_case.filter, *use_case.sort) if "." in r}
    reads = dict.fromkeys(r.split(".", 1)[0] for r in use_case.reads)
    return tuple(e for e in reads if e != item and e in spec.entities and e not in used and not joined(spec, item, e))


__all__ = ["joined", "unjoined"]
