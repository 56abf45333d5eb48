"""Model-registry API models (the XPublic models are the registry's views)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.events.deploy import MAX_NOTE_CHARS

from pfd_gateway.deployments.views import ModelDetail, ModelPublic, RegistryAccepted

__all__ = ["AliasSet", "AliasRollback", "ModelDetail", "ModelPublic", "RegistryAccepted"]


class AliasSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version the alias should serve.")
    reason: str = Field(default="", max_length=MAX_NOTE_CHARS, description="Why (kept in the alias's history).")


class AliasRollback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=MAX_NOTE_CHARS, description="Why (kept in the alias's history).")
