"""Ids a client sends: every way an entity's id crosses the API, and where the contract gives each one out.

An id crosses the API when a client sends it: a path parameter (``/questions/{question_id}``), a reference
in a request body (``author_id``, a create's ``tags`` by id), or a filter (``?question_id=``, and a filter
through a many-to-many relation, ``?tag_id=``). Two records read this module:

- **the key decision** (``design/keys.py``): an entity whose id crosses the API is keyed like every exposed
  id (UUIDv7), never by a bigint identity said to "never leave the database";
- **the contract and its critic**: an id a client sends must be one some response gives out (the entity's
  own read, a list of it, a reference column of another row it answers), else no client can learn it.

The rule that keeps the second true by construction (``design/api/parameters.py``, ``design/link_writes.py``):
a many-to-many relation is named the way a create sets it, by the target's unique name where it has one
(``?tag=python``, ``tags: ["python"]``), else by id; an id-taking relation's target must then be returned by
some response, which ``ir/id_inputs.py`` checks over the contract as built (the critic's DES014).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backend_architect.design.analysis import UseCase
from backend_architect.design.link_writes import name_field
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import snake


def linked_by_id(spec: Spec, entity: str, target: str, owner: Mapping[str, str]) -> bool:
    """A many-to-many relation from ``entity`` to ``target`` is sent by id (in a create's body, a filter): the target has no
    unique name that alone makes a row, or another service holds it (its rows cannot be looked up by name here)."""
    held = owner.get(target) is not None and owner.get(target) == owner.get(entity)
    return not held or name_field(spec, target) is None


def link_targets(spec: Spec, use_cases: Iterable[UseCase], owner: Mapping[str, str]) -> set[str]:
    """Entities whose ids a link write takes: a create's links by id (``tags: [id, ...]``), and the target of a link made
    or unmade at its pair, whose id is in the path whatever its name (``PUT /articles/{article_id}/tags/{tag_id}``)."""
    found: set[str] = set()
    for u in use_cases:
        relations = spec.entities[u.entity].many_to_many
        found |= {relations[r] for r in u.links if linked_by_id(spec, u.entity, relations[r], owner)}
        if u.relation is not None and u.relation in relations:
            found.add(relations[u.relation])
    return found


def filter_targets(spec: Spec, use_cases: Iterable[UseCase], owner: Mapping[str, str]) -> set[str]:
    """Entities whose ids a client's filter takes: a reference filtered on (``Answer.question``), a many-to-many
    relation filtered on whose target is taken by id (:func:`linked_by_id`)."""
    found: set[str] = set()
    for use_case in use_cases:
        if use_case.kind == "job":
            continue
        for ref in (f for f in use_case.filters if f.constant is None):
            body = spec.entities.get(ref.entity)
            if body is None:
                continue
            target = body.many_to_many.get(ref.field)
            if target is not None:
                if linked_by_id(spec, ref.entity, target, owner):
                    found.add(target)
                continue
            field = body.fields.get(ref.field)
            if field is not None and field.type.kind == "ref" and field.type.target:
                found.add(field.type.target)
            elif body.part_of and ref.field == snake(body.part_of):
                found.add(body.part_of)
    return found
