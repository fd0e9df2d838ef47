"""The base of every IR model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class IRModel(BaseModel):
    """Base of the IR models: no unknown attributes, copy-on-write updates."""

    # Schemas are built on first use, not at import: a review of one OpenAPI file never validates most of these
    # models, and building all of them took 0.12 s of every command's start-up.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, defer_build=True)
