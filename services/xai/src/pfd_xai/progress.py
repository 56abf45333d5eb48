"""Progress of an explanation, reported from the worker thread and published on the service's loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.messaging.bus import EventBus

log = logging.getLogger(__name__)


class ThrottledProgress:
    """``(stage, done, total)`` from any thread; at most one event per interval, the last stage always."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, cause: Envelope[Any], interval_s: float,
                 payload: Callable[[str, int, int], EventPayload]) -> None:
        self.bus, self.loop, self.cause, self.interval_s, self.payload = bus, loop, cause, interval_s, payload
        self._last = float("-inf")

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval_s and done < total:
            return
        self._last = now
        envelope = new_envelope(self.payload(stage, done, total), producer=self.bus.service, cause=self.cause)
        asyncio.run_coroutine_threadsafe(self.bus.publish(envelope), self.loop).add_done_callback(self._logged)

    @staticmethod
    def _logged(future: Any) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.warning("explanation progress not published: %s", future.exception())
