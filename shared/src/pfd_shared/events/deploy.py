"""Deployment: a trained run exported to ONNX, its variants measured, registered as a model version; aliases,
deletion, broken versions and batch predictions.

Aggregates: a deployment (``deployment_id``, chosen by the requester) until its version is registered; then the
model (``model_name``: events about a model and its versions are keyed by it, so they stay in order); a batch
prediction (``batch_id``). Artefacts lie in the object store under ``models/{model_name}/{version}/``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}
_NAME = {"min_length": 1, "max_length": 64, "pattern": r"^[a-z0-9][a-z0-9_.-]*$"}
_ALIAS = {"min_length": 1, "max_length": 32, "pattern": r"^[a-z][a-z0-9_-]*$"}
VARIANTS = ("fp32", "int8_dynamic", "int8_static", "fp16")
MAX_NOTE_CHARS = 2_000


class VariantArtefact(BaseModel):
    """One ONNX file of a version: ``variant`` in VARIANTS."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    variant: str
    object_key: str
    size_bytes: int = Field(ge=0)
    sha256: str = Field(min_length=64, max_length=64)


class VariantBenchmark(BaseModel):
    """What one variant measured on the deploy machine (same inputs and thread count for every variant)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    variant: str
    size_bytes: int = Field(ge=0)
    accuracy: float = Field(ge=0, le=1, description="Window accuracy on the test windows.")
    accuracy_delta: float = Field(description="accuracy - fp32 accuracy (0 for fp32).")
    latency_p50_ms: float = Field(ge=0, description="Batch 1.")
    latency_p99_ms: float = Field(ge=0, description="Batch 1.")
    throughput_per_s: float = Field(ge=0, description="Windows per second at batch 32.")
    threads: int = Field(ge=1)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS, description="Why a variant does (not) pay off.")


class _DeploymentEvent(EventPayload):
    deployment_id: str = Field(**_ID)

    def key(self) -> str:
        """deployment_id"""
        return self.deployment_id


class _ModelEvent(EventPayload):
    model_name: str = Field(**_NAME)

    def key(self) -> str:
        """model_name"""
        return self.model_name


class DeploymentRequested(_DeploymentEvent):
    """Export run ``run_id`` of ``experiment_id`` and register it as the next version of ``model_name``."""

    event_type = "deploy.deployment_requested"
    topic = topics.DEPLOYMENT_REQUESTED

    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    model_name: str = Field(**_NAME)
    variants: list[str] = Field(default_factory=lambda: list(VARIANTS), min_length=1, max_length=len(VARIANTS))
    description: str = Field(default="", max_length=MAX_NOTE_CHARS)

    @model_validator(mode="after")
    def _known_variants(self) -> DeploymentRequested:
        unknown = sorted(set(self.variants) - set(VARIANTS))
        if unknown:
            raise ValueError(f"unknown variant(s) {unknown}; known: {list(VARIANTS)}")
        if "fp32" not in self.variants:
            raise ValueError("fp32 is the reference every other variant is compared with: include it")
        return self


class DeploymentCancelRequested(_DeploymentEvent):
    """Stop a running deployment (every deploy instance listens; the one running it stops)."""

    event_type = "deploy.deployment_cancel_requested"
    topic = topics.DEPLOYMENT_CANCEL_REQUESTED


class DeploymentProgress(_DeploymentEvent):
    """How far a deployment has come (stage: export, parity, a variant's name, benchmark)."""

    event_type = "deploy.deployment_progress"
    topic = topics.DEPLOYMENT_PROGRESS

    stage: str
    done: int = Field(ge=0)
    total: int = Field(ge=0)
    message: str = ""


class ModelExported(_DeploymentEvent):
    """Version ``version`` of ``model_name`` is registered: ONNX variants stored, parity verified against PyTorch."""

    event_type = "deploy.model_exported"
    topic = topics.MODEL_EXPORTED

    model_name: str = Field(**_NAME)
    version: int = Field(ge=1)
    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)
    model: str = Field(description="Architecture (pfd_shared.training.MODEL_CATALOGUE key).")
    dataset_id: str = Field(**_ID)
    class_names: list[str]
    window_length: int = Field(ge=1)
    sample_rate_hz: float = Field(gt=0)
    variants: list[VariantArtefact]
    parity: dict[str, float] = Field(description="max_abs_diff, argmax_agreement, windows.")
    metrics: dict[str, float] = Field(default_factory=dict, description="The run's test metrics.")
    description: str = ""

    def key(self) -> str:
        """model_name (the version belongs to the model's stream of events)"""
        return self.model_name


class BenchmarkCompleted(_ModelEvent):
    """The variants of a version, measured (see VariantBenchmark); ``notes`` explain the outcome."""

    event_type = "deploy.benchmark_completed"
    topic = topics.BENCHMARK_COMPLETED

    deployment_id: str = Field(**_ID)
    version: int = Field(ge=1)
    results: list[VariantBenchmark]
    torch_throughput_per_s: float | None = Field(default=None, ge=0, description="PyTorch eager at batch 32.")
    notes: list[str] = Field(default_factory=list)


