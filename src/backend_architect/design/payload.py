"""The payload beside the physical figure: bytes a day of what writers send, next to what the disks hold.

A reader checks a design against a back-of-envelope (2B messages a day x 100 B of text = 200 GB
a day; 5M uploads x 100 MB = 500 TB a day of originals). The physical figures (a row's tuple
header, its keys and indexes, the page fill; the renditions made from an upload) are several
times that, and cannot be checked without the payload stated beside them. Each figure here
states its formula over the fields' average sizes, so the two can be told apart.
"""

from __future__ import annotations

from backend_architect.design.wide_column_sizes import held_row_bytes, held_where
from backend_architect.ir.model import Architecture, Column, Figure, Table
from backend_architect.spec.model import Spec


def payload_columns(spec: Spec, table: Table) -> list[Column]:
    """The columns holding the spec's fields as the writer gives them: no generated column, no key or timestamp the database adds.

    A blob field's column holds the object's key (its content is in object storage, counted there).
    """
    entity = spec.entities.get(table.entity or "")
    if entity is None:
        return []
    return [c for c in table.columns if c.source_field is not None and not c.generated]


def blob_columns(spec: Spec, table: Table) -> set[str]:
    """The columns of a table that hold a blob field's object key."""
    entity = spec.entities.get(table.entity or "")
    if entity is None:
        return set()
    blobs = {name for name, field in entity.fields.items() if field.type.kind == "blob"}
    return {c.name for c in table.columns if c.source_field in blobs and not c.generated}


#: Field kinds a user writes as content (what a back-of-envelope of "a message is 100 bytes" counts); ids, enums,
#: numbers and timestamps are the row's bookkeeping, counted in the payload and on disk but not here.
CONTENT_KINDS = frozenset({"string", "text", "json"})


def _content_widths(spec: Spec, table: Table, columns: list[Column], blob_bytes: float) -> dict[str, float]:
    """The average bytes of each content column (text written by a user) and of the blobs a row keeps in object storage."""
    entity = spec.entities[table.entity or ""]
    widths = {
        _term(c): float(c.avg_bytes)
        for c in columns
        if c.source_field in entity.fields and entity.fields[c.source_field].type.kind in CONTENT_KINDS and c.avg_bytes
    }
    if blob_bytes:
        widths["blob_bytes"] = blob_bytes
    return widths


def _term(column: Column) -> str:
    # a prefix keeps a column named like a keyword ("from", "order") a name in the evaluated formula
    return f"bytes_{column.name}"


#: The key of the bytes the tables add on disk a day (``.<table>`` for one table's).
DISK_PER_DAY = "storage.disk_bytes_per_day"


def disk_per_day(table: Table) -> Figure | None:
    """``storage.disk_bytes_per_day.<table>``: rows a day x (row + index bytes) / page fill, for a table that grows and keeps its
    rows; none for a transient one (an outbox, inbox or idempotency table is emptied as it fills)."""
    from backend_architect.design.capacity import PAGE_FILL, index_bytes_per_row, row_bytes

    if table.role is not None or table.rows_per_day <= 0:
        return None
    held = held_row_bytes(table)
    if held is not None:
        # the store's rows, not the stand-in's: the bytes a day read the row the horizon's size and the nodes read
        return Figure(
            key=f"{DISK_PER_DAY}.{table.name}",
            quantity=f"bytes {table.name} adds on disk a day{held_where(table)}",
            value=table.rows_per_day * held,
            unit="bytes/day",
            formula="rows_per_day x row_bytes",
            inputs={"rows_per_day": table.rows_per_day, "row_bytes": held},
            scope=table.name,
        )
    return Figure(
        key=f"{DISK_PER_DAY}.{table.name}",
        quantity=f"bytes {table.name} adds on disk a day (rows with their header, keys and indexes)",
        value=table.rows_per_day * (row_bytes(table) + index_bytes_per_row(table)) / PAGE_FILL,
        unit="bytes/day",
        formula="rows_per_day x (row_bytes + index_bytes_per_row) / page_fill",
        inputs={"rows_per_day": table.rows_per_day, "row_bytes": row_bytes(table), "index_bytes_per_row": index_bytes_per_row(table), "page_fill": PAGE_FILL},
        scope=table.name,
    )


