"""The API's record of the ids a client sends: the rule that names each relation, and where each id is given out.

Read from the contract as built (``ir/id_inputs.py``), the same reading the critic's DES014
makes, so the record cannot say an id is learnable that no response returns.
"""

from __future__ import annotations

from backend_architect.ir.id_inputs import given_out, inputs
from backend_architect.ir.model import Architecture

#: The rule the contract follows, said once in the record (``design/api/parameters.py``, ``design/link_writes.py``).
RULE = (
    "A many-to-many relation is named the way a create sets it: by the target's unique name where it has one and "
    'the same service holds it (`?tag=python`, `tags: ["python"]`), else by id, and a target sent by id that no other '
    "response gives out is listed (`GET /v1/tags`); every id a client sends is one a response gives out (the entity's own "
    "read, or a reference column of a row it answers)."
)


def ids_section(arch: Architecture) -> list[str]:
    """Each entity whose id a client sends: where it is sent, and the responses that give it out (or that none does)."""
    sent = inputs(arch)
    if not sent:
        return []
    given = given_out(arch)
    lines = ["### Ids a client sends", "", RULE, ""]
    for entity in sorted({i.entity for i in sent}):
        mine = [i for i in sent if i.entity == entity]
        paths = len({i.operation for i in mine if i.where.startswith("path ")})
        named = sorted({f"`{i.operation}` ({i.where.removesuffix(' parameter').replace(' parameter ', ' ')})" for i in mine if not i.where.startswith("path ")})
        where = [*([f"the path of {paths} operation(s)"] if paths else []), *named]
        sources = given.get(entity, [])
        source = (
            f"given out by `{sources[0]}`" + (f" and {len(sources) - 1} other response(s)" if len(sources) > 1 else "")
            if sources
            else "no response gives it out: a client learns it outside this contract"
        )
        lines.append(f"- {entity}: sent in {', '.join(where)}; {source}")
    return [*lines, ""]
