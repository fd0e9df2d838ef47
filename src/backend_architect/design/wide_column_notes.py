"""The wide-column store's "not needed" notes restated from the sizes the finished design states.

The wide-column pattern (PAT055) weighs each big table in the storage stage; later stages key a
tiered table by its partition column and count the guarantee rows its writes commit, and the shard
count reads the table so stored. This stage restates each note's numbers (bytes at the horizon,
peak inserts, primaries needed) from the same figures, so the note and the sharding decision say
one size and one count for a table.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns._common import figures
from backend_architect.design.patterns._stores import horizon
from backend_architect.design.patterns._wide_column_plan import CODE, restated
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec


def derive_wide_column_notes(spec: Spec, analysis: Analysis, arch: Architecture) -> Architecture:
    """Every PAT055 note with its numbers read from the design's figures (``restated``)."""
    if not any(n.pattern == CODE for n in arch.pattern_notes):
        return arch
    known = figures(arch)
    years = horizon(spec)
    tables = {t.name: t for s in arch.datastores for t in s.tables}
    notes = [
        n.model_copy(update={"reason": restated(n.reason, tables[n.subject], known, years, analysis.peak_factor)})
        if n.pattern == CODE and n.subject in tables
        else n
        for n in arch.pattern_notes
    ]
    return arch.model_copy(update={"pattern_notes": notes})
