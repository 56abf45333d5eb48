"""Explanation and embedding API models (XCreate; the XPublic models are the explanation service's views)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.events.xai import MAX_METHODS, ExplanationInput
from pfd_shared.xai import MethodInfo

from pfd_gateway.explanations.views import (
    AttributionsPublic,
    EmbeddingPointsPublic,
    EmbeddingPublic,
    ExplainableExperiment,
    ExplanationPublic,
)

__all__ = ["AttributionsPublic", "EmbeddingCreate", "EmbeddingPointsPublic", "EmbeddingPublic",
           "ExplainableExperiment", "ExplanationCreate", "ExplanationPublic", "MethodInfo"]

_ID = {"min_length": 1, "max_length": 64}


class ExplanationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    input: ExplanationInput = Field(description="A data set's record and window (dataset_id, record, window).")
    methods: dict[str, dict[str, Any]] = Field(
        min_length=1, max_length=MAX_METHODS,
        description="Method name -> parameters (see GET /api/v1/explanations/methods); omitted ones take defaults.")
    target: int | None = Field(default=None, ge=0, description="Class to explain (default: the predicted one).")
    randomisation_check: bool = Field(default=False, description="Also run the model-randomisation sanity check.")


class EmbeddingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    dataset_id: str = Field(**_ID)
    method: str = Field(default="pca", description="pca, tsne or umap.")
    max_windows: int | None = Field(default=None, ge=10, le=20_000, description="Default: the gateway's setting.")
    seed: int = Field(default=0, ge=0)
