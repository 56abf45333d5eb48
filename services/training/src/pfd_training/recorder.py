"""RunRecorder: each step of a run we hold the lease of, committed with its event (outbox) in one transaction.

Every method returns False when the worker no longer holds the run (lease expired and taken, cancelled or deleted
meanwhile): nothing was written then, and the caller stops acting on the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.training import (
    EpochCompleted,
    EvaluationCompleted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingFailed,
    TrainingQueued,
    TrainingStarted,
)

from pfd_training import runs
from pfd_training.runs import RunRow

if TYPE_CHECKING:  # the domain (torch) is imported by the first run, not at start
    from pfd_training.domain import EpochReport, EvaluationReport, StartInfo, TrainingResult


def run_envelope(payload: EventPayload, run: RunRow, producer: str) -> Envelope[Any]:
    """An event of the run, in the correlation of the request that created it (same owner)."""
    envelope = new_envelope(payload, producer=producer, owner=run.owner, correlation_id=UUID(run.correlation_id))
    return envelope.model_copy(update={"causation_id": UUID(run.request_event_id)})


def epoch_event(run: RunRow, report: EpochReport) -> EpochCompleted:
    return EpochCompleted(
        experiment_id=run.experiment_id, run_id=run.run_id, epoch=report.epoch, epochs=report.epochs,
        train_loss=report.train_loss, train_accuracy=report.train_accuracy, val_loss=report.val_loss,
        val_accuracy=report.val_accuracy, learning_rate=report.learning_rate, seconds=report.seconds,
        windows_per_s=report.windows_per_s)


class RunRecorder:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, relay: OutboxRelay, run: RunRow,
                 *, worker: str, producer: str) -> None:
        self.sessions, self.outbox, self.relay = sessions, outbox, relay
        self.run, self.worker, self.producer = run, worker, producer
        self.ids = {"experiment_id": run.experiment_id, "run_id": run.run_id}

    async def _commit(self, payload: EventPayload | None, **values: Any) -> bool:
        async with self.sessions() as session, session.begin():
            if not await runs.update_owned(session, self.run.run_id, self.worker, **values):
                return False
            if payload is not None:
                await add_to_outbox(session, self.outbox, run_envelope(payload, self.run, self.producer))
        self.relay.notify()
        return True

    async def _finish(self, state: str, payload: EventPayload, **values: Any) -> bool:
        async with self.sessions() as session, session.begin():
            if not await runs.finish_owned(session, self.run.run_id, self.worker, state, **values):
                return False
            await add_to_outbox(session, self.outbox, run_envelope(payload, self.run, self.producer))
        self.relay.notify()
        return True

    async def started(self, info: StartInfo) -> bool:
        return await self._commit(TrainingStarted(
            **self.ids, worker=self.worker, epochs=info.epochs, start_epoch=info.start_epoch,
            train_windows=info.train_windows, val_windows=info.val_windows, parameters=info.parameters))

    async def epoch(self, report: EpochReport | None, *, epochs_done: int, checkpoint_epoch: int | None,
                    checkpoint_key: str) -> bool:
        """Record an epoch: its EpochCompleted (None: already published before a restart) and its checkpoint,
        which the caller uploads only after this commit (so the stored checkpoint never runs ahead of the
        published epochs: a restart re-trains at most the epochs it would otherwise lose, never skips one)."""
        values: dict[str, Any] = {"epochs_done": epochs_done}
        if checkpoint_epoch is not None:
            values |= {"checkpoint_epoch": checkpoint_epoch, "checkpoint_key": checkpoint_key}
        return await self._commit(epoch_event(self.run, report) if report is not None else None, **values)

    async def trained(self, result: TrainingResult, artefacts: dict[str, str], seconds: float) -> bool:
        metrics = {**result.metrics, "best_epoch": float(result.best_epoch)}
        completed = TrainingCompleted(**self.ids, metrics=metrics, epochs_run=result.epochs_run,
                                      best_epoch=result.best_epoch, artefacts=artefacts, seconds=seconds)
        return await self._commit(completed, phase=runs.EVALUATING, artefacts=artefacts)

    async def evaluated(self, report: EvaluationReport, report_key: str) -> bool:
        evaluation = EvaluationCompleted(**self.ids, dataset_id=self.run.dataset_id, report_key=report_key,
                                         **report.event_fields())
        return await self._finish(runs.COMPLETED, evaluation)

    async def cancelled(self) -> bool:
        async with self.sessions() as session:
            current = await runs.get(session, self.run.run_id)
        epoch = current.epochs_done if current else 0
        checkpoint = current.checkpoint_key if current and current.checkpoint_epoch > 0 else None
        return await self._finish(runs.CANCELLED, TrainingCancelled(**self.ids, epoch=epoch, checkpoint_key=checkpoint))

    async def failed(self, reason: str) -> bool:
        return await self._finish(runs.FAILED, TrainingFailed(**self.ids, reason=reason), error=reason)

    async def released(self) -> bool:
        """Back to the queue (this worker stops); another worker resumes it from the checkpoint."""
        async with self.sessions() as session, session.begin():
            if not await runs.release(session, self.run.run_id, self.worker):
                return False
            await add_to_outbox(session, self.outbox,
                                run_envelope(TrainingQueued(**self.ids, worker=""), self.run, self.producer))
        self.relay.notify()
        return True
