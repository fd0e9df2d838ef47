"""The volumes a reader holds against a brief, for the summary: content a day, ingress, object storage at the horizon.

A brief's back-of-envelope counts what users write (2B messages x 100 B = 200 GB a day), what they
send (uploads x size) and the horizon at today's rate (10 TB a day x 10 years). The design's
physical figures (rows with ids and overhead, requests with headers, growth compounded) sit beside
them in the Capacity section; the summary names each comparable figure first, with its key, so both
can be checked.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture, Figure
from backend_architect.render.numbers import human


def volume_rows(arch: Architecture) -> list[list[str]]:
    """Summary rows for the comparable volumes the design computed (none when it computed none)."""
    figures = {f.key: f for f in arch.figures}
    rows: list[list[str]] = []
    content = figures.get("storage.content_bytes_per_day")
    if content is not None:
        disk = figures["storage.disk_bytes_per_day"].value if "storage.disk_bytes_per_day" in figures else 0.0
        text, blob = content.inputs["text_bytes_per_day"], content.inputs["blob_bytes_per_day"]
        split = f"{human(text, 'bytes')} of text" + (f" + {human(blob, 'bytes')} of blobs (object storage)" if blob else "")
        rows.append(
            [
                "content users write a day",
                f"{split} = {human(content.value, 'bytes')} (`storage.content_bytes_per_day`); the tables add {human(disk, 'bytes')} a day on disk "
                f"with ids, row overhead and indexes{_held(arch)} (`storage.disk_bytes_per_day`)",
            ]
        )
    payload, ingress = figures.get("bandwidth.ingress_payload"), figures.get("bandwidth.ingress")
    if payload is not None and ingress is not None:
        rows.append(
            [
                "client ingress (request bodies and uploads)",
                f"{human(payload.value, 'bytes/s')} on average (`bandwidth.ingress_payload`); {human(ingress.value, 'bytes/s')} with headers",
            ]
        )
    flat = next((f for k, f in sorted(figures.items()) if k.startswith("storage.object_store.at_today_rate_")), None)
    if flat is not None:
        years = flat.key.removeprefix("storage.object_store.at_today_rate_")
        grown = figures.get(f"bytes.{years}.object_store")
        rows.append(
            [
                f"object storage over {years.removesuffix('y')} years",
                f"{human(flat.value, 'bytes')} added at today's upload rate (`{flat.key}`)"
                + (f"; {human(grown.value, 'bytes')} in all (`{grown.key}`){_object_terms(figures, years, grown)}" if grown is not None else ""),
            ]
        )
    return rows


def _held(arch: Architecture) -> str:
    """The tables a wide-column store holds, counted in the bytes a day as its CQL rows (one copy): said beside the total, so the
    sum reads as the parts the Capacity section lists ('' when none is held)."""
    held = [t for s in arch.datastores for t in s.tables if t.wide_column is not None and t.wide_column.row_bytes > 0]
    return "".join(f"; {t.name} as {t.wide_column.technology}'s CQL rows, one of {t.wide_column.replication_factor} copies" for t in held if t.wide_column)


def _object_terms(figures: dict[str, Figure], years: str, total: Figure) -> str:
    """The object-storage total said as the sum of its own terms: the originals stored by then (with the growth their row
    counts compound, when any) and each output processed from them, each with its figure key, so the total is never
    explained by a cause that is not in its formula (a growth of 0% said to compound, or renditions left out)."""
    made = {k: v for k, v in sorted(total.inputs.items()) if f"bytes.{years}.object_store.{k}" in figures}
    originals = figures.get(f"storage.object_store.originals_{years}")
    tables = [k.removesuffix("_rows") for k in total.inputs if k.endswith("_rows")]
    growth = max((figures[f"rows.{years}.{t}"].inputs.get("growth", 0.0) for t in tables if f"rows.{years}.{t}" in figures), default=0.0)
    grows = f", growing {growth:.0%} a year" if growth > 0 else ""
    if not made or originals is None:
        # the total is the originals alone: its rows say what made it larger than today's rate
        return f": the originals stored by then, today's and those uploaded since{grows}"
    said = f"originals stored by then (`{originals.key}`: today's and those uploaded since{grows})"
    parts = [f"{human(originals.value, 'bytes')} of {said}"]
    parts += [f"{human(v, 'bytes')} processed from them (`bytes.{years}.object_store.{k}`)" for k, v in made.items()]
    return " = " + " + ".join(parts)
