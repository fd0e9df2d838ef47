"""PAT043: search documents live where the search decision put them; the database keeps no second full-text copy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_architect.design.analysis import Analysis
from backend_architect.design.patterns import Applied, Outcome, Skipped, pattern
from backend_architect.design.patterns._clouds import search_service
from backend_architect.design.patterns._common import fmt
from backend_architect.design.patterns._stores import NO_READERS, reader_index
from backend_architect.design.patterns.search import PG_SEARCH_MAX_QPS, PG_SEARCH_MAX_ROWS
from backend_architect.ir.model import Architecture
from backend_architect.ir.runtime import Component, Placement
from backend_architect.spec.model import Spec

#: A search decision whose choice names one of these put the documents in a search engine.
ENGINE = re.compile(r"opensearch|elasticsearch|meilisearch|solr|typesense|algolia|vespa|search engine", re.IGNORECASE)


@pattern(code="PAT043", name="search-documents-placement", stage="placement", title="Place search documents with the search decision")
def search_documents(spec: Spec, analysis: Analysis, arch: Architecture) -> Iterator[Outcome]:
    """
    ## When it applies
    Every entity that a use case searches as full text. Where the documents live follows the
    search decision, which compares the corpus and the search rate with what PostgreSQL's
    full-text index serves (10M rows, 200 searches/s).

    ## What it adds
    A placement of the entity's search documents: in PostgreSQL (a GIN index over a tsvector)
    or in the search engine, fed from the entity's change events. With an engine, the GIN index
    leaves the DDL: the engine's index is the copy, the table stays the source of truth.

    ## What it costs
    With an engine: a second store to feed and a lag between a write and its findability; the
    database stops paying the GIN index's write amplification.

    ## Alternatives
    Both indexes at once (two copies of the same documents to keep consistent; the database one unused).

    ## References
    PostgreSQL documentation, "GIN Indexes" (70) and "Full Text Search" (12).
    """
    made = next((d for d in arch.decisions if d.id == "search"), None)
    placed = {p.data for p in arch.placements}
    index = reader_index(analysis)
    for store in arch.datastores:
        for table in store.tables:
            entity = table.entity or ""
            searches = [u for u in index.get(entity, NO_READERS).lookups if any(r.entity == entity for r in u.searches)]
            if not searches:
                continue
            subject = f"{table.name}.search"
            if subject in placed:
                yield Skipped(subject, "placed by an earlier pattern")
                continue
            if made is None:
                yield Skipped(subject, "no search decision to follow")
                continue
            qps = sum(u.peak_qps for u in searches)
            numbers = (
                f"{fmt(table.rows_now)} rows and {fmt(qps)} searches/s at peak against PostgreSQL's {fmt(PG_SEARCH_MAX_ROWS)} rows / {fmt(PG_SEARCH_MAX_QPS)}/s"
            )
            if ENGINE.search(made.choice):
                engine = search_service(spec, made.choice.split(" (")[0])
                kept = [i for i in table.indexes if i.method != "gin"]
                updated = table.model_copy(update={"indexes": kept})
                note = f"search documents of {table.name} live in {engine}, fed from its change events; the table keeps no GIN copy"
                place = Placement(
                    data=subject,
                    data_class="search",
                    store=engine,
                    reason=numbers,
                    retention=f"as long as the {table.name} rows",
                    component="search-engine",
                    decision=made.id,
                    alternatives=["PostgreSQL GIN index: past its thresholds"],
                )
                component = Component(
                    name="search-engine", kind="search-engine", technology=engine, purpose=f"search documents of {table.name}", decision=made.id
                )
                revised = made.model_copy(update={"consequences": "; ".join(c for c in (made.consequences, note) if c)})
                yield Applied(revised, components=(component,), tables=((store.name, updated),), placements=(place,))
            else:
                place = Placement(
                    data=subject,
                    data_class="search",
                    store="postgresql (GIN index on a tsvector)",
                    reason=numbers,
                    retention=f"as long as the {table.name} rows",
                    component="postgresql",
                    decision=made.id,
                    alternatives=["a search engine: not before the thresholds"],
                )
                yield Applied(made, placements=(place,))
