"""The HTTP API under a bounded loopback load: throughput and p50/p99 latency per route, then a kill -9 durability check.

The server runs as ``backend-architect serve`` in its own process group (SQLite by default,
``--postgres`` for a throwaway PostgreSQL from the tests' helper), with two worker processes.
Load: ``--clients`` threads for ``--seconds``, each looping over a read of a design, a page of
the list, a validation and (one request in ten) a new design. Durability: a client creates
designs one after another, the server's whole process group is killed with SIGKILL mid-stream,
restarted on the same database, and every design whose 201 the client received is read back;
three rounds.

    .venv/bin/python benchmarks/serve_load.py                  # SQLite
    .venv/bin/python benchmarks/serve_load.py --postgres       # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "backend-architect"
KEY = "bench-admin-key-000000001"
SPEC = "system: bench\nentities:\n  Note: {fields: {body: string(200), tag: 'enum[a,b]'}}\nuse_cases:\n  - {name: list notes, reads: [Note], filter: [tag], rate: 50/s}\n"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(database: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BACKEND_ARCHITECT_API_KEYS": f"bench:{KEY}:read+write+admin"}
    command = [str(BIN), "serve", "--port", str(port), "--database", database, "--rate", "1000000", "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/designs", headers=HEADERS, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def kill9(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def load(base: str, clients: int, seconds: float) -> dict[str, list[float]]:
    design_id = httpx.post(f"{base}/v1/designs", json={"name": "seed", "spec": SPEC}, headers=HEADERS, timeout=60).json()["id"]
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(number: int) -> None:
        with httpx.Client(base_url=base, headers=HEADERS, timeout=60) as http:
            step = number
            while time.monotonic() < stop:
                step += 1
                if step % 10 == 0:
                    route, call = "POST /v1/designs", lambda name=f"n{step}": http.post("/v1/designs", json={"name": name, "spec": SPEC})
                elif step % 3 == 0:
                    route, call = "POST /v1/validations", lambda: http.post("/v1/validations", json={"spec": SPEC})
                elif step % 3 == 1:
                    route, call = "GET /v1/designs/{id}", lambda: http.get(f"/v1/designs/{design_id}")
                else:
                    route, call = "GET /v1/designs", lambda: http.get("/v1/designs", params={"limit": 20})
                started = time.perf_counter()
                answer = call()
                elapsed = time.perf_counter() - started
                with lock:
                    timings[route].append(elapsed)
                    if answer.status_code >= 500:
                        failures.append(f"{route}: {answer.status_code}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"server errors: {len(failures)} ({failures[:3]})")
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def durability(database: str, rounds: int, seconds: float) -> list[tuple[int, int]]:
    """Per round: designs acknowledged with 201 before the kill, and how many of them were lost."""
    results = []
    for _ in range(rounds):
        port = free_port()
        server = start(database, port)
        acknowledged: list[str] = []
        stop = time.monotonic() + seconds

        def writer(port: int = port, acknowledged: list[str] = acknowledged, stop: float = stop) -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=30) as http:
                while time.monotonic() < stop + 5:
                    try:
                        answer = http.post("/v1/designs", json={"name": "durable", "spec": SPEC})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["id"])

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(seconds)
        kill9(server)
        thread.join()
        port = free_port()
        server = start(database, port)
        lost = sum(1 for design_id in acknowledged if httpx.get(f"http://127.0.0.1:{port}/v1/designs/{design_id}", headers=HEADERS).status_code != 200)
        kill9(server)
        results.append((len(acknowledged), lost))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args()
    pg = None
    if options.postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import start_server

        pg = start_server()
        pg.psql("CREATE DATABASE bench;")
        database = f"postgresql://postgres@127.0.0.1:{pg.port}/bench"
    else:
        database = f"sqlite:///{Path(tempfile.mkdtemp(prefix='ba-bench-')) / 'bench.db'}"
    try:
        port = free_port()
        server = start(database, port)
        try:
            timings = load(f"http://127.0.0.1:{port}", options.clients, options.seconds)
        finally:
            kill9(server)
        total = sum(len(v) for v in timings.values())
        print(f"{'sqlite' if pg is None else 'postgresql'}: {options.clients} clients for {options.seconds:g} s: {total / options.seconds:,.0f} requests/s")
        print("| route | requests | p50 ms | p99 ms |")
        print("|---|---|---|---|")
        for route, values in sorted(timings.items()):
            print(f"| {route} | {len(values):,} | {statistics.median(values) * 1000:,.1f} | {percentile(values, 0.99) * 1000:,.1f} |")
        rounds = durability(database, options.rounds, 8.0)
        for number, (acknowledged, lost) in enumerate(rounds, 1):
            print(f"kill -9 round {number}: {acknowledged} designs acknowledged, {lost} lost")
    finally:
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
