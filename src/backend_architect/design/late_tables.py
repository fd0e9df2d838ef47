"""A table a pattern adds after the partitioning stage decided is stated in that decision, as every table before it is.

The partitioning record names every table past the time-partitioning threshold that stays whole, with its size and why, in
the sentence its bottleneck row states. A pattern of a later stage can still add a table (a feed's count of followers per
followed source, sized with the rest): left out of the record, the design would size a table past the threshold and never
say why it stays whole. So the stage running the pattern states each table it added in the record, by the same rule.
"""

from __future__ import annotations

from backend_architect.design.analysis import Analysis
from backend_architect.design.churn import kept_out_of_database
from backend_architect.design.partition_rule import referencing_tables, time_verdict
from backend_architect.ir.model import Architecture
from backend_architect.spec.model import Spec

#: The id of the partitioning stage's record.
PARTITIONING = "partitioning"


def with_late_tables_stated(spec: Spec, analysis: Analysis, before: Architecture, after: Architecture) -> Architecture:
    """``after`` with each relational table it holds and ``before`` did not, past the threshold and whole, named in the
    partitioning record (none where the partitioning stage has not run yet: it states them itself)."""
    decision = next((d for d in after.decisions if d.id == PARTITIONING), None)
    if decision is None:
        return after
    known = {t.name for s in before.datastores for t in s.tables}
    added = [t for s in after.datastores for t in s.tables if t.name not in known and t.wide_column is None]
    if not added:
        return after
    horizon = spec.scale.retention_years or 5.0
    figures = {f.key: f.value for f in after.figures}
    referenced = referencing_tables(after)
    kept = kept_out_of_database(after)
    verdicts = [time_verdict(analysis, t, figures.get(f"bytes.{horizon:g}y.{t.name}", 0.0), horizon, referenced, kept=kept) for t in added]
    said = [v.kept_whole for v in verdicts if v.kept_whole and v.kept_whole not in decision.rationale]
    if not said:
        return after
    stated = decision.model_copy(update={"rationale": f"{decision.rationale}; {'; '.join(said)}"})
    return after.model_copy(update={"decisions": [stated if d.id == PARTITIONING else d for d in after.decisions]})


__all__ = ["with_late_tables_stated"]
