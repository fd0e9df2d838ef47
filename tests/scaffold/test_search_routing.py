"""The generated service routes its search documents as the design says: written, searched and removed with the routing.

OpenSearch does not run here, so the engine's side is a loopback HTTP server that records each request the generated
adapter sends (method, path, routing parameter, body) and answers as the engine would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_architect.api import design_spec
from backend_architect.scaffold import from_files, scaffold
from backend_architect.spec.load import load_spec_bytes

TICKETS = """\
system: helpdesk
tenant: Org
entities:
  Org: {fields: {name: string(80)}}
  Message: {tenant_scoped: true, fields: {body: text}, rows: 20B}
use_cases:
  - {name: search messages, actor: agent, reads: [Message], search: [body], rate: 50/s}
"""
CHAT = """\
system: chat
entities:
  Server: {fields: {name: string(80)}, rows: 1M}
  Message: {fields: {server: ref(Server), body: text}, rows: 20B}
use_cases:
  - {name: search messages, actor: user, reads: [Message], search: [body], filter: [server], rate: 50/s}
"""
SCENARIO = """
import asyncio, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit
from {package}.core.search import Indexed, OpenSearchIndex
from {package}.modules.messages import resources

seen = []

class Engine(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        url = urlsplit(self.path)
        seen.append([self.command, url.path, parse_qs(url.query).get("routing", [None])[0], body])
        out = json.dumps({{"hits": {{"hits": [{{"_id": "{key}"}}]}}}}).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_PUT = do_POST = do_DELETE = _answer
    def log_message(self, *args): pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Engine)
threading.Thread(target=server.serve_forever, daemon=True).start()

async def main():
    engine = OpenSearchIndex(f"http://127.0.0.1:{{server.server_port}}", 5.0)
    op = next(o for o in vars(resources).values() if getattr(o, "search", None) is not None and getattr(o.search, "engine_index", None))
    indexed = Indexed(op.resource, op.search, ())
    await engine.put(indexed, {{"id": "{key}", "{column}": "{server}", "body": "hello"}}, {{}})
    ctx = SimpleNamespace(principal=SimpleNamespace(tenant={tenant!r}))
    await engine.matches(ctx, op, "hello", {params})
    await engine.remove(indexed, "{key}")
    print(json.dumps({{"routing": op.search.routing, "seen": seen}}))

asyncio.run(main())
"""
KEY, SERVER = "0190d5a8-7b8e-7c1d-9f00-000000000001", "0190d5a8-7b8e-7c1d-9f00-0000000000aa"


@pytest.mark.parametrize(
    ("spec", "column", "tenant", "params"),
    [(CHAT, "server_id", None, {"server_id": SERVER}), (TICKETS, "tenant_id", SERVER, {})],
    ids=["by the scope a search carries", "by the tenant"],
)
def test_generated_adapter_routes_documents_and_queries_ok(tmp_path: Path, spec: str, column: str, tenant: str | None, params: dict[str, str]) -> None:
    """A document is written with its scope's routing, a search carrying the scope (a server, or the caller's tenant) asks that
    shard only and filters to it, and a removal, the row and so its routing being gone, finds the document by id on every shard."""
    result = design_spec(load_spec_bytes(spec.encode(), "spec.yaml").spec)
    (deployable,) = scaffold(from_files(result.architecture, result.files, "routed"), tmp_path).project.deployables
    root = tmp_path / deployable.name
    (package,) = [p.parent.parent.name for p in (root / "src").glob("*/core/search.py")]
    script = SCENARIO.format(package=package, key=KEY, server=SERVER, column=column, tenant=tenant, params=params)
    environment = {**os.environ, "PYTHONPATH": str(root / "src")}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=environment, cwd=root)
    assert run.returncode == 0, run.stderr[-3000:]
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["routing"] == column
    (put, search, remove) = answer["seen"]
    assert put[:3] == ["PUT", f"/messages/_doc/{KEY}", SERVER]
    assert put[3][column] == SERVER
    assert search[:3] == ["POST", "/messages/_search", SERVER]
    assert {"term": {column: SERVER}} in search[3]["query"]["bool"]["filter"]
    assert remove[:3] == ["POST", "/messages/_delete_by_query", None]
    assert remove[3] == {"query": {"ids": {"values": [KEY]}}}
