"""Differences between two versions of a design: IR x IR -> changes, breaking or not."""
