"""Deployment API models (XCreate; the XPublic models are the deployment service's views)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.events.deploy import MAX_NOTE_CHARS, VARIANTS

from pfd_gateway.deployments.views import DeploymentPublic, DeploymentView

__all__ = ["DeploymentCreate", "DeploymentPublic", "DeploymentView"]


class DeploymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment_id: str = Field(min_length=1, max_length=64)
    run_id: str | None = Field(default=None, max_length=64,
                               description="The run to export; default: the evaluated run with the best record "
                                           "accuracy.")
    model_name: str = Field(min_length=1, max_length=64, description="Lower case: letters, digits, '_', '.', '-'.")
    variants: list[str] = Field(default_factory=lambda: list(VARIANTS), min_length=1, max_length=len(VARIANTS),
                                description=f"Of {list(VARIANTS)}; fp32 (the reference) is required.")
    description: str = Field(default="", max_length=MAX_NOTE_CHARS)
