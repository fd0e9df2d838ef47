"""backend-architect: design backend systems from a compact spec, and review what exists."""

from __future__ import annotations

__version__ = "0.1.0"
