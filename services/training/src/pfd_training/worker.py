"""WorkerPool: job slots that take runs from the database queue, keep their leases alive and stop them on request.

Intake (the Kafka subscriber) only records a run; the slots find it here — immediately when this instance took
it in, within ``queue_poll_s`` otherwise (other instances, expired leases of killed workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.events.system import WorkerCapacity

from pfd_training import runs
from pfd_training.control import RunControl, StopReason
from pfd_training.execution import RunExecutor
from pfd_training.runs import RunRow
from pfd_training.settings import TrainingSettings

log = logging.getLogger(__name__)


@dataclass
class ActiveRun:
    run: RunRow
    control: RunControl


class WorkerPool:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], executor: RunExecutor, settings: TrainingSettings,
                 *, worker: str) -> None:
        self.sessions, self.executor, self.settings, self.worker = sessions, executor, settings, worker
        self.active: dict[str, ActiveRun] = {}
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        for slot in range(self.settings.max_concurrent_jobs):
            self._tasks.append(asyncio.create_task(self._slot(), name=f"training-slot-{slot}"))

    def wake(self) -> None:
        """A run was queued (or re-queued) here: look now."""
        self._wake.set()

    def capacity(self) -> WorkerCapacity:
        return WorkerCapacity(slots=0 if self._stopping else self.settings.max_concurrent_jobs,
                              busy=len(self.active), jobs=tuple(sorted(self.active)))

    def stop_local(self, reason: StopReason, *, run_id: str | None = None, experiment_id: str | None = None) -> int:
        """Stop the runs this instance trains that match; returns how many."""
        matching = [active for active in self.active.values()
                    if active.run.run_id == run_id or active.run.experiment_id == experiment_id]
        for active in matching:
            active.control.stop(reason)
        return len(matching)

    async def stop(self) -> None:
        """Stop taking runs, hand the running ones back (they stop at the next batch), wait a bounded time."""
        self._stopping = True
        for active in self.active.values():
            active.control.stop(StopReason.SHUTDOWN)
        self._wake.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=self.settings.stop_timeout_s)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if pending:
            log.warning("%d run(s) did not stop within %.1fs; their leases expire and another worker resumes them",
                        len(pending), self.settings.stop_timeout_s)
        self._tasks.clear()

    async def _slot(self) -> None:
        while not self._stopping:
            try:
                async with self.sessions() as session, session.begin():
                    run = await runs.claim(session, self.worker, self.settings.lease_s)
            except Exception:  # noqa: BLE001 - the database hiccups: try again after the poll interval
                log.exception("claiming a run failed")
                run = None
            if run is None:
                await self._idle()
                continue
            await self._run(run)

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.settings.queue_poll_s)
        self._wake.clear()

    async def _run(self, run: RunRow) -> None:
        control = RunControl()
        if run.cancel_requested:  # cancelled while its previous worker was dying
            control.stop(StopReason.CANCEL)
        self.active[run.run_id] = ActiveRun(run, control)
        heartbeat = asyncio.create_task(self._heartbeat(run, control), name=f"lease-{run.run_id}")
        log.info("run %s (experiment %s) taken, attempt %d", run.run_id, run.experiment_id, run.attempts)
        try:
            await self.executor.execute(run, control)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self.active.pop(run.run_id, None)

    async def _heartbeat(self, run: RunRow, control: RunControl) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_s)
            try:
                async with self.sessions() as session, session.begin():
                    renewed = await runs.renew(session, run.run_id, self.worker, self.settings.lease_s)
                    current = renewed or await runs.get(session, run.run_id)
            except Exception:  # noqa: BLE001 - keep trying; the lease lasts several heartbeats
                log.warning("renewing the lease of run %s failed", run.run_id, exc_info=True)
                continue
            if current is None or current.state == runs.DELETED:
                control.stop(StopReason.DELETED)
                return
            if renewed is None:
                control.stop(StopReason.LEASE_LOST)
                return
            if renewed.cancel_requested:
                control.stop(StopReason.CANCEL)
