"""What the explanation service returns (the API's XPublic models and the XAI page's data): typed, JSON-able."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ExplanationPublic(_View):
    """One explanation: what was asked, how far it is, and (ready) its summary and object keys."""

    explanation_id: str
    owner_id: str
    experiment_id: str
    run_id: str
    input: dict[str, Any]
    methods: dict[str, dict[str, Any]]
    target: int | None = None
    randomisation_check: bool = False
    status: str
    stage: str | None = None
    done: int = 0
    total: int = 0
    summary: dict[str, Any] | None = None
    cache_key: str | None = None
    attributions_key: str | None = None
    summary_key: str | None = None
    cached: bool = False
    seconds: float | None = None
    error: str | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class Bands(_View):
    """Frequency bands (Hz) and the target-probability drop when each is removed."""

    low_hz: list[float]
    high_hz: list[float]
    drop: list[float]


class AttributionsPublic(_View):
    """The arrays of a ready explanation: the window, attributions per method (channels x samples), bands."""

    explanation_id: str
    sample_rate_hz: float | None = None
    class_names: list[str] = Field(default_factory=list)
    probabilities: list[float] = Field(default_factory=list)
    signal: list[list[float]] = Field(description="The explained window (channels x samples), raw units.")
    attributions: dict[str, list[list[float]]] = Field(default_factory=dict)
    bands: Bands | None = None


class ExplanationView(_View):
    """What the XAI page shows for one explanation: the row and, once ready, its arrays."""

    explanation: ExplanationPublic
    arrays: AttributionsPublic | None = None


class EmbeddingPublic(_View):
    """One 2-D projection of a run's penultimate-layer embedding over a data set's windows."""

    embedding_id: str
    owner_id: str
    experiment_id: str
    run_id: str
    dataset_id: str
    method: str
    max_windows: int
    seed: int = 0
    status: str
    points: int | None = None
    embedding_dim: int | None = None
    class_names: list[str] | None = None
    points_key: str | None = None
    cached: bool = False
    seconds: float | None = None
    error: str | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class EmbeddingPointsPublic(_View):
    """The projected points (one per window) with their true and predicted classes."""

    embedding_id: str
    class_names: list[str]
    x: list[float]
    y: list[float]
    labels: list[int]
    predicted: list[int]
    records: list[int]
    windows: list[int]


class EmbeddingView(_View):
    embedding: EmbeddingPublic
    points: EmbeddingPointsPublic | None = None


class ExplainableRun(_View):
    run_id: str
    seed: int


class ExplainableExperiment(_View):
    """An experiment with trained neural runs the XAI page offers."""

    experiment_id: str
    name: str
    model: str
    dataset_id: str
    window_length: int
    has_conv: bool
    runs: list[ExplainableRun]


class DatasetChoice(_View):
    dataset_id: str
    name: str
    records: int
    samples_per_record: int


class XaiChoices(_View):
    """What the XAI page offers: experiments with evaluated neural runs and the caller's ready data sets."""

    experiments: list[ExplainableExperiment]
    datasets: list[DatasetChoice]
