"""Progress events from a worker thread, throttled, published on the service's event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.datasets import DatasetProgress
from pfd_shared.messaging.bus import EventBus

log = logging.getLogger(__name__)


class ProgressReporter:
    """Callable ``(stage, done, total)`` safe to call from any thread; at most one event per interval.

    ``payload`` builds the event (default: ``DatasetProgress`` of ``dataset_id``).
    """

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, cause: Envelope, dataset_id: str,  # type: ignore[type-arg]
                 interval_s: float, payload: Callable[[str, int, int], EventPayload] | None = None) -> None:
        self.bus, self.loop, self.cause, self.dataset_id = bus, loop, cause, dataset_id
        self.interval_s = interval_s
        self.payload = payload or (lambda stage, done, total: DatasetProgress(
            dataset_id=dataset_id, stage=stage, done=done, total=total))
        self._last = 0.0
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < self.interval_s and done < total:
            return
        self._stage, self._last = stage, now
        payload = self.payload(stage, done, total)
        future = asyncio.run_coroutine_threadsafe(
            self.bus.publish(new_envelope(payload, producer=self.bus.service, cause=self.cause)), self.loop)
        future.add_done_callback(_log_failure)


def _log_failure(future: "asyncio.Future[None]") -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("progress event not published: %s", future.exception())
