"""The base of every IR model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class IRModel(BaseModel):
    """Base of the IR models: no unknown attributes, copy-on-write updates."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)
