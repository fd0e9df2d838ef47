"""Reporters for diffs: one format per module, one signature ``render(result, *, color) -> str``."""
