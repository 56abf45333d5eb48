"""What the campaign API answers (read-model views)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TrialPublic(_View):
    trial_number: int
    experiment_id: str | None
    status: str
    params: dict[str, Any]
    value: float | None
    test_accuracy: float | None
    epoch: int
    reason: str | None
    started_at: datetime
    finished_at: datetime | None


class CampaignPublic(_View):
    campaign_id: str
    name: str
    dataset_id: str
    model: str
    objective: str
    sampler: str
    pruner: str
    status: str
    budget: int
    parallelism: int
    active: int
    spent: int
    best_trial: int | None
    best_value: float | None
    best_params: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class CampaignDetail(CampaignPublic):
    spec: dict[str, Any]
    trials: list[TrialPublic]


class PromoteRequest(BaseModel):
    """Train the best trial's parameters as a full experiment."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    epochs: int | None = Field(default=None, ge=1, description="Default: the settings' promote_epochs.")


ExportFormat = Literal["json", "yaml"]
