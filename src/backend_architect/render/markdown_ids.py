"""The API's record of the ids a client sends: the rule that names each relation, and where each id is given out.

Read from the contract as built (``ir/id_inputs.py``), the same reading the critic's DES014
makes, so the record cannot say an id is learnable that no response returns.
"""

from __future__ import annotations

from backend_architect.ir.id_inputs import inputs, returned
from backend_architect.ir.model import Architecture

#: The rule the contract follows, said once in the record (``design/api/parameters.py``, ``design/link_writes.py``).
RULE = (
    "A many-to-many relation is named the way a create sets it: by the target's unique name where it has one and "
    'the same service holds it (`?tag=python`, `tags: ["python"]`), else by id; every id a client sends must be one a '
    "response gives out (the entity's own read, or a reference column of a row it answers)."
)


def ids_section(arch: Architecture) -> list[str]:
    """Each entity whose id a client sends: the operations taking it, and whether a response gives it out."""
    sent = inputs(arch)
    if not sent:
        return []
    given = returned(arch)
    lines = ["### Ids a client sends", "", RULE, ""]
    for entity in sorted({i.entity for i in sent}):
        taken = sorted({f"{i.operation} ({i.where})" for i in sent if i.entity == entity})
        source = "a response returns it" if entity in given else "no response returns it: a client learns it outside this contract"
        lines.append(f"- {entity}: {source}; taken by {'; '.join(taken)}")
    return [*lines, ""]
