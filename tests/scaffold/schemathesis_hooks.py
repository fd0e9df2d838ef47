"""Schemathesis hooks for runs against scaffolded services (loaded with SCHEMATHESIS_HOOKS).

Two things JSON Schema cannot say about these contracts, told to schemathesis here:

- ``cursor`` is "an opaque cursor from the previous page's next_cursor": only values the
  service issued are valid, so generated positive cases leave it out (the generated
  project's own tests walk real cursors; a made-up one is refused with 400).
- owner-only reads: a resource created for someone else is, by design, not found by the
  token's subject (BA_OWNER_ONLY_READS lists those operations), so "created resource not
  found" there is the owner check working, not a failure.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

OWNER_ONLY_READS = set(json.loads(os.environ.get("BA_OWNER_ONLY_READS", "[]")))


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and case.query and isinstance(case.query.get("cursor"), str):
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    return case


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    return not (getattr(failure, "code", None) == "ST302" and getattr(failure, "not_available_with", "").split("?")[0] in OWNER_ONLY_READS)
