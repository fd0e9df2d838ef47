"""Capacity: every figure can be recomputed from its inputs with its formula."""

from __future__ import annotations

import math

import pytest

from backend_architect.api import DesignResult
from backend_architect.ir.model import Figure

RECOMPUTE = {
    "r / (r + 1 + w) with r = peak x ttl_s / hot_keys, w = writes_per_s x ttl_s / hot_keys": lambda i: (
        (r := i["peak"] * i["ttl_s"] / i["hot_keys"]) / (r + 1 + i["writes_per_s"] * i["ttl_s"] / i["hot_keys"]) if i["peak"] * i["ttl_s"] else 0.0
    ),
    "peak x hit_ratio": lambda i: i["peak"] * i["hit_ratio"],
    "sum of peak rates of use cases that read it": lambda i: sum(i.values()),
    "sum of peak rates of use cases that write it": lambda i: sum(i.values()),
    "sum of peak rates of use cases calling or notifying through it (x fan-out)": lambda i: sum(i.values()),
    "rows_per_day x interval_s / 86400": lambda i: i["rows_per_day"] * i["interval_s"] / 86400,
    "ceil(rows_per_run / (interval_s x window_share))": lambda i: math.ceil(i["rows_per_run"] / (i["interval_s"] * i["window_share"])),
    "sum over tables of rows x blob bytes per row": lambda i: sum(
        v * i[k.removesuffix("_rows") + "_bytes_per_row"] for k, v in i.items() if k.endswith("_rows")
    ),
    "count / period_s": lambda i: i["count"] / i["period_s"],
    "sum of its tables' sizes": lambda i: sum(i.values()),
    "rows_per_day x (1+growth)^(years-1) x retention_days (older rows expire)": (
        lambda i: i["rows_per_day"] * (1 + i["growth"]) ** max(i["years"] - 1, 0) * i["retention_days"]
    ),
    "average x peak_factor": lambda i: i["average"] * i["peak_factor"],
    "peak / peak_factor": lambda i: i["peak"] / i["peak_factor"],
    "peak rate x avg_fanout": lambda i: i["peak"] * i["avg_fanout"],
    "rows x (row_bytes + index_bytes_per_row) / page_fill": lambda i: i["rows"] * (i["row_bytes"] + i["index_bytes_per_row"]) / i["page_fill"],
    "max(min_instances, ceil(peak / instance_rps) + 1 for one failing)": lambda i: max(i["min_instances"], math.ceil(i["peak"] / i["instance_rps"]) + 1),
    "max(5, ceil(2 x peak x db_time_per_request)) (Little's law, 2x headroom)": lambda i: max(5, math.ceil(2 * i["peak"] * i["db_time_per_request"])),
    "max(0, ceil(peak_read / primary_read_ceiling) - 1)": lambda i: max(0, math.ceil(i["peak_read"] / i["primary_read_ceiling"]) - 1),
    "peak_write / primary_write_ceiling": lambda i: i["peak_write"] / i["primary_write_ceiling"],
    "rows x hot_share x entry_bytes": lambda i: math.ceil(i["rows"] * i["hot_share"]) * i["entry_bytes"],
    "sum of peak rates of read use cases": lambda i: sum(i.values()),
    "sum of peak rates of write use cases": lambda i: sum(i.values()),
    "sum of peak rates of its use cases": lambda i: sum(i.values()),
    "sum of peak x (1 - hit_ratio)": lambda i: sum(i.values()),
    "sum of the use cases' average rates": lambda i: sum(i.values()),
    "sum over writes of avg_rate x (request overhead + row bytes + blob bytes)": lambda i: sum(i.values()),
    "sum of the peak rates of the use cases publishing them": lambda i: sum(i.values()),
    "sum over events of rate x consuming groups": lambda i: sum(i.values()),
    "max(3, ceil(events / partition_rate) x headroom)": lambda i: max(3, math.ceil(i["events"] / i["partition_rate"]) * i["headroom"]),
    "rows x index_bytes_per_row": lambda i: i["rows"] * i["index_bytes_per_row"],
    "relay_s + refresh_s": lambda i: i["relay_s"] + i["refresh_s"],
    "max(1, ceil(index_bytes / shard_bytes))": lambda i: max(1, math.ceil(i["index_bytes"] / i["shard_bytes"])),
    "max(1, ceil(rows_per_s / worker_rows_per_s))": lambda i: max(1, math.ceil(i["rows_per_s"] / i["worker_rows_per_s"])),
    "sum of peak writes, jobs' rows/s included": lambda i: sum(i.values()),
    "max(0, ceil(peak_reads / primary_read_ceiling) - 1)": lambda i: max(0, math.ceil(i["peak_reads"] / i["primary_read_ceiling"]) - 1),
    "primary_read_ceiling x (1 + replicas)": lambda i: i["primary_read_ceiling"] * (1 + i["replicas"]),
    "max over databases of db.read_replicas.<db>": lambda i: max(i.values(), default=0),
    "max over databases of peak_reads / primary_read_ceiling": lambda i: i["peak_reads"] / i["primary_read_ceiling"],
    "max over databases of peak_write / primary_write_ceiling": lambda i: i["peak_write"] / i["primary_write_ceiling"],
    "keys x hot_share x entry_bytes": lambda i: math.ceil(i["keys"] * i["hot_share"]) * i["entry_bytes"],
    "writes_avg x sources_per_reader": lambda i: i["writes_avg"] * i["sources_per_reader"],
    "writes_peak x sources_per_reader": lambda i: i["writes_peak"] * i["sources_per_reader"],
    "sources_per_reader / worker_rate": lambda i: i["sources_per_reader"] / i["worker_rate"],
    "active_readers x keep x entry_bytes": lambda i: i["active_readers"] * i["keep"] * i["entry_bytes"],
    "peak_reads x sources_per_reader": lambda i: i["peak_reads"] * i["sources_per_reader"],
    # storage placement, availability and growth (issue 14)
    "sum over tables of rows x blob and body bytes per row": lambda i: sum(
        v * i[k.removesuffix("_rows") + "_bytes_per_row"] for k, v in i.items() if k.endswith("_rows")
    ),
    "rows_past_hot_window x row_bytes / columnar_compression": lambda i: i["rows_past_hot_window"] * i["row_bytes"] / i["columnar_compression"],
    "sum of the histories moved to it": lambda i: sum(i.values()),
    "max(reads_per_s, uploads_per_s) x blob_bytes": lambda i: max(i["reads_per_s"], i["uploads_per_s"]) * i["blob_bytes"],
    "online x heartbeats_per_timeout / offline_after_s": lambda i: i["online"] * i["heartbeats_per_timeout"] / i["offline_after_s"],
    "online x entry_bytes": lambda i: i["online"] * i["entry_bytes"],
    "rows / snapshot_s": lambda i: i["rows"] / i["snapshot_s"],
    "product of the parts' availabilities": lambda i: math.prod(i.values()),
    "failover_s (automatic: detection + promotion + reconnect)": lambda i: i["failover_s"],
    "provision_s + database_bytes / restore_bytes_per_s + wal_replay_s": lambda i: (
        i["provision_s"] + i["database_bytes"] / i["restore_bytes_per_s"] + i["wal_replay_s"]
    ),
    "0 with a synchronous standby, else wal_archive_s": lambda i: 0.0 if i["standbys"] else i["wal_archive_s"],
    "2 when sharded, else the standbys of the cheapest level whose composite meets the target": lambda i: (
        2.0 if i["sharded"] else next((float(n) for n in (0, 1, 2) if i[f"composite_{n}_standbys"] >= i["target"]), 2.0)
    ),
    "max(zones, ceil(ceil(peak / instance_rps) x zones / max(1, zones - 1)))": lambda i: max(
        i["zones"], math.ceil(math.ceil(i["peak"] / i["instance_rps"]) * i["zones"] / max(1, i["zones"] - 1))
    ),
    "max(zones, ceil(nodes x zones / max(1, zones - 1)))": lambda i: max(i["zones"], math.ceil(i["nodes"] * i["zones"] / max(1, i["zones"] - 1))),
    "max(2, ceil(bytes_at_horizon / hot_store), ceil(peak_inserts / write_ceiling))": lambda i: max(
        2, math.ceil(i["bytes_at_horizon"] / i["hot_store"]), math.ceil(i["peak_inserts"] / i["write_ceiling"])
    ),
    "failover_s": lambda i: i["failover_s"],
    "replication_lag_s": lambda i: i["replication_lag_s"],
    "regions x (ceil(instances / (regions - 1)) + database_copies) / (instances + database_copies)": lambda i: (
        i["regions"] * (math.ceil(i["instances"] / (i["regions"] - 1)) + i["database_copies"]) / (i["instances"] + i["database_copies"])
    ),
    "(instances + database_copies + (regions - 1) x (zones + 1)) / (instances + database_copies)": lambda i: (
        (i["instances"] + i["database_copies"] + (i["regions"] - 1) * (i["zones"] + 1)) / (i["instances"] + i["database_copies"])
    ),
    "1 - (1 - one_region) x min(1, failover_s / mean_outage_s)": lambda i: 1 - (1 - i["one_region"]) * min(1.0, i["failover_s"] / i["mean_outage_s"]),
    # the access-path patterns (issue 15)
    "keys x (key_bytes + field_bytes x fields)": lambda i: i["keys"] * (i["key_bytes"] + i["field_bytes"] * i["fields"]),
    "peak_writes": lambda i: i["peak_writes"],
    "rows / (service_area_km2 x regions)": lambda i: i["rows"] / (i["service_area_km2"] * i["regions"]),
    "argmin over precision of cells + candidates / entries_per_page": lambda i: _geohash_precision(i["radius_km"], i["density"], i["entries_per_page"]),
    "(ceil(2r / cell_width) + 1) x (ceil(2r / cell_height) + 1)": lambda i: (
        (math.ceil(2 * i["r_km"] / i["cell_width_km"]) + 1) * (math.ceil(2 * i["r_km"] / i["cell_height_km"]) + 1)
    ),
    "density x cells x cell_width x cell_height": lambda i: i["density"] * i["cells"] * i["cell_width_km"] * i["cell_height_km"],
    "peak x (cells + candidates / entries_per_page)": lambda i: i["peak"] * (i["cells"] + i["candidates"] / i["entries_per_page"]),
    "min(rows, connections)": lambda i: min(i["rows"], i["connections"]),
    "rows": lambda i: i["rows"],
    "online / (offline_after / beats_per_window)": lambda i: i["online"] / (i["offline_after_s"] / i["beats_per_window"]),
    "online x key_bytes + rows x last_seen_bytes": lambda i: i["online"] * i["key_bytes"] + i["rows"] * i["last_seen_bytes"],
    "online / session_s": lambda i: i["online"] / i["session_s"],
    "sum of the publishing writes' peaks": lambda i: sum(i.values()),
    "publishes x recipients x online_share": lambda i: i["publishes"] * i["recipients"] * i["online_share"],
    "publishes x recipients x (1 - online_share)": lambda i: i["publishes"] * i["recipients"] * (1 - i["online_share"]),
    "concurrent_connections": lambda i: i["concurrent_connections"],
    "concurrent_users (one connection each)": lambda i: i["concurrent_users"],
    "daily_active x peak_online_share": lambda i: i["daily_active"] * i["peak_online_share"],
    "users x daily_per_user x peak_online_share": lambda i: i["users"] * i["daily_per_user"] * i["peak_online_share"],
    "default_connections": lambda i: i["default_connections"],
    "one external system": lambda i: i["clients"],
    "rows (machines, all online)": lambda i: i["rows"],
    "rows x daily_share x peak_online_share": lambda i: i["rows"] * i["daily_share"] * i["peak_online_share"],
    "deliver.subscribers": lambda i: i["subscribers"],
    "stated_connections x actor_requests / sharing_requests": lambda i: i["stated_connections"] * i["actor_requests"] / i["sharing_requests"],
    "min(rows, stated_connections x actor_requests / sharing_requests)": lambda i: min(
        i["rows"], i["stated_connections"] * i["actor_requests"] / i["sharing_requests"]
    ),
    "sum of the connected actors' clients online": lambda i: sum(v for k, v in i.items() if k.startswith("clients_")),
    "sum over channels of deliveries x message_bytes": lambda i: sum(
        v * i["message_bytes_" + k.removeprefix("deliveries_")] for k, v in i.items() if k.startswith("deliveries_")
    ),
    "max(min_nodes, ceil(connections / connections_per_node), ceil(deliveries / deliveries_per_node), ceil(egress / egress_per_node))": lambda i: max(
        i["min_nodes"],
        math.ceil(i["connections"] / i["connections_per_node"]),
        math.ceil(i["deliveries"] / i["deliveries_per_node"]),
        math.ceil(i["egress"] / i["egress_per_node"]),
    ),
    "connections x connection_bytes": lambda i: i["connections"] * i["connection_bytes"],
    "sum over channels of min(deliveries, publishes x nodes)": lambda i: sum(
        min(v, i["publishes_" + k.removeprefix("deliveries_")] * i["nodes"]) for k, v in i.items() if k.startswith("deliveries_")
    ),
    "max(6, ceil(log62(keys / collision_target)))": lambda i: max(6, math.ceil(math.log(i["keys"] / i["collision_target"], 62))),
    "max(6, ceil(log62(keys)))": lambda i: max(6, math.ceil(math.log(i["keys"], 62))),
    "kept + suffix": lambda i: i["kept"] + i["suffix"],
    "keys / 62^length": lambda i: i["keys"] / 62 ** i["length"],
    "sum of the creating use cases' peaks": lambda i: sum(i.values()),
    "sum of the counted writes' peaks": lambda i: sum(i.values()),
    "rows_per_day / 86400 x peak_factor": lambda i: i["rows_per_day"] / 86400 * i["peak_factor"],
    "sum of each output's core-seconds (video: duration x codec cost x pixels / 1080p; an image: 0.05)": lambda i: sum(i.values()),
    "max(2, ceil(peak x core_seconds / (cores x utilisation)))": lambda i: max(2, math.ceil(i["peak"] * i["core_seconds"] / (i["cores"] * i["utilisation"]))),
    "sum of each output's bytes (video: duration x bitrate x codec ratio / 8)": lambda i: sum(i.values()),
    "uploads_per_day x (avg_bytes + rendition_bytes)": lambda i: i["uploads_per_day"] * (i["avg_bytes"] + i["rendition_bytes"]),
    "uploads_per_day x rendition_bytes x days": lambda i: i["uploads_per_day"] * i["rendition_bytes"] * i["days"],
    "events x span_s": lambda i: i["events"] * i["span_s"],
    "distinct x entry_bytes x buckets": lambda i: i["distinct"] * i["entry_bytes"] * i["buckets"],
    "points_per_s x over_s": lambda i: i["points_per_s"] * i["over_s"],
    "over_s / every_s": lambda i: i["over_s"] / i["every_s"],
    "series x 86400 / every_s": lambda i: i["series"] * 86400 / i["every_s"],
    "min(nodes, sum(out_degree^i, i <= ceil(depth/2)) + sum(out_degree^i, i <= floor(depth/2)))": lambda i: min(
        i["nodes"],
        sum(i["out_degree"] ** k for k in range(1, math.ceil(i["depth"] / 2) + 1))
        + sum(i["out_degree"] ** k for k in range(1, math.floor(i["depth"] / 2) + 1)),
    ),
    "min(nodes, sum(out_degree^i, i <= depth))": lambda i: min(i["nodes"], sum(i["out_degree"] ** k for k in range(1, int(i["depth"]) + 1))),
    "peak x expanded": lambda i: i["peak"] * i["expanded"],
    "nodes x vertex_bytes + edges x 2 x edge_bytes": lambda i: i["nodes"] * i["vertex_bytes"] + i["edges"] * 2 * i["edge_bytes"],
    "hops x hop_ms + rows / edges_per_s x 1000": lambda i: i["hops"] * i["hop_ms"] + i["rows"] / i["edges_per_s"] * 1000,
    "ceil(memory / shard_bytes)": lambda i: math.ceil(i["memory"] / i["shard_bytes"]),
    "sum over hops i < depth of min(out_degree^i, shards)": lambda i: sum(min(i["out_degree"] ** k, i["shards"]) for k in range(int(i["hops"]))),
}


