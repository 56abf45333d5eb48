"""TrainingService: the use cases behind training's subscribers — take runs in, cancel, resume, delete.

Intake never trains: it records the run and its TrainingQueued in one transaction (acked after the commit), and
the worker slots (worker.py) train it from the database queue, so a run of minutes never holds up the consumer.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from pfd_shared.db.idempotency import handle_once
from pfd_shared.db.outbox import add_to_outbox
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.training import (
    ExperimentDeleted,
    ExperimentDeleteRequested,
    TrainingCancelled,
    TrainingCancelRequested,
    TrainingFailed,
    TrainingQueued,
    TrainingRequested,
    TrainingResumeRequested,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.training import TrainingConfig

from pfd_training import runs
from pfd_training.artefacts import remove_experiment
from pfd_training.control import StopReason, in_thread
from pfd_training.execution import describe
from pfd_training.worker import WorkerPool

log = logging.getLogger(__name__)
CONSUMER_GROUP = "training"


class TrainingService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, pool: WorkerPool) -> None:
        if runtime.database is None or runtime.outbox_relay is None:
            raise ValueError("training needs its database and outbox relay")
        self.runtime, self.store, self.pool = runtime, store, pool
        self.sessions = runtime.database.sessions
        self.processed = runtime.database.tables.processed_events
        self.outbox = runtime.database.outbox
        self.relay = runtime.outbox_relay

    async def _once(self, envelope: Envelope[Any], work: Any) -> Any:
        result = await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)
        self.relay.notify()
        return result

    async def _stage(self, session: Any, payload: Any, cause: Envelope[Any]) -> None:
        await add_to_outbox(session, self.outbox, new_envelope(payload, producer=self.runtime.service, cause=cause))

    async def accept(self, envelope: Envelope[TrainingRequested]) -> bool:
        """Record the run once (a second request for the same run_id is the same run) and queue it."""
        request = envelope.payload
        ids = {"experiment_id": request.experiment_id, "run_id": request.run_id}

        async def work(session: Any) -> bool:
            if await runs.get(session, request.run_id) is not None:
                return False
            if await runs.experiment_deleted(session, request.experiment_id):
                log.info("run %s ignored: experiment %s was deleted", request.run_id, request.experiment_id)
                return False
            try:
                TrainingConfig.model_validate(request.config)
                error = None
            except ValidationError as exc:
                error = describe(exc)
            await runs.record(session, run_id=request.run_id, experiment_id=request.experiment_id,
                              dataset_id=request.dataset_id, owner=envelope.owner, name=request.name,
                              config=request.config, seed=request.seed, run_index=request.run_index,
                              run_count=request.run_count, state=runs.FAILED if error else runs.QUEUED, error=error,
                              correlation_id=str(envelope.correlation_id), request_event_id=str(envelope.event_id))
            outcome = TrainingFailed(**ids, reason=error) if error else TrainingQueued(
                **ids, worker=self.runtime.settings.instance_id)
            await self._stage(session, outcome, envelope)
            return error is None

        queued = bool(await self._once(envelope, work))
        if queued:
            self.pool.wake()
        return queued

    async def cancel(self, envelope: Envelope[TrainingCancelRequested]) -> None:
        """A queued run is cancelled at once; a running one is flagged (its worker stops it and says so)."""
        run_id = envelope.payload.run_id

        async def work(session: Any) -> None:
            row = await runs.get(session, run_id)
            if row is None or row.state in runs.FINISHED:
                return
            if await runs.cancel_if_queued(session, run_id):
                checkpoint = row.checkpoint_key if row.checkpoint_epoch > 0 else None
                await self._stage(session, TrainingCancelled(experiment_id=row.experiment_id, run_id=run_id,
                                                             epoch=row.epochs_done, checkpoint_key=checkpoint), envelope)
            else:
                await runs.request_cancel(session, run_id)

        await self._once(envelope, work)

    def stop_local(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Broadcast to every instance: stop the matching runs trained here (cancel within one batch)."""
        for envelope, _ in batch:
            payload = envelope.payload
            if isinstance(payload, TrainingCancelRequested):
                self.pool.stop_local(StopReason.CANCEL, run_id=payload.run_id)
            elif isinstance(payload, ExperimentDeleteRequested):
                self.pool.stop_local(StopReason.DELETED, experiment_id=payload.experiment_id)

    async def resume(self, envelope: Envelope[TrainingResumeRequested]) -> None:
        """A cancelled or failed run is queued again; it continues from its last checkpoint."""
        request = envelope.payload

        async def work(session: Any) -> bool:
            if not await runs.requeue(session, request.run_id):
                log.info("resume of run %s ignored: it is not cancelled or failed", request.run_id)
                return False
            await self._stage(session, TrainingQueued(experiment_id=request.experiment_id, run_id=request.run_id,
                                                      worker=self.runtime.settings.instance_id), envelope)
            return True

        if await self._once(envelope, work):
            self.pool.wake()

    async def delete_experiment(self, envelope: Envelope[ExperimentDeleteRequested]) -> None:
        """Stop and forget the experiment's runs, remove every object under results/{experiment_id}/."""
        experiment_id = envelope.payload.experiment_id
        async with self.sessions() as session, session.begin():
            await runs.mark_experiment_deleted(session, experiment_id)
        self.pool.stop_local(StopReason.DELETED, experiment_id=experiment_id)
        removed = await in_thread(remove_experiment, self.store, experiment_id)

        async def work(session: Any) -> None:
            await runs.close_experiment(session, experiment_id)
            await self._stage(session, ExperimentDeleted(experiment_id=experiment_id, objects_removed=removed),
                              envelope)

        await self._once(envelope, work)
