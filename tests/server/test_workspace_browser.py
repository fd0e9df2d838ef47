"""The web workspace in headless Chromium against a running server: validation as you type, design, versions."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_architect.jobs import Jobs
from backend_architect.server.app import create_app
from backend_architect.server.auth import parse_keys
from backend_architect.server.store import Store
from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
KEY = "browser-key-0000000001"


@pytest.fixture
def server(tmp_path: Path, jobs: Jobs) -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = Store(f"sqlite:///{tmp_path / 'ws.db'}")
    config = uvicorn.Config(create_app(store, parse_keys(f"browser:{KEY}:read+write"), jobs=jobs), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    store.close()


@pytest.mark.skipif(CHROMIUM is None, reason="the test command installs Debian's chromium")
def test_workspace_validates_designs_and_lists_versions_ok(server: str) -> None:
    """Typing a bad type shows the located error; a valid spec designs, shows design.html and its version."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server + "/")
            page.wait_for_function("document.getElementById('status').textContent === 'valid spec'")
            page.fill("#spec", "system: x\nentities:\n  A: {fields: {n: strnig}}\n")
            page.wait_for_selector("#errors li")
            assert "spec.yaml:3:19: 'n': unknown field type 'strnig'" in page.inner_text("#errors")
            page.fill("#spec", (ROOT / "examples" / "chat.yaml").read_text())
            page.wait_for_function("document.getElementById('status').textContent === 'valid spec'")
            page.fill("#key", KEY)
            page.click("#design")
            page.wait_for_function("document.getElementById('versions').options.length === 1", timeout=30_000)
            page.wait_for_function("document.getElementById('preview').srcdoc.includes('<html')", timeout=30_000)
            frame = page.frame_locator("#preview")
            frame.locator("pre.mermaid svg").first.wait_for(timeout=30_000)
        finally:
            browser.close()
    assert errors == []
