"""Findings as JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One test suite per file, one failed test case per finding; a clean review is one passing
case, so the report is never empty.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from backend_architect.rules.model import Finding, Rule


def render(findings: list[Finding], rules: tuple[Rule, ...], target: str, *, color: bool = False) -> str:
    root = ET.Element("testsuites", name="backend-architect review", tests=str(max(len(findings), 1)), failures=str(len(findings)))
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.location.file if finding.location else target, []).append(finding)
    if not findings:
        suite = ET.SubElement(root, "testsuite", name=target, tests="1", failures="0")
        ET.SubElement(suite, "testcase", name=f"{len(rules)} rules", classname="backend-architect")
    for file in sorted(by_file):
        group = by_file[file]
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(group)), failures=str(len(group)))
        for finding in group:
            at = f"{finding.location}" if finding.location else file
            case = ET.SubElement(suite, "testcase", name=f"{finding.code} {finding.where}", classname=f"{finding.code}.{finding.rule}", file=file)
            if finding.location:
                case.set("line", str(finding.location.line))
            failure = ET.SubElement(case, "failure", message=finding.message, type=str(finding.severity))
            failure.text = f"{at}: {finding.severity}[{finding.code}] {finding.rule}: {finding.message}\nfix: {finding.fix}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
