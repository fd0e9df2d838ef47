"""The wide-column store's "not needed" notes restated from the sizes the finished design states.

The wide-column pattern (PAT055) weighs each big table in the storage stage; later stages key a
tiered table by its partition column and count the guarantee rows its writes commit, and the shard
count reads the table so stored. This stage restates each note's numbers (bytes at the horizon,
peak inserts, primaries needed) from the same figures, so the note and the sharding decision say
one size and one count for a table.

The note's reasons were also written before the sharding decision placed the tables: "writes
TripOffer with Trip in one transaction" holds only while both live on one server. Each such reason
is restated from the placement the design ended with (``design/commit_scope.py``): where the rows
live on different shards or in different services' databases the note says they are written in one
request but not in one transaction, and names the mechanism that replaces it.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.commit_scope import apart, together
from backend_architect.design.patterns._common import figures
from backend_architect.design.patterns._stores import horizon
from backend_architect.design.patterns._wide_column_plan import CODE, joins_said, part_of_said, restated, written_with
from backend_architect.design.split_joins import split_joins
from backend_architect.ir.model import Architecture, Table
from backend_architect.spec.model import Spec


def derive_wide_column_notes(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every PAT055 note with its numbers read from the design's figures (``restated``)."""
    if not any(n.pattern == CODE for n in arch.pattern_notes):
        return arch
    known = figures(arch)
    years = horizon(spec)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    notes = []
    for n in arch.pattern_notes:
        table = tables.get(n.subject) if n.pattern == CODE else None
        if table is not None:
            n = n.model_copy(update={"reason": placed(spec, analysis, arch, restated(n.reason, table, known, years, analysis.peak_factor), table)})
        notes.append(n)
    return arch.model_copy(update={"pattern_notes": notes})


def placed(spec: Spec, analysis: Analysis, arch: Architecture, reason: str, table: Table) -> str:
    """``reason`` with each write of ``table``'s rows with others, and its membership of an aggregate, said as the placement
    commits them: in one transaction only where every row lands on one server."""
    entity = table.entity or ""
    names = {t.entity: t.name for s in arch.datastores for t in s.tables if t.entity}
    for use_case in analysis.use_cases:
        if not use_case.is_write or entity not in use_case.entities:
            continue
        first = written_with(use_case, entity)
        if first is None or not first[1]:
            continue
        parted = apart(arch, use_case.name, table.name, [names[e] for e in first[1] if e in names])
        said = written_with(use_case, entity, together(table.name, parted)) if parted else None
        if said is not None:
            reason = reason.replace(first[0], said[0])
    built = {t.name: t.sharding.now is not False for s in arch.datastores for t in s.tables if t.sharding}
    for split in split_joins(analysis, arch, built, {}):
        if table.name not in {split.table, split.joined}:
            continue
        own, joined = split.second.entity, split.first.entity
        other = joined if entity == own else own
        reason = reason.replace(joins_said(split.use_case, entity, {other}), split.said(own, joined))
    parent = spec.entities[entity].part_of if entity in spec.entities else None
    if parent and parent in names:
        parted = [a for u in analysis.use_cases if u.is_write for a in apart(arch, u.name, table.name, [names[parent]])]
        if parted:
            now = "not in its transaction: its rows live on another server than its parent's"
            how = "in its transaction only until their rows part" if all(a.since != "now" for a in parted) else now
            reason = reason.replace(part_of_said(parent), part_of_said(parent, how))
    return reason
