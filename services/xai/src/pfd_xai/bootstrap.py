"""Composition root of xai: runtime, object store, the explanation and embedding services and their subscribers."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pfd_shared.events import Envelope
from pfd_shared.events.datasets import DatasetDeleted, DatasetReady
from pfd_shared.events.training import ExperimentDeleted, TrainingCompleted
from pfd_shared.events.xai import (
    EmbeddingFailed,
    EmbeddingReady,
    EmbeddingRequested,
    ExplanationCancelRequested,
    ExplanationFailed,
    ExplanationProgress,
    ExplanationReady,
    ExplanationRequested,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_xai import __version__
from pfd_xai.db import MIGRATIONS, messaging_tables, metadata
from pfd_xai.embeddings import EmbeddingService
from pfd_xai.models import ModelCache
from pfd_xai.service import CONSUMER_GROUP, ExplanationService
from pfd_xai.settings import XaiSettings


@dataclass
class Xai:
    settings: XaiSettings
    runtime: ServiceRuntime
    service: ExplanationService
    embeddings: EmbeddingService


def build_xai(settings: XaiSettings, *, store: ObjectStore | None = None,
              metrics: ServiceMetrics | None = None) -> Xai:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    objects = store or S3ObjectStore(settings.s3)
    models = ModelCache(objects, settings.model_cache_size)
    service = ExplanationService(runtime, objects, settings, models)
    embeddings = EmbeddingService(runtime, objects, settings, models)
    bus = runtime.bus

    @bus.subscribe(ExplanationRequested, group_id=CONSUMER_GROUP)
    async def on_explanation_requested(envelope: Envelope[ExplanationRequested]) -> None:
        """Explain the run's model on the window (or answer from the cache)."""
        await service.explain(envelope)

    @bus.subscribe(ExplanationCancelRequested, group_id=None)
    async def on_explanation_cancel_requested(envelope: Envelope[ExplanationCancelRequested]) -> None:
        """Stop the explanation if this instance runs it (or is about to)."""
        service.cancel(envelope)

    @bus.subscribe(EmbeddingRequested, group_id=CONSUMER_GROUP)
    async def on_embedding_requested(envelope: Envelope[EmbeddingRequested]) -> None:
        """Project the run's penultimate-layer embedding of the data set to 2-D (or answer from the cache)."""
        await embeddings.embed(envelope)

    @bus.subscribe(TrainingCompleted, group_id=CONSUMER_GROUP)
    async def on_training_completed(envelope: Envelope[TrainingCompleted]) -> None:
        """Remember the run's model artefact: it can be explained now."""
        await service.record_model(envelope)

    @bus.subscribe(ExperimentDeleted, group_id=CONSUMER_GROUP)
    async def on_experiment_deleted(envelope: Envelope[ExperimentDeleted]) -> None:
        """Forget the experiment's models and cached explanations."""
        await service.forget_experiment(envelope)

    @bus.subscribe(DatasetReady, group_id=CONSUMER_GROUP)
    async def on_dataset_ready(envelope: Envelope[DatasetReady]) -> None:
        """Remember where the data set's records are."""
        await service.record_dataset(envelope)

    @bus.subscribe(DatasetDeleted, group_id=CONSUMER_GROUP)
    async def on_dataset_deleted(envelope: Envelope[DatasetDeleted]) -> None:
        """Forget the data set."""
        await service.forget_dataset(envelope)

    for published in (ExplanationProgress, ExplanationReady, ExplanationFailed, EmbeddingReady, EmbeddingFailed):
        bus.documents(published)
    return Xai(settings, runtime, service, embeddings)


def configure_threads(settings: XaiSettings) -> None:
    """Torch threads of the explanations (process start only)."""
    torch.set_num_threads(settings.torch_threads)
