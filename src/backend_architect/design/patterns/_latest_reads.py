"""The answer of a read of a latest value kept in Redis: what the response carries, from what Redis holds.

The rule every mechanism follows (``design/paths.py``, ``unserved``): a read answered by Redis
alone returns what Redis holds for the key (its id and the latest fields), not the row's other
columns; a read that also returns rows from the database (a video with its resume offset)
carries the latest fields beside them, so what the flow reads from Redis is in the answer.
"""

from __future__ import annotations

from backend_architect.design.analysis import UseCase
from backend_architect.design.examples import EXAMPLE_TIME
from backend_architect.design.patterns._api import column_parameter_type, operation_of, schema_of
from backend_architect.design.patterns._common import table_of
from backend_architect.ir.model import ApiProperty, ApiSchema, Architecture, Operation

Shaped = tuple[tuple[tuple[str, Operation], ...], tuple[tuple[str, ApiSchema], ...]]


def latest_answer(arch: Architecture, reader: UseCase, entity: str, fields: tuple[str, ...], alone: bool) -> Shaped:
    """``reader``'s operation answering what Redis holds (``alone``), or its rows with the latest ``fields`` beside them."""
    found = operation_of(arch, reader.name)
    if found is None or len(found[1].use_cases) > 1 or found[1].paginated:
        return (), ()  # a shared or paged answer keeps its shape: the pattern's note says where the value comes from
    service, op = found
    answer = schema_of(arch, service, op.response_schema or "")
    if answer is None:
        return (), ()
    example = op.example_response if isinstance(op.example_response, dict) else {}
    if alone:
        if answer.entity != entity:
            return (), ()
        kept = [p for p in answer.properties if p.name == "id" or p.name in fields]
        view = ApiSchema(name=f"{entity}Latest", entity=entity, properties=kept)
        note = f"Answered from Redis alone (no database read): the {entity}'s id and its latest {', '.join(fields)}."
        shaped = {k: v for k, v in example.items() if k in {p.name for p in kept}}
    else:
        extra = [p for p in _properties(arch, entity, fields) if p.name not in {q.name for q in answer.properties}]
        if not extra:
            return (), ()
        view = ApiSchema(name=f"{answer.name}With{entity}", entity=answer.entity, properties=[*answer.properties, *extra])
        note = f"Carries the latest {', '.join(p.name for p in extra)} of the {entity}, read from Redis."
        shaped = {**example, **{p.name: _example(p) for p in extra}}
    changed = op.model_copy(update={"response_schema": view.name, "example_response": shaped, "description": f"{op.description} {note}".strip()})
    return ((service, changed),), ((service, view),)


def paged_answer(arch: Architecture, reader: UseCase, entity: str, fields: tuple[str, ...], key: str) -> tuple[tuple[str, Operation], ...]:
    """``reader``'s list of ``entity`` rows saying where each row's latest ``fields`` come from: Redis (``key``), not the row.

    The row's own columns hold only what other use cases write (a position as created): a contract promising the row's
    value would have the client read a value the database never receives per update."""
    found = operation_of(arch, reader.name)
    if found is None or found[1].entity != entity:
        return ()
    service, op = found
    note = f"Each {entity}'s {', '.join(fields)} is its latest, read from Redis ({key}) by the page's ids, not from the row."
    return ((service, op.model_copy(update={"description": f"{op.description} {note}".strip()})),)


def _properties(arch: Architecture, entity: str, fields: tuple[str, ...]) -> list[ApiProperty]:
    """Response properties of the latest fields, typed from their columns."""
    found = table_of(arch, entity)
    if found is None:
        return []
    columns = {c.name: c for c in found[1].columns}
    out = []
    for name in fields:
        column = columns.get(name) or columns.get(f"{name}_id")
        if column is None:
            continue
        kind, fmt = column_parameter_type(column.type)
        out.append(
            ApiProperty(
                name=column.name,
                type=kind,
                format=fmt,
                nullable=True,
                required=True,
                read_only=True,
                description=f"The latest {name} of the caller's {entity}, from Redis (null if none is kept).",
            )
        )
    return out


def _example(prop: ApiProperty) -> object:
    if prop.format == "date-time":
        return EXAMPLE_TIME
    return {"integer": 42, "number": 21.5, "boolean": True}.get(prop.type, "example")


__all__ = ["latest_answer", "paged_answer"]
