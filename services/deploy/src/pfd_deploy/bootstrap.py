"""Composition root of deploy: runtime, object store, the model registry, the deploy service and its subscribers,
and the process's HTTP app (the inference API with health and metrics)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pfd_shared.events import Envelope
from pfd_shared.events.deploy import (
    BatchPredictionCompleted,
    BatchPredictionFailed,
    BatchPredictionProgress,
    BatchPredictionRequested,
    BenchmarkCompleted,
    DeploymentCancelRequested,
    DeploymentFailed,
    DeploymentProgress,
    DeploymentRequested,
    ModelAliasChanged,
    ModelAliasSetRequested,
    ModelExported,
    ModelVersionBroken,
    ModelVersionDeleted,
    ModelVersionDeleteRequested,
)
from pfd_shared.events.training import EvaluationCompleted, ExperimentDeleted, TrainingCompleted, TrainingRequested
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_deploy import __version__
from pfd_deploy.db import MIGRATIONS, messaging_tables, metadata
from pfd_deploy.deployments import CONSUMER_GROUP
from pfd_deploy.http.app import batch_options, build_predictor, create_inference_app
from pfd_deploy.monitoring.wiring import subscribe_monitoring
from pfd_deploy.registry.store import RegistryStore
from pfd_deploy.service import DeployService
from pfd_deploy.serving.batch import BatchPredictions, envelope_publisher
from pfd_deploy.serving.predictor import Predictor
from pfd_deploy.settings import DeploySettings

if TYPE_CHECKING:
    from fastapi import FastAPI


@dataclass
class Deploy:
    settings: DeploySettings
    runtime: ServiceRuntime
    store: ObjectStore
    registry: RegistryStore
    service: DeployService
    predictor: Predictor
    """ONNX Runtime sessions and threads shared by the inference API and batch predictions."""


def build_deploy(settings: DeploySettings, *, store: ObjectStore | None = None,
                 metrics: ServiceMetrics | None = None) -> Deploy:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    if runtime.database is None:
        raise ValueError("deploy needs its database")
    store = store or S3ObjectStore(settings.s3)
    registry = RegistryStore(runtime.database.sessions, runtime.database.outbox, runtime.outbox_relay,
                             runtime.service)
    service = DeployService(runtime, store, registry, settings)
    predictor = build_predictor(registry, store, settings.http, runtime.metrics.registry)
    batches = BatchPredictions(predictor, store, batch_options(settings.http))
    bus = runtime.bus

    @bus.subscribe(DeploymentRequested, group_id=CONSUMER_GROUP)
    async def on_deployment_requested(envelope: Envelope[DeploymentRequested]) -> None:
        """Export the run to ONNX, build and measure its variants, register the next version of the model."""
        await service.deploy(envelope)

    @bus.subscribe(DeploymentCancelRequested, group_id=None)
    async def on_deployment_cancel_requested(envelope: Envelope[DeploymentCancelRequested]) -> None:
        """Stop the deployment if this instance runs it (or is about to)."""
        service.cancel(envelope)

    @bus.subscribe(ModelAliasSetRequested, group_id=CONSUMER_GROUP)
    async def on_model_alias_set_requested(envelope: Envelope[ModelAliasSetRequested]) -> None:
        """Move the alias (or say why not) and record the move in its history."""
        await service.set_alias(envelope)

    @bus.subscribe(ModelVersionDeleteRequested, group_id=CONSUMER_GROUP)
    async def on_model_version_delete_requested(envelope: Envelope[ModelVersionDeleteRequested]) -> None:
        """Delete the version and its files, unless an alias still points at it."""
        await service.delete_version(envelope)

    @bus.subscribe(TrainingRequested, group_id=CONSUMER_GROUP)
    async def on_training_requested(envelope: Envelope[TrainingRequested]) -> None:
        """Remember the run's data set and architecture."""
        await service.record_requested(envelope)

    @bus.subscribe(TrainingCompleted, group_id=CONSUMER_GROUP)
    async def on_training_completed(envelope: Envelope[TrainingCompleted]) -> None:
        """Remember the run's model artefact: it can be deployed now."""
        await service.record_completed(envelope)

    @bus.subscribe(EvaluationCompleted, group_id=CONSUMER_GROUP)
    async def on_evaluation_completed(envelope: Envelope[EvaluationCompleted]) -> None:
        """Remember the run's test figures and data set."""
        await service.record_evaluation(envelope)

    @bus.subscribe(ExperimentDeleted, group_id=CONSUMER_GROUP)
    async def on_experiment_deleted(envelope: Envelope[ExperimentDeleted]) -> None:
        """Forget the experiment's runs (registered versions keep their own files)."""
        await service.forget_experiment(envelope)

    @bus.subscribe(BatchPredictionRequested, group_id=CONSUMER_GROUP)
    async def on_batch_prediction_requested(envelope: Envelope[BatchPredictionRequested]) -> None:
        """Predict every signal of the data set or uploaded CSV; store the results file."""
        await batches.handle(envelope.payload, envelope_publisher(bus, runtime.service, envelope))

    subscribe_monitoring(bus, runtime.service, CONSUMER_GROUP, predictor, settings.monitoring)
    for published in (BatchPredictionProgress, BatchPredictionCompleted, BatchPredictionFailed, DeploymentProgress,
                      ModelExported, BenchmarkCompleted, DeploymentFailed, ModelAliasChanged, ModelVersionDeleted,
                      ModelVersionBroken):
        bus.documents(published)
    return Deploy(settings, runtime, store, registry, service, predictor)


def http_app(deploy: Deploy) -> FastAPI:
    """The process's one ASGI app on ``settings.http``: the inference API (pfd_deploy.http) with health and
    metrics; its lifespan runs the service runtime, /health/ready asks the runtime, /metrics holds both the
    runtime's and the inference figures (the predictor is shared with batch predictions)."""

    @contextlib.asynccontextmanager
    async def running(_: FastAPI) -> AsyncIterator[None]:
        await deploy.runtime.start()
        try:
            yield
        finally:
            await deploy.runtime.stop()
            deploy.predictor.close()

    return create_inference_app(deploy.registry, deploy.store, deploy.settings.http, predictor=deploy.predictor,
                                metrics=deploy.runtime.metrics, lifespan=running, ready=deploy.runtime.is_ready)
