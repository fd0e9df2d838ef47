"""design.html: self-contained, every diagram drawn by the bundled Mermaid in a real headless Chromium."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend_architect.render.html import mermaid_script, render_findings_page, render_html
from conftest import EXAMPLE_IDS, ROOT, designed

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_bundled_mermaid_is_the_npm_release_ok() -> None:
    """The bundled script is byte for byte the mermaid.min.js of the npm package the tests pin (no CDN, no edits)."""
    published = ROOT / "tests" / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    assert hashlib.sha256(mermaid_script().encode()).hexdigest() == hashlib.sha256(published.read_bytes()).hexdigest()


def test_page_is_self_contained_and_escaped_ok() -> None:
    """No external script or stylesheet is referenced, and text from the spec cannot inject markup."""
    result = designed("bookstore")
    arch = result.architecture.model_copy(update={"description": "<script>alert(1)</script>"})
    page = render_html(arch, result.findings)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "src=" not in page.replace(mermaid_script(), "")
    assert 'href="http' not in page


@pytest.mark.skipif(CHROMIUM is None, reason="the test command installs Debian's chromium")
@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_design_page_renders_in_chromium_ok(name: str, tmp_path: Path) -> None:
    """In headless Chromium the page loads without console errors and every diagram becomes an SVG; a screenshot is kept."""
    from playwright.sync_api import sync_playwright

    result = designed(name)
    page_file = tmp_path / "design.html"
    page_file.write_text(render_html(result.architecture, result.findings), encoding="utf-8")
    errors: list[str] = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(page_file.as_uri())
            page.wait_for_function(
                "document.querySelectorAll('pre.mermaid').length > 0 && "
                "document.querySelectorAll('pre.mermaid').length === document.querySelectorAll('pre.mermaid svg').length",
                timeout=60_000,
            )
            diagrams = page.evaluate("document.querySelectorAll('pre.mermaid svg').length")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"design-{name}.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert diagrams >= 1 + len(result.architecture.datastores)


def test_design_command_writes_html_ok(tmp_path: Path) -> None:
    """design --html writes design.html next to the other files."""
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "design", str(ROOT / "examples" / "chat.yaml"), "-o", str(out), "--html"],
        check=True,
        capture_output=True,
    )
    text = (out / "design.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert 'class="mermaid"' in text


def test_review_html_format_ok(tmp_path: Path) -> None:
    """review --format html is one page with a row per finding."""
    result = subprocess.run(
        [sys.executable, "-m", "backend_architect.cli", "review", str(ROOT / "examples" / "topology" / "docker-compose.yml"), "--format", "html"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert result.stdout.count("<tr><td class=") == 4
    assert render_findings_page([], "x").count("No findings") == 1
