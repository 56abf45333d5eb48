"""Explanations of a trained model's decision on one window: request, progress, outcome, cancellation.

The aggregate is one explanation (``explanation_id``, chosen by the requester); its arrays lie in the object
store under ``explanations/{explanation_id}/``. The xai service answers a request whose (model artefact, input,
methods, parameters) it has explained before from its cache (``cached``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}
MAX_METHODS = 8


class ExplanationInput(BaseModel):
    """What is explained: window ``window`` (non-overlapping, of the model's window length) of record ``record`` of
    a data set, or of an uploaded signal object (``signal_key``: a float32 .npy array in the object store)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    dataset_id: str | None = Field(default=None, **_ID)
    record: int | None = Field(default=None, ge=0)
    signal_key: str | None = Field(default=None, min_length=1, max_length=300)
    window: int = Field(default=0, ge=0, description="0-based window of the record or signal.")

    @model_validator(mode="after")
    def _one_source(self) -> ExplanationInput:
        from_dataset = self.dataset_id is not None and self.record is not None
        if from_dataset == (self.signal_key is not None):
            raise ValueError("give either dataset_id and record, or signal_key")
        return self


class _ExplanationEvent(EventPayload):
    explanation_id: str = Field(**_ID)

    def key(self) -> str:
        """explanation_id"""
        return self.explanation_id


class ExplanationRequested(_ExplanationEvent):
    """Explain a trained run's model on one window with the given methods (name -> parameters, see
    ``pfd_shared.xai.METHOD_CATALOGUE``); ``target`` None explains the predicted class."""

    event_type = "xai.explanation_requested"
    topic = topics.EXPLANATION_REQUESTED

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    input: ExplanationInput
    methods: dict[str, dict[str, Any]] = Field(min_length=1, max_length=MAX_METHODS)
    target: int | None = Field(default=None, ge=0)
    randomisation_check: bool = Field(default=False, description="Also run the model-randomisation sanity check.")


class ExplanationProgress(_ExplanationEvent):
    """How far an explanation has come (stage = method, done of total stages)."""

    event_type = "xai.explanation_progress"
    topic = topics.EXPLANATION_PROGRESS

    stage: str
    done: int = Field(ge=0)
    total: int = Field(ge=0)


class ExplanationReady(_ExplanationEvent):
    """An explanation is stored: arrays (.npz: signal, attributions by method, bands) at ``attributions_key``,
    the summary (.json) at ``summary_key``; ``summary`` repeats its figures (target, probabilities, top bands,
    IG completeness, randomisation flags)."""

    event_type = "xai.explanation_ready"
    topic = topics.EXPLANATION_READY

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    cache_key: str = Field(min_length=64, max_length=64)
    attributions_key: str
    summary_key: str
    summary: dict[str, Any]
    seconds: float = Field(ge=0)
    cached: bool = Field(default=False, description="Answered from an identical earlier explanation.")


class ExplanationFailed(_ExplanationEvent):
    """The explanation could not be computed (unknown model or record, method that does not apply, parameter out
    of range, cancelled); the reason says why."""

    event_type = "xai.explanation_failed"
    topic = topics.EXPLANATION_FAILED

    reason: str
    cancelled: bool = False


class ExplanationCancelRequested(_ExplanationEvent):
    """Stop a running explanation (every xai instance listens; the one running it stops)."""

    event_type = "xai.explanation_cancel_requested"
    topic = topics.EXPLANATION_CANCEL_REQUESTED


class _EmbeddingEvent(EventPayload):
    embedding_id: str = Field(**_ID)

    def key(self) -> str:
        """embedding_id"""
        return self.embedding_id


EMBEDDING_PROJECTION_METHODS = ("pca", "tsne", "umap")


class EmbeddingRequested(_EmbeddingEvent):
    """Project the penultimate-layer embedding of a trained run's model over a data set's windows to 2-D
    (``method`` in EMBEDDING_PROJECTION_METHODS), at most ``max_windows`` windows sampled evenly per class."""

    event_type = "xai.embedding_requested"
    topic = topics.EMBEDDING_REQUESTED

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    dataset_id: str = Field(**_ID)
    method: str = Field(default="pca", pattern=r"^(pca|tsne|umap)$")
    max_windows: int = Field(default=2_000, ge=10, le=20_000)
    seed: int = Field(default=0, ge=0)


class EmbeddingReady(_EmbeddingEvent):
    """The 2-D points are stored at ``points_key`` (.npz: xy float32 (n, 2), labels int (n,), predicted int (n,),
    records int (n,), windows int (n,)); ``class_names`` name the labels."""

    event_type = "xai.embedding_ready"
    topic = topics.EMBEDDING_READY

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    dataset_id: str = Field(**_ID)
    method: str
    points_key: str
    points: int = Field(ge=0)
    embedding_dim: int = Field(ge=1)
    class_names: list[str]
    seconds: float = Field(ge=0)
    cached: bool = False


class EmbeddingFailed(_EmbeddingEvent):
    """The embedding projection could not be computed; the reason says why."""

    event_type = "xai.embedding_failed"
    topic = topics.EMBEDDING_FAILED

    reason: str