def disk_total(per_table: dict[str, float], held: str = "") -> Figure | None:
    """``storage.disk_bytes_per_day``: the sum of every table's bytes a day, the figure the summary states (one source).

    ``held`` names the tables a wide-column store holds among the parts (``wide_column_sizes.held_said``): their bytes are
    the store's rows, one copy, and the total says so.
    """
    if not per_table:
        return None
    return Figure(
        key=DISK_PER_DAY,
        quantity=f"bytes the tables add on disk a day, all tables (rows with their header, keys and indexes{held})",
        value=sum(per_table.values()),
        unit="bytes/day",
        formula="sum of the tables' bytes a day",
        inputs=dict(per_table),
        scope="system",
    )


def table_payload_figures(spec: Spec, arch: Architecture) -> list[Figure]:
    """``storage.content_bytes_per_day.<table>`` (rows a day x the text and blob fields' sizes: what a user writes),
    ``storage.payload_bytes_per_day.<table>`` (rows a day x the fields' average sizes) beside
    ``storage.disk_bytes_per_day.<table>`` (rows a day x (row + index bytes) / page fill), for every table that grows and keeps
    its rows (an entity's, a join, key or lookup table's: the last two have no payload of the spec's fields), and their sum,
    ``storage.disk_bytes_per_day``: the table sizes at the horizon divided by its days."""
    # the capacity stage calls this: its row and index widths are the physical figure's (one source)
    from backend_architect.design.capacity import blob_bytes_per_row

    blobs = blob_bytes_per_row(spec)
    figures: list[Figure] = []
    for store in arch.datastores:
        for table in store.tables:
            columns = payload_columns(spec, table)
            # a transient table (outbox, inbox, idempotency rows) is emptied as it fills; every other growing table adds to the
            # disk, a key or lookup table with no field of the spec's among them
            if table.role is not None or table.rows_per_day <= 0:
                continue
            widths = {_term(c): float(c.avg_bytes) for c in columns}
            content = _content_widths(spec, table, columns, blobs.get(table.name, 0.0)) if columns else {}
            if content:
                figures.append(
                    Figure(
                        key=f"storage.content_bytes_per_day.{table.name}",
                        quantity=f"content users write to {table.name} a day (the text and blob fields alone: no ids, keys or row overhead"
                        + ("; blobs in object storage)" if blobs.get(table.name) else ")"),
                        value=table.rows_per_day * sum(content.values()),
                        unit="bytes/day",
                        formula=f"rows_per_day x ({' + '.join(content)})",
                        inputs={"rows_per_day": table.rows_per_day, **content},
                        scope=table.name,
                    )
                )
            if widths:
                figures.append(
                    Figure(
                        key=f"storage.payload_bytes_per_day.{table.name}",
                        quantity=f"payload written to {table.name} a day (the fields' bytes, before row overhead and indexes)",
                        value=table.rows_per_day * sum(widths.values()),
                        unit="bytes/day",
                        formula=f"rows_per_day x ({' + '.join(widths)})",
                        inputs={"rows_per_day": table.rows_per_day, **widths},
                        scope=table.name,
                    )
                )
            if (disk := disk_per_day(table)) is not None:
                figures.append(disk)
    if (total := disk_total({str(f.scope): f.value for f in figures if f.key.startswith(DISK_PER_DAY + ".")})) is not None:
        figures.append(total)
    parts = [f for f in figures if f.key.startswith("storage.content_bytes_per_day.")]
    if parts:
        blob = sum(f.inputs["rows_per_day"] * f.inputs.get("blob_bytes", 0.0) for f in parts)
        text = sum(f.value for f in parts) - blob
        figures.append(
            Figure(
                key="storage.content_bytes_per_day",
                quantity="content users write a day, all tables: text fields in the database, blobs in object storage (what a back-of-envelope checks)",
                value=text + blob,
                unit="bytes/day",
                formula="text_bytes_per_day + blob_bytes_per_day",
                inputs={"text_bytes_per_day": text, "blob_bytes_per_day": blob},
                scope="system",
            )
        )
    return figures
