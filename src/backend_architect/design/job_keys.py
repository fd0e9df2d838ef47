"""The key that makes a batch job's writes idempotent, held by the DDL.

A scheduled job that reads rows of one entity (its input) and inserts rows of another that
refers to it produces one row per input row per window. A rerun (a retry, an overlapping run)
must not insert that row twice, so the written table gets a unique key on its reference to the
input, plus its date fields when it has any (a row per input per day). The job's text names
that key where it promises idempotency, so the promise and the schema are one fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_architect.spec.model import Spec
from backend_architect.spec.naming import resolve_column


@dataclass(frozen=True)
class JobKey:
    """The unique key of the rows a job writes: the job, the written entity, its columns and the input they point to."""

    job: str
    entity: str
    source: str
    columns: tuple[str, ...]


def job_keys(spec: Spec) -> tuple[JobKey, ...]:
    """One key per (scheduled use case, whole entity it writes) whose rows refer to the job's input.

    The input is the first entity the job reads, as its run sizing takes it (``design/workload.py``).
    A field write (``Payment.status``) updates rows and inserts none, so it needs no key. A date field
    of the written row joins the key: such a row is one per input per day, not one per input for ever.

    >>> from backend_architect.spec.load import load_spec_bytes
    >>> spec = load_spec_bytes(b'''
    ... system: s
    ... entities:
    ...   Order: {fields: {total: money}}
    ...   Invoice: {fields: {order: ref(Order), amount: money}}
    ... use_cases:
    ...   - {name: invoice orders, kind: job, schedule: hourly, reads: [Order], writes: [Invoice]}
    ... ''').spec
    >>> job_keys(spec)
    (JobKey(job='invoice orders', entity='Invoice', source='Order', columns=('order_id',)),)
    """
    keys: list[JobKey] = []
    for use_case in spec.use_cases:
        if not use_case.schedule or not use_case.reads:
            continue
        source = use_case.reads[0].split(".")[0]
        for written in use_case.writes:
            if "." in written or written == source or written not in spec.entities:
                continue
            entity = spec.entities[written]
            refs = [n for n, f in entity.fields.items() if f.type.kind == "ref" and f.type.target == source]
            if len(refs) != 1:
                # none: the rows do not say which input made them; several: which one is the input is a guess
                continue
            dates = [n for n, f in entity.fields.items() if f.type.kind == "date"]
            columns = tuple(resolve_column(spec, written, n) or n for n in (*refs, *dates))
            keys.append(JobKey(use_case.name, written, source, columns))
    return tuple(keys)


def key_for(spec: Spec, job: str) -> list[JobKey]:
    """The keys of one job's writes, in the order it names the entities."""
    return [k for k in job_keys(spec) if k.job == job]
