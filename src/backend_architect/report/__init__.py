"""Reporters: findings -> text, JSON, Markdown or SARIF. One format per module, one signature:
``render(findings, rules, target) -> str``."""
