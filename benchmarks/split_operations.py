"""Split an OpenAPI document at the operation level, the way large public descriptions are written.

Each operation goes to its own file, ``operations/<path>.<method>.json``, and the path item
keeps ``get: {$ref: operations/...}`` — a layout OpenAPI does not allow but that a
2,900-file public description uses throughout, and that Redocly and Swagger's parser
follow. References inside a moved operation (``#/components/...``) are rewritten to point
back at the root file. ``redocly split`` covers the other layout (one file per path item and
per component); together they test that a review does not depend on how a description is
cut into files.

    python benchmarks/split_operations.py api.json OUT_DIR    # writes OUT_DIR/openapi.json and OUT_DIR/operations/
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ROOT_NAME = "openapi.json"


def _rewritten(value: Any, prefix: str) -> Any:
    """``value`` with every same-document ``$ref`` made to point into the root file from ``prefix``."""
    if isinstance(value, dict):
        return {k: (prefix + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rewritten(v, prefix)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewritten(v, prefix) for v in value]
    return value


def split(document: dict[str, Any], out: Path) -> int:
    """Write ``document`` split at the operation level into ``out``; return how many operations moved."""
    folder = out / "operations"
    folder.mkdir(parents=True, exist_ok=True)
    moved, used = 0, set()
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict) or "$ref" in item:
            continue
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            stem = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")[:80] or "root"
            name = f"{stem}.{method}.json"
            while name in used:
                name = f"{stem}_{len(used)}.{method}.json"
            used.add(name)
            (folder / name).write_text(json.dumps(_rewritten(operation, f"../{ROOT_NAME}"), indent=1))
            item[method] = {"$ref": f"operations/{name}"}
            moved += 1
    (out / ROOT_NAME).write_text(json.dumps(document, indent=1))
    return moved


def load(path: Path) -> dict[str, Any]:
    """The document as the reviewer reads it (YAML 1.2, as OpenAPI 3.1 prescribes), so the split holds the same values."""
    from backend_architect.importers.openapi.source import read_source

    loaded = read_source(path, str(path)).tree
    if not isinstance(loaded, dict):
        raise SystemExit(f"{path}: not an OpenAPI document")
    return loaded


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    count = split(load(Path(sys.argv[1])), Path(sys.argv[2]))
    print(f"{count} operations written to {Path(sys.argv[2]) / 'operations'}")
