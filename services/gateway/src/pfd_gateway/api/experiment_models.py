"""Experiment API models (XCreate; the XPublic models are the experiment service's views)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.views import (
    ComparisonPublic,
    EpochPublic,
    ExperimentDetail,
    ExperimentPage,
    ExperimentPublic,
    LogLinePublic,
    ResultsPublic,
    RunPublic,
    SavedSearchPublic,
    WorkerAvailability,
)

__all__ = ["ComparisonPublic", "EpochPublic", "ExperimentClonePublic", "ExperimentCreate", "ExperimentDetail",
           "ExperimentPage", "ExperimentPublic", "ExperimentTagsUpdate", "LogLinePublic", "ResultsPublic",
           "RunPublic", "SavedSearchCreate", "SavedSearchPublic", "WorkerAvailability"]


class ExperimentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    dataset_id: str = Field(min_length=1, max_length=64)
    config: dict[str, Any] = Field(default_factory=dict,
                                   description="A TrainingConfig (model, preset, model_params, window, epochs, "
                                               "optimiser, scheduler, ..., seeds); omitted fields take defaults.")
    tags: list[str] = Field(default_factory=list, max_length=50)


class ExperimentTagsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[str] = Field(default_factory=list, max_length=50)
    remove: list[str] = Field(default_factory=list, max_length=50)


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    query: ExperimentQuery = ExperimentQuery()


class ExperimentClonePublic(BaseModel):
    """What a new experiment cloned from this one starts with."""

    name: str
    dataset_id: str
    config: dict[str, Any]
    tags: list[str]
