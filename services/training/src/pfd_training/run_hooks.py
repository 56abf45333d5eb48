"""The worker's TrainingHooks: called on the training thread, they commit on the service's event loop.

Epochs are recorded (EpochCompleted through the outbox) before their checkpoint is uploaded; an epoch already
published before a restart is not published again. Log lines are batched into throttled TrainingLog events.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from pfd_shared.events.training import TrainingLog
from pfd_shared.messaging.bus import EventBus
from pfd_shared.storage import ObjectStore

from pfd_training.artefacts import RunKeys
from pfd_training.control import RunControl, RunInterrupted, StopReason
from pfd_training.recorder import RunRecorder, run_envelope
from pfd_training.settings import TrainingSettings

if TYPE_CHECKING:  # the domain (torch) is imported by the first run, not at start
    from pfd_training.domain import EpochReport, StartInfo

log = logging.getLogger(__name__)
T = TypeVar("T")


class LogThrottle:
    """Collects lines; hands out a batch at most once per interval (or when full)."""

    def __init__(self, interval_s: float, max_lines: int) -> None:
        self.interval_s, self.max_lines = interval_s, max_lines
        self._lines: list[str] = []
        self._last = 0.0

    def add(self, line: str, now: float) -> list[str]:
        self._lines.append(line)
        if len(self._lines) >= self.max_lines or now - self._last >= self.interval_s:
            return self.drain(now)
        return []

    def drain(self, now: float) -> list[str]:
        lines, self._lines, self._last = self._lines, [], now
        return lines


class EventHooks:
    """TrainingHooks of one claimed run."""

    def __init__(self, recorder: RunRecorder, bus: EventBus, loop: asyncio.AbstractEventLoop, store: ObjectStore,
                 keys: RunKeys, control: RunControl, settings: TrainingSettings) -> None:
        self.recorder, self.bus, self.loop, self.store = recorder, bus, loop, store
        self.keys, self.control, self.settings = keys, control, settings
        self.epochs_done = recorder.run.epochs_done
        self.checkpoint_every = settings.checkpoint_every_epochs
        self.throttle = LogThrottle(settings.log_interval_s, settings.log_max_lines)
        self._pending: tuple[int, bytes] | None = None

    # TrainingHooks ----------------------------------------------------------------------------------------------
    def on_start(self, info: StartInfo) -> None:
        if not self._wait(self.recorder.started(info)):
            self.control.stop(StopReason.LEASE_LOST)
        resumed = f", resuming after epoch {info.start_epoch}" if info.start_epoch else ""
        self.log(f"training {info.epochs} epochs on {info.train_windows} windows ({info.parameters} parameters, "
                 f"{info.device}){resumed}")

    def save_checkpoint(self, epoch: int, blob: bytes) -> None:
        self._pending = (epoch, blob)  # uploaded once the epoch is recorded (on_epoch)

    def on_epoch(self, report: EpochReport) -> None:
        pending, self._pending = self._pending, None
        save = pending is not None and pending[0] == report.epoch and (
            report.epoch % self.checkpoint_every == 0 or report.epoch == report.epochs)
        publish = report.epoch > self.epochs_done
        if not (save or publish):
            return
        recorded = self._wait(self.recorder.epoch(
            report if publish else None, epochs_done=max(self.epochs_done, report.epoch),
            checkpoint_epoch=report.epoch if save else None, checkpoint_key=self.keys.checkpoint))
        if not recorded:
            self.control.stop(StopReason.LEASE_LOST)
            return
        self.epochs_done = max(self.epochs_done, report.epoch)
        if save and pending is not None:
            self.store.put_bytes(self.keys.checkpoint, pending[1])

    def log(self, line: str) -> None:
        self._publish_lines(self.throttle.add(line, time.monotonic()))

    def should_stop(self) -> bool:
        return self.control.stopped

    # ------------------------------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Publish the lines still waiting (end of the run)."""
        self._publish_lines(self.throttle.drain(time.monotonic()))

    def _publish_lines(self, lines: list[str]) -> None:
        if not lines:
            return
        run = self.recorder.run
        payload = TrainingLog(experiment_id=run.experiment_id, run_id=run.run_id, lines=tuple(lines))
        envelope = run_envelope(payload, run, self.recorder.producer)
        try:
            future = asyncio.run_coroutine_threadsafe(self.bus.publish(envelope), self.loop)
        except RuntimeError:  # the loop is gone (shutdown): the lines are in the process log only
            log.info("run %s: %s", run.run_id, " | ".join(lines))
            return
        future.add_done_callback(_log_failure)

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the service loop and wait for it (bounded)."""
        try:
            future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        except RuntimeError as exc:
            coroutine.close()
            raise RunInterrupted("the worker is shutting down") from exc
        try:
            return future.result(timeout=self.settings.hook_timeout_s)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise RunInterrupted(f"recording the run took longer than {self.settings.hook_timeout_s}s") from exc


def _log_failure(future: concurrent.futures.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("training log event not published: %s", future.exception())