def _geohash_precision(radius_km: float, density: float, per_page: float) -> int:
    """The geohash precision reading the fewest pages, recomputed from the cell sizes."""
    from backend_architect.design.patterns.geo import GEOHASH_KM

    pages = {
        p: (c := (math.ceil(2 * radius_km / w) + 1) * (math.ceil(2 * radius_km / h) + 1)) + density * c * w * h / per_page for p, (w, h) in GEOHASH_KM.items()
    }
    return min(pages, key=lambda p: (pages[p], p))


def _recompute(figure: Figure) -> float | None:
    if figure.formula in RECOMPUTE:
        return float(RECOMPUTE[figure.formula](figure.inputs))
    if figure.formula.startswith("rows_now + rows_per_day x 365"):
        i = figure.inputs
        whole = math.floor(i["years"])
        per_year = i["rows_per_day"] * 365
        added = sum(per_year * (1 + i["growth"]) ** k for k in range(whole)) + per_year * (1 + i["growth"]) ** whole * (i["years"] - whole)
        return float(i["rows_now"] + added)
    return None


def test_figures_recompute_from_inputs_ok(example: DesignResult) -> None:
    """Every figure with a known formula equals the formula applied to its inputs."""
    checked = 0
    for figure in example.architecture.figures:
        expected = _recompute(figure)
        if expected is not None:
            assert figure.value == pytest.approx(expected, rel=1e-9), figure.key
            checked += 1
    assert checked == len(example.architecture.figures), [f.formula for f in example.architecture.figures if _recompute(f) is None]


def test_rates_convert_with_stated_peak_factor_ok(example: DesignResult) -> None:
    """Each rated use case has an average and a peak figure, and peak >= average."""
    figures = {f.key: f.value for f in example.architecture.figures}
    for use_case in example.spec.use_cases:
        if use_case.rate is None:
            continue
        key = use_case.name.lower().replace(" ", "-")
        assert figures[f"qps.peak.{key}"] >= figures[f"qps.avg.{key}"] > 0


def test_datastore_size_is_sum_of_tables_ok(example: DesignResult) -> None:
    """A datastore's size is the sum of its tables' sizes."""
    figures = {f.key: f.value for f in example.architecture.figures}
    for store in example.architecture.datastores:
        tables = sum(figures[f"bytes.1y.{t.name}"] for t in store.tables)
        assert figures[f"bytes.1y.datastore.{store.name}"] == pytest.approx(tables)
