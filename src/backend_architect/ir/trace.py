"""Where each input the spec states went: the decisions, figures and tables that used it.

The traceability stage fills these at the end of a design, so a reader of ``design.md``
or ``handoff.json`` can follow every stated figure and constraint to what it changed, and
see plainly which ones changed nothing (with the reason).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backend_architect.ir.base import IRModel


class Requirement(IRModel):
    """One input the spec states, and where the design used it."""

    input: str = Field(description="Its path in the spec, e.g. 'scale.availability', 'constraints.avoid: Kafka', \"use_cases['send'].notify: fcm\".")
    value: str = Field(description="The value as the spec states it.")
    status: Literal["used", "not used"]
    used_by: list[str] = Field(default_factory=list, description="Where: 'decision:<id>', 'figure:<key>', 'table:<name>', 'flow:<use case>', 'security', ...")
    how: str = Field(description="What it changed, or why it changes nothing (stated but not used).")
