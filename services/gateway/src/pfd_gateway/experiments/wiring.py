"""Wiring of the experiments slice into the gateway: the service and its subscribers (called by bootstrap)."""

from __future__ import annotations

from typing import Any

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.training import (
    EpochCompleted,
    EvaluationCompleted,
    ExperimentDeleted,
    ExperimentDeleteRequested,
    TrainingCancelled,
    TrainingCancelRequested,
    TrainingCompleted,
    TrainingFailed,
    TrainingLog,
    TrainingQueued,
    TrainingRequested,
    TrainingResumeRequested,
    TrainingStarted,
)
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_gateway.auth.shares import ShareService
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.db import experiment_tables
from pfd_gateway.domain.system_status import StatusBoard
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings

TRAINING_OUTCOMES = (TrainingQueued, TrainingStarted, EpochCompleted, TrainingLog, TrainingCompleted, TrainingFailed,
                     TrainingCancelled, EvaluationCompleted, ExperimentDeleted)
COMMANDS = (TrainingRequested, TrainingCancelRequested, TrainingResumeRequested, ExperimentDeleteRequested)


def build_experiments(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub, board: StatusBoard,
                      shares: ShareService, datasets: DatasetCatalog, store: ObjectStore) -> ExperimentService:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the experiments read model needs the gateway's database and outbox relay")
    experiments = ExperimentService(runtime.database.sessions, experiment_tables, runtime.database.outbox,
                                    runtime.outbox_relay, shares, datasets, store, board, settings.experiments,
                                    producer=settings.service_name)

    @runtime.bus.subscribe_batch(*TRAINING_OUTCOMES, group_id=settings.service_name, name="experiment_views",
                                 max_records=settings.projection_batch_size)
    async def on_training_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project the training service's events into the experiment read model (once per gateway deployment)."""
        await experiments.project(batch)

    @runtime.bus.subscribe_batch(*TRAINING_OUTCOMES, group_id=None, name="experiment_push",
                                 max_records=settings.projection_batch_size)
    async def push_training_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push training events (epochs, logs, outcomes) to their owners' browsers (every gateway instance)."""
        hub.push_events(batch)

    for published in COMMANDS:
        runtime.bus.documents(published)
    return experiments
