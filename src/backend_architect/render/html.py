"""One self-contained ``design.html``: diagrams drawn by Mermaid bundled inline (no CDN, works offline),
the API reference with its examples, the data model, capacity, bottlenecks, decisions and the review.

Every text from the design goes through ``html.escape``; diagrams sit in ``<pre class="mermaid">``
as escaped text, which Mermaid reads back as plain text and draws with ``securityLevel: strict``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from importlib.resources import files as package_files
from typing import Any

from backend_architect.ir.model import Architecture
from backend_architect.ir.part_calls import http_operations
from backend_architect.render.mermaid import crossing_flows, render_architecture, render_er
from backend_architect.render.numbers import short
from backend_architect.render.sequence import render_sequence
from backend_architect.rules.model import Finding

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2433; }
nav { position: fixed; top: 0; left: 0; bottom: 0; width: 15rem; overflow: auto; background: #f4f6fa; padding: 1rem; border-right: 1px solid #dde3ee; }
nav a { display: block; color: #22408a; text-decoration: none; padding: .15rem 0; }
main { margin-left: 17rem; padding: 1rem 2rem 4rem; max-width: 70rem; }
h1 { font-size: 1.8rem; } h2 { border-bottom: 1px solid #dde3ee; padding-bottom: .3rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; font-size: 14px; }
th, td { border: 1px solid #dde3ee; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f6fa; } code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre.example { background: #f7f7f9; padding: .6rem; overflow: auto; max-height: 20rem; }
pre.mermaid { background: #fff; text-align: center; }
.method { font-weight: 600; text-transform: uppercase; } .error { color: #b00020; } .warning { color: #a15c00; } .info { color: #225;}
"""


def mermaid_script() -> str:
    """Mermaid's minified bundle (from the npm registry, MIT licensed; see assets/mermaid.LICENSE)."""
    return (package_files("backend_architect.render") / "assets" / "mermaid.min.js").read_text(encoding="utf-8")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _diagram(text: str, label: str) -> str:
    return f'<figure><pre class="mermaid" aria-label="{_e(label)}">{_e(text)}</pre></figure>'


def _example(value: Any) -> str:
    return f'<pre class="example">{_e(json.dumps(value, indent=2, ensure_ascii=False))}</pre>' if value is not None else ""


def render_html(arch: Architecture, findings: list[Finding]) -> str:
    """The whole design as one HTML page with a table of contents."""
    sections: list[tuple[str, str, str]] = [
        ("architecture", "Architecture", _architecture(arch)),
        ("api", "API", _api(arch)),
        ("data", "Data", _data(arch)),
        ("communication", "Communication", _communication(arch)),
        ("capacity", "Capacity", _capacity(arch)),
        ("bottlenecks", "Bottlenecks", _table(["#", "what", "trigger", "next step"], [[b.rank, b.title, b.trigger, b.scaling_step] for b in arch.bottlenecks])),
        ("decisions", "Decisions", _decisions(arch)),
        ("review", "Review", _findings_table(findings)),
    ]
    nav = "".join(f'<a href="#{anchor}">{_e(title)}</a>' for anchor, title, _ in sections)
    body = "".join(f'<section id="{anchor}"><h2>{_e(title)}</h2>{content}</section>' for anchor, title, content in sections)
    title = f"{arch.system}: backend design"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>"
        f"<nav><strong>{_e(arch.system)}</strong>{nav}</nav><main><h1>{_e(title)}</h1><p>{_e(arch.description)}</p>{body}</main>"
        f"<script>{mermaid_script()}</script>"
        '<script>mermaid.initialize({startOnLoad: true, securityLevel: "strict", theme: "neutral"});</script>'
        "</body></html>\n"
    )


def _architecture(arch: Architecture) -> str:
    rows = [[s.name, s.kind, ", ".join(s.entities), f"{s.cohesion:.2f}", "; ".join(s.rationale)] for s in arch.services]
    return (
        f"<p>Deployment: {_e(arch.deployment)}.</p>"
        + _diagram(render_architecture(arch), "architecture")
        + _table(["service", "kind", "owns", "cohesion", "why"], rows)
    )


