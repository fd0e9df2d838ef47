"""The shared Redis's operations at peak by term: what each mechanism sends it, one operation per key read or written.

``redis.ops.peak`` sums the terms and sizes the shards (design/redis_sizing.py); its formula names
them, and this table gives each its value and what it counts, so a reader can check the sum
against the commands: a page's multi-get of 20 item ids is 20 operations, not one.
"""

from __future__ import annotations

from backend_architect.ir.model import Architecture
from backend_architect.render.numbers import human

#: What one operation of each term is, by the term's prefix (the rest of the name is the use case or entity it serves).
TERM_MEANINGS: tuple[tuple[str, str], ...] = (
    ("item_cache_gets_", "GET of one item's key, each id of each page (a page's multi-get counts its ids)"),
    ("item_cache_fills_", "SET of one item's key after a miss"),
    ("item_cache_deletes_", "DEL of one item's key on a write changing the item"),
    ("cache_gets_", "GET of the read's cache-aside key (an item, or a list's first page), one a read no in-process cache (L1) answers"),
    ("cache_sets_", "SET of the key after a miss, or an append a writer pushes to a kept page"),
    ("cache_deletes_", "DEL of the key on a write that invalidates it"),
    ("check_cache_gets_", "GET of the cached key by another service's existence check of one row, one a check"),
    ("check_cache_sets_", "SET of that key after a check's miss"),
    ("feed_reads_", "LRANGE of the reader's list, one a read"),
    ("feed_expires_", "EXPIRE renewing the reader's list, one a read: a list unread for its expiry is dropped"),
    ("feed_writes_", "LPUSHX of a new id to one follower's list (a no-op where the follower keeps none)"),
    ("feed_trims_", "LTRIM of that list to its length, pipelined with the push"),
    ("l1_invalidations_", "PUBLISH of a deleted key to the instances' in-process caches (L1), one a deleting write"),
    ("l1_invalidation_deliveries_", "that message written out to one subscribed instance"),
    ("pubsub_publishes", "PUBLISH of a message on one channel (its topic's, or each recipient's where the write names them)"),
    ("pubsub_node_deliveries", "a published message written out to one subscribed gateway node"),
    ("rate_limit_checks", "check-and-take of one client's token bucket, one a request"),
    ("presence_heartbeats", "SET of the online key and HSET of last seen, per heartbeat"),
    ("presence_lookups", "GET of one member's presence key (a multi-get counts its keys)"),
    ("offline_lookups_", "EXISTS of one recipient's presence key or connection registry entry, read by the push sender for each message"),
    ("latest_writes_", "write of one key's latest value"),
    ("latest_reads_", "read of one key's latest value, and of its lookup key first for a read by other columns"),
    ("latest_lookup_sets_", "SET of a row's lookup key (its id under the columns a read finds it by), one a create"),
    ("geo_searches_", "GEOSEARCH of the set, one a request"),
    ("geo_widened_searches_", "GEOSEARCH of the set at each radius a k-nearest search tries (it doubles until k are found): its searches on average a request"),
    ("ranking_updates_", "ZINCRBY of the ranking's sorted set, one an event"),
)


def term_meaning(term: str) -> str:
    """What one operation of ``term`` is (the first prefix it starts with), or '' for a term no mechanism here describes.

    >>> term_meaning("item_cache_gets_view-home-timeline")
    "GET of one item's key, each id of each page (a page's multi-get counts its ids)"
    >>> term_meaning("cache_gets_view-user-timeline")
    "GET of the read's cache-aside key (an item, or a list's first page), one a read no in-process cache (L1) answers"
    """
    return next((meaning for prefix, meaning in TERM_MEANINGS if term.startswith(prefix)), "")


def redis_operations_section(arch: Architecture) -> list[str]:
    """The table of ``redis.ops.peak``'s terms, largest first; nothing when the design runs no Redis."""
    total = next((f for f in arch.figures if f.key == "redis.ops.peak"), None)
    if total is None or not total.inputs:
        return []
    rows = [[term, human(value, "ops/s"), term_meaning(term) or "-"] for term, value in sorted(total.inputs.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines = [f"Redis operations/s at peak, one per key read or written ({human(total.value, 'ops/s')} in all, `{total.key}`):", ""]
    header = ["term", "ops/s", "one operation is"]
    return [*lines, "| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows), ""]
