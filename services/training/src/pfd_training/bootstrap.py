"""Composition root of training: runtime, object store, worker slots, the training service and its subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pfd_shared.events import Envelope
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
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_training import __version__
from pfd_training.db import MIGRATIONS, messaging_tables, metadata
from pfd_training.execution import Engine, RunExecutor
from pfd_training.recorder import RunRecorder
from pfd_training.runs import RunRow
from pfd_training.service import CONSUMER_GROUP, TrainingService
from pfd_training.settings import TrainingSettings
from pfd_training.worker import WorkerPool

STOP_BATCH_RECORDS = 100


@dataclass
class Training:
    """The process: the runtime plus the worker slots. HealthApp starts, stops and probes it like a runtime."""

    settings: TrainingSettings
    runtime: ServiceRuntime
    jobs: TrainingService
    pool: WorkerPool

    @property
    def service(self) -> str:
        return self.runtime.service

    @property
    def metrics(self) -> ServiceMetrics:
        return self.runtime.metrics

    async def start(self) -> None:
        await self.runtime.start()
        self.pool.start()

    async def stop(self) -> None:
        await self.pool.stop()
        if self.runtime.ready and self.runtime.outbox_relay is not None:
            await self.runtime.outbox_relay.relay_once()  # hand-backs of the stopping runs go out now
        await self.runtime.stop()

    async def is_ready(self) -> bool:
        return await self.runtime.is_ready()


def build_training(settings: TrainingSettings, *, store: ObjectStore | None = None,
                   metrics: ServiceMetrics | None = None, engine: Engine | None = None) -> Training:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("training needs its database and outbox relay")
    store = store or S3ObjectStore(settings.s3)
    database, relay, worker = runtime.database, runtime.outbox_relay, settings.instance_id

    def recorder(run: RunRow) -> RunRecorder:
        return RunRecorder(database.sessions, database.outbox, relay, run, worker=worker, producer=runtime.service)

    executor = RunExecutor(store, runtime.bus, settings, engine or Engine(), recorder)
    pool = WorkerPool(database.sessions, executor, settings, worker=worker)
    runtime.capacity = pool.capacity
    jobs = TrainingService(runtime, store, pool)
    bus = runtime.bus

    @bus.subscribe(TrainingRequested, group_id=CONSUMER_GROUP)
    async def on_training_requested(envelope: Envelope[TrainingRequested]) -> None:
        """Record the run (once per run_id) and queue it; a worker slot trains it."""
        await jobs.accept(envelope)

    @bus.subscribe(TrainingCancelRequested, group_id=CONSUMER_GROUP)
    async def on_cancel_requested(envelope: Envelope[TrainingCancelRequested]) -> None:
        """Cancel a queued run at once, flag a running one."""
        await jobs.cancel(envelope)

    @bus.subscribe_batch(TrainingCancelRequested, ExperimentDeleteRequested, group_id=None, name="stop_local",
                         max_records=STOP_BATCH_RECORDS)
    async def on_stop_broadcast(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Every instance: stop the cancelled or deleted runs it is training (within one batch)."""
        jobs.stop_local(batch)

    @bus.subscribe(TrainingResumeRequested, group_id=CONSUMER_GROUP)
    async def on_resume_requested(envelope: Envelope[TrainingResumeRequested]) -> None:
        """Queue a cancelled or failed run again; it continues from its last checkpoint."""
        await jobs.resume(envelope)

    @bus.subscribe(ExperimentDeleteRequested, group_id=CONSUMER_GROUP)
    async def on_experiment_delete_requested(envelope: Envelope[ExperimentDeleteRequested]) -> None:
        """Stop the experiment's runs and remove every artefact under results/{experiment_id}/."""
        await jobs.delete_experiment(envelope)

    for published in (TrainingQueued, TrainingStarted, EpochCompleted, TrainingLog, TrainingCompleted, TrainingFailed,
                      TrainingCancelled, EvaluationCompleted, ExperimentDeleted):
        bus.documents(published)
    return Training(settings, runtime, jobs, pool)