def _api(arch: Architecture) -> str:
    parts = []
    for api in arch.apis:
        parts.append(f"<h3>{_e(api.service)} <small>{_e(api.base_path)}</small></h3>")
        for op in http_operations(arch, api):
            parts.append(
                f'<details><summary><span class="method">{_e(op.method)}</span> <code>{_e(api.base_path + op.path)}</code> — {_e(op.summary)}</summary>'
                f"<p>{_e(op.description)}</p><p>Success: {op.success_status}; errors: {_e(', '.join(map(str, op.error_statuses)) or '-')}; "
                f"scopes: {_e(', '.join(op.scopes) or '-')}</p>"
                + (f"<h4>Request</h4>{_example(op.example_request)}" if op.example_request is not None else "")
                + (f"<h4>Response</h4>{_example(op.example_response)}" if op.example_response is not None else "")
                + "</details>"
            )
    return "".join(parts)


def _data(arch: Architecture) -> str:
    parts = []
    for store in arch.datastores:
        parts.append(f"<h3>{_e(store.name)}</h3>" + _diagram(render_er(store), f"ER diagram of {store.name}"))
        rows = [[t.name, len(t.columns), ", ".join(i.name for i in t.indexes) or "-", short(t.rows_now)] for t in store.tables]
        parts.append(_table(["table", "columns", "indexes", "rows now"], rows))
    return "".join(parts)


def _communication(arch: Architecture) -> str:
    parts = [_table(["use case", "style", "why"], [[f.use_case, f.style, f.rationale] for f in arch.flows])]
    for flow in crossing_flows(arch):
        parts.append(f"<h3>{_e(flow.use_case)}</h3>" + _diagram(render_sequence(arch, flow), f"sequence of {flow.use_case}"))
        if flow.saga is not None:
            parts.append(f"<p>Saga by {_e(flow.saga.coordination)}: {_e(flow.saga.reason)}.</p>")
            parts.append(
                _table(["service", "commits", "kind", "compensation"], [[s.service, s.action, s.kind, s.compensation or "-"] for s in flow.saga.steps])
            )
    return "".join(parts)


def _capacity(arch: Architecture) -> str:
    return _table(["quantity", "value", "unit", "formula", "scope"], [[f.quantity, short(f.value), f.unit, f.formula, f.scope] for f in arch.figures])


def _decisions(arch: Architecture) -> str:
    parts = []
    for decision in arch.decisions:
        alternatives = "".join(f"<li>{_e(a.name)}: {_e(a.why_not)}</li>" for a in decision.alternatives)
        parts.append(
            f"<h3>{_e(decision.title)}</h3><p><strong>{_e(decision.choice)}</strong></p><p>{_e(decision.context)}</p><p>{_e(decision.rationale)}</p>"
            + (f"<ul>{alternatives}</ul>" if alternatives else "")
        )
    return "".join(parts)


def _findings_table(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = "".join(
        f'<tr><td class="{_e(f.severity)}">{_e(f.severity)}</td><td>{_e(f.code)} {_e(f.rule)}</td><td>{_e(f.where)}'
        f"{' (' + _e(f.location) + ')' if f.location else ''}</td><td>{_e(f.message)}</td><td>{_e(f.fix)}</td></tr>"
        for f in sorted(findings, key=lambda f: (-f.severity, f.code, f.where))
    )
    return f"<table><thead><tr><th>severity</th><th>rule</th><th>where</th><th>finding</th><th>fix</th></tr></thead><tbody>{rows}</tbody></table>"


def render_findings_page(findings: list[Finding], target: str) -> str:
    """A standalone HTML page of review findings (``review --format html``)."""
    title = f"Review of {target}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{_STYLE}</style></head>'
        f'<body><main style="margin-left:2rem"><h1>{_e(title)}</h1><p>{len(findings)} finding(s).</p>{_findings_table(findings)}</main></body></html>\n'
    )
