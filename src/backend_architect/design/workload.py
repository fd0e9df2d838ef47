"""Where the traffic lands: per table, per external system, and per batch-job run.

Figure builders used by the capacity stage; each returns ``Figure``s with their formula
and inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from backend_architect.design.analysis import UseCase
from backend_architect.design.pushes import push_providers, pushes_of, shares
from backend_architect.ir.model import Figure
from backend_architect.spec.model import Spec
from backend_architect.spec.naming import table_name
from backend_architect.spec.units import SECONDS_PER_DAY

#: A batch job should finish within half its interval, so a late run never overlaps the next.
JOB_WINDOW_SHARE = 0.5
_SCHEDULES = {"minutely": 60, "every minute": 60, "hourly": 3_600, "daily": SECONDS_PER_DAY, "nightly": SECONDS_PER_DAY, "weekly": 7 * SECONDS_PER_DAY}


def schedule_interval(schedule: str) -> float:
    """Seconds between runs of a schedule: words, ``every N minutes``, or a cron expression.

    >>> schedule_interval("*/5 * * * *"), schedule_interval("0 3 * * *"), schedule_interval("every 15 minutes")
    (300, 86400, 900)
    """
    text = schedule.strip().lower()
    if text in _SCHEDULES:
        return _SCHEDULES[text]
    words = re.fullmatch(r"every (\d+) (minute|hour|day)s?", text)
    if words:
        return int(words[1]) * {"minute": 60, "hour": 3_600, "day": SECONDS_PER_DAY}[words[2]]
    fields = text.split()
    if len(fields) == 5:
        minute, hour = fields[0], fields[1]
        if minute.startswith("*/"):
            return int(minute[2:]) * 60
        if minute == "*":
            return 60
        if hour.startswith("*/"):
            return int(hour[2:]) * 3_600
        if hour == "*":
            return 3_600
        return SECONDS_PER_DAY
    return SECONDS_PER_DAY


def table_figures(use_cases: tuple[UseCase, ...], write_shares: dict[str, float] | None = None) -> list[Figure]:
    """Peak reads and writes per second on each table, from the use cases that touch it.

    ``write_shares`` gives the share of a use case's writes that reach the database (``design/loads.py``):
    a write a mechanism keeps in memory (0) writes no table.
    """
    shares = write_shares or {}
    reads: dict[str, dict[str, float]] = {}
    writes: dict[str, dict[str, float]] = {}
    for use_case in use_cases:
        if use_case.spec.rate is None:
            continue
        for entity in use_case.reads:
            reads.setdefault(table_name(entity), {})[f"peak_{use_case.id}"] = use_case.peak_qps
        share = shares.get(use_case.name, 1.0)
        for entity in use_case.writes if share else ():
            # a part written with its parent is avg_per_parent rows a request (a video's 5 tags)
            per_request = use_case.rows_per_request(entity)
            key = f"peak_{use_case.id}" + ("_x_avg_per_parent" if per_request != 1.0 else "")
            writes.setdefault(table_name(entity), {})[key] = use_case.peak_qps * share * per_request
        for table, per_create in use_case.link_rows if share else ():
            # a create setting a many-to-many relation inserts links_per_row join rows (design/link_writes.py)
            writes.setdefault(table, {})[f"peak_{use_case.id}_x_links_per_row"] = use_case.peak_qps * share * per_create
    figures = []
    for kind, tables in (("read", reads), ("write", writes)):
        for table, inputs in sorted(tables.items()):
            figures.append(
                Figure(
                    key=f"qps.peak.{kind}.table.{table}",
                    quantity=QUANTITIES[kind].format(table=table),
                    value=sum(inputs.values()),
                    unit="req/s",
                    formula=f"sum of peak rates of use cases that {kind} it"
                    + (" (writes a mechanism keeps in memory excluded)" if kind == "write" and any(v < 1 for v in shares.values()) else "")
                    + (" (a part written with its parent: rows a request x avg_per_parent)" if any(k.endswith("_x_avg_per_parent") for k in inputs) else "")
                    + (" (the links a create sets: x links_per_row)" if any(k.endswith("_x_links_per_row") for k in inputs) else ""),
                    inputs=inputs,
                    scope=table,
                )
            )
    return figures


#: What each per-table request figure counts, in its name: the writes are every kind (a new row, an update, a delete), the
#: requests' own rows only, so no section states them as the inserts a primary takes (``qps.peak.insert.table``).
QUANTITIES = {
    "read": "requests/s reading {table} at peak (before caches)",
    "write": "writes/s of every kind to {table} at peak (new rows, updates and deletes the requests make; no outbox or key rows)",
}


def external_figures(spec: Spec, use_cases: tuple[UseCase, ...], known: Mapping[str, float] | None = None) -> list[Figure]:
    """Peak calls per second to each external system: direct calls, notifications through it, and push notifications.

    A push provider carries its share (:func:`~backend_architect.design.pushes.shares`) of each pushing use
    case's notifications: the real-time pattern's ``realtime.push.<use case>`` (recipients not connected) in
    ``known``, else ``peak x avg_fanout`` for a use case that notifies without a live delivery. A job calls at
    the rate it processes rows (``job.rows_per_s``), not at its use case's rate.
    """
    found = known or {}
    calls: dict[str, dict[str, float]] = {}
    figures: list[Figure] = []
    providers = set(push_providers(spec))
    for use_case in use_cases:
        job_rate = found.get(f"job.rows_per_s.{use_case.id}") if use_case.spec.schedule else None
        for name in use_case.spec.calls:
            if job_rate is not None:
                calls.setdefault(name, {})[f"job_{use_case.id}"] = job_rate
            else:
                calls.setdefault(name, {})[f"peak_{use_case.id}"] = use_case.peak_qps
        for name in use_case.spec.notify:
            if name in spec.external and name not in providers:
                fanout = use_case.spec.avg_fanout or 1.0
                calls.setdefault(name, {})[f"peak_{use_case.id}_x_fanout"] = use_case.peak_qps * fanout
        pushes = pushes_of(spec, use_case.spec)
        if not pushes or use_case.spec.rate is None:
            continue
        notifications = found.get(f"realtime.push.{use_case.id}")
        if notifications is None and use_case.spec.deliver is not None:
            # the real-time pattern found nobody offline to reach (every recipient connected): nothing is pushed
            continue
        if notifications is None:
            notifications = use_case.peak_qps * (use_case.spec.avg_fanout or 1.0)
        for name, share in shares(spec, pushes).items():
            figures.append(
                Figure(
                    key=f"push.{name}.{use_case.id}",
                    quantity=f"push notifications/s through {name} for {use_case.name} at peak",
                    value=notifications * share,
                    unit="notifications/s",
                    formula="notifications x provider_share",
                    inputs={"notifications": notifications, "provider_share": share},
                    scope=f"use case '{use_case.name}'",
                )
            )
            calls.setdefault(name, {})[f"push_{use_case.id}"] = notifications * share
    return figures + [
        Figure(
            key=f"qps.peak.external.{name}",
            quantity=f"peak calls to {name}",
            value=sum(inputs.values()),
            unit="calls/s",
            formula="sum of the peak calls of the use cases calling or notifying it (a job at its rows/s, a push provider its share of the pushes)",
            inputs=inputs,
            scope=name,
        )
        for name, inputs in sorted(calls.items())
    ]


def job_figures(use_cases: tuple[UseCase, ...], rows_per_day: dict[str, float]) -> list[Figure]:
    """For each batch job: rows one run must handle, and the throughput that finishes it within its window.

    Everything the job does per row (its writes, its external calls) happens at this throughput.
    """
    figures = []
    for use_case in use_cases:
        if not use_case.spec.schedule or not use_case.reads:
            continue
        interval = schedule_interval(use_case.spec.schedule)
        table = use_case.reads[0]
        per_run = rows_per_day.get(table, 0.0) * interval / SECONDS_PER_DAY
        window = interval * JOB_WINDOW_SHARE
        scope = f"use case '{use_case.name}'"
        figures.append(
            Figure(
                key=f"job.rows_per_run.{use_case.id}",
                quantity=f"new {table} rows each run of {use_case.name} handles",
                value=per_run,
                unit="rows",
                formula="rows_per_day x interval_s / 86400",
                inputs={"rows_per_day": rows_per_day.get(table, 0.0), "interval_s": interval},
                scope=scope,
            )
        )
        figures.append(
            Figure(
                key=f"job.rows_per_s.{use_case.id}",
                quantity=f"throughput {use_case.name} needs to finish within its window",
                value=math.ceil(per_run / window),
                unit="rows/s",
                formula="ceil(rows_per_run / (interval_s x window_share))",
                inputs={"rows_per_run": per_run, "interval_s": interval, "window_share": JOB_WINDOW_SHARE},
                scope=scope,
            )
        )
    return figures
