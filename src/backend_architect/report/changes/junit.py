"""Changes as JUnit XML, for CI systems that show test reports: each breaking (or possibly breaking) change a failed case.

Safe changes are passing cases, so the report lists the whole changelog and is never empty.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from backend_architect.diff.model import DiffResult, Impact


def render(result: DiffResult, *, color: bool = False, view: str = "changelog", quiet: bool = False) -> str:
    shown = result.shown(view)
    failing = [c for c in shown if c.impact > Impact.SAFE]
    root = ET.Element("testsuites", name="backend-architect diff", tests=str(max(len(shown), 1)), failures=str(len(failing)))
    suite = ET.SubElement(root, "testsuite", name=f"{result.old} -> {result.new}", tests=str(max(len(shown), 1)), failures=str(len(failing)))
    if not shown:
        ET.SubElement(suite, "testcase", name="no changes", classname="backend-architect.diff")
    for change in shown:
        location = change.new_location or change.old_location
        case = ET.SubElement(suite, "testcase", name=f"{change.where}: {change.message}", classname=f"diff.{change.code}")
        if location is not None:
            case.set("file", location.file)
            case.set("line", str(location.line))
        if change.impact > Impact.SAFE:
            failure = ET.SubElement(case, "failure", message=change.message, type=str(change.impact))
            failure.text = f"{location or change.where}: {change.impact}[{change.code}] {change.where}: {change.message}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