class DeploymentFailed(_DeploymentEvent):
    """Nothing was registered: the reason (and the parity figures when the check failed)."""

    event_type = "deploy.deployment_failed"
    topic = topics.DEPLOYMENT_FAILED

    reason: str
    cancelled: bool = False
    figures: dict[str, float] = Field(default_factory=dict)


class ModelAliasSetRequested(_ModelEvent):
    """Point ``alias`` at ``version`` (None removes the alias); ``actor`` is the user who asked, ``reason`` why."""

    event_type = "deploy.model_alias_set_requested"
    topic = topics.MODEL_ALIAS_SET_REQUESTED

    alias: str = Field(**_ALIAS)
    version: int | None = Field(default=None, ge=1)
    actor: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=MAX_NOTE_CHARS)


class ModelAliasChanged(_ModelEvent):
    """An alias moved from ``previous_version`` to ``version`` (either may be None); one line of its history.
    ``refused_reason`` set: the alias did NOT move (unknown, broken or deleted version...) and says why."""

    event_type = "deploy.model_alias_changed"
    topic = topics.MODEL_ALIAS_CHANGED

    alias: str = Field(**_ALIAS)
    version: int | None = Field(default=None, ge=1)
    previous_version: int | None = Field(default=None, ge=1)
    actor: str
    reason: str = ""
    refused_reason: str | None = None


class ModelVersionDeleteRequested(_ModelEvent):
    """Delete a version and its artefacts (refused while an alias points at it)."""

    event_type = "deploy.model_version_delete_requested"
    topic = topics.MODEL_VERSION_DELETE_REQUESTED

    version: int = Field(ge=1)
    actor: str = Field(min_length=1, max_length=64)


class ModelVersionDeleted(_ModelEvent):
    """A version and its artefacts are gone (``refused_reason`` set when it was not deleted, e.g. an alias)."""

    event_type = "deploy.model_version_deleted"
    topic = topics.MODEL_VERSION_DELETED

    version: int = Field(ge=1)
    refused_reason: str | None = None


class ModelVersionBroken(_ModelEvent):
    """A version failed to load (missing or corrupt artefact): marked broken in the registry and no longer served."""

    event_type = "deploy.model_version_broken"
    topic = topics.MODEL_VERSION_BROKEN

    version: int = Field(ge=1)
    reason: str


class _BatchEvent(EventPayload):
    batch_id: str = Field(**_ID)

    def key(self) -> str:
        """batch_id"""
        return self.batch_id


class BatchPredictionRequested(_BatchEvent):
    """Predict every record of data set ``dataset_id`` or every row of the uploaded CSV at ``signals_key`` (one
    signal per row, sampled at ``sample_rate_hz``) with ``model_name`` under ``alias`` or at ``version``."""

    event_type = "deploy.batch_prediction_requested"
    topic = topics.BATCH_PREDICTION_REQUESTED

    model_name: str = Field(**_NAME)
    alias: str | None = Field(default=None, **_ALIAS)
    version: int | None = Field(default=None, ge=1)
    dataset_id: str | None = Field(default=None, **_ID)
    signals_key: str | None = Field(default=None, min_length=1, max_length=300)
    sample_rate_hz: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> BatchPredictionRequested:
        if (self.dataset_id is None) == (self.signals_key is None):
            raise ValueError("give either dataset_id or signals_key")
        if self.signals_key is not None and self.sample_rate_hz is None:
            raise ValueError("an uploaded CSV needs its sample_rate_hz")
        if (self.alias is None) == (self.version is None):
            raise ValueError("give either alias or version")
        return self


class BatchPredictionProgress(_BatchEvent):
    """How many of the batch's signals are predicted."""

    event_type = "deploy.batch_prediction_progress"
    topic = topics.BATCH_PREDICTION_PROGRESS

    done: int = Field(ge=0)
    total: int = Field(ge=0)


class BatchPredictionCompleted(_BatchEvent):
    """The results CSV (record, predicted class, probabilities[, true class]) is at ``results_key``."""

    event_type = "deploy.batch_prediction_completed"
    topic = topics.BATCH_PREDICTION_COMPLETED

    model_name: str = Field(**_NAME)
    version: int = Field(ge=1)
    results_key: str
    rows: int = Field(ge=0)
    summary: dict[str, Any] = Field(default_factory=dict, description="Counts per predicted class; accuracy if known.")
    seconds: float = Field(ge=0)


class BatchPredictionFailed(_BatchEvent):
    """The batch could not be predicted (unknown or broken model, unreadable input); the reason says why."""

    event_type = "deploy.batch_prediction_failed"
    topic = topics.BATCH_PREDICTION_FAILED

    reason: str
