"""Wiring of the predictions slice into the gateway (called by bootstrap): the deploy client, single and batch
predictions, the batch read model's projection and the live push of Batch* events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pfd_shared.events.deploy import (
    BatchPredictionCompleted,
    BatchPredictionFailed,
    BatchPredictionProgress,
    BatchPredictionRequested,
)
from pfd_shared.events.envelope import Envelope
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.db import batch_prediction_views
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.predictions.batches import BatchPredictions
from pfd_gateway.predictions.client import DeployClient
from pfd_gateway.predictions.service import PredictionService
from pfd_gateway.settings import GatewaySettings

OUTCOMES = (BatchPredictionProgress, BatchPredictionCompleted, BatchPredictionFailed)


@dataclass
class Predictions:
    """What the routes and the Predict page reach."""

    single: PredictionService
    batches: BatchPredictions

    async def aclose(self) -> None:
        await self.single.aclose()


def build_predictions(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub, datasets: DatasetCatalog,
                      store: ObjectStore) -> Predictions:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("batch predictions need the gateway's database and outbox relay")
    cfg = settings.predict
    single = PredictionService(DeployClient(cfg), cfg, settings.signals)
    batches = BatchPredictions(runtime.database.sessions, batch_prediction_views, runtime.database.outbox,
                               runtime.outbox_relay, datasets, store, producer=settings.service_name,
                               max_upload_bytes=cfg.max_upload_bytes, list_limit=cfg.batches_shown)

    @runtime.bus.subscribe_batch(*OUTCOMES, group_id=settings.service_name, name="batch_prediction_views",
                                 max_records=settings.projection_batch_size)
    async def on_batch_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project the deploy service's batch events into the read model (once per gateway deployment)."""
        await batches.project(batch)

    @runtime.bus.subscribe_batch(*OUTCOMES, group_id=None, name="batch_prediction_push",
                                 max_records=settings.projection_batch_size)
    async def push_batch_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push the batch events to their owners' browsers (every gateway instance)."""
        hub.push_events(batch)

    runtime.bus.documents(BatchPredictionRequested)
    return Predictions(single, batches)
