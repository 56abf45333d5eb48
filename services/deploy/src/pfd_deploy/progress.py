"""DeploymentProgress events reported from the worker thread and published on the service's event loop (one per
stage: a handful per deployment, so no throttling)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import Any

from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.deploy import DeploymentProgress
from pfd_shared.messaging.bus import EventBus

log = logging.getLogger(__name__)


class StageReporter:
    """``reporter(stage, done, total)`` from any thread."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop, cause: Envelope[Any]) -> None:
        self.bus, self.loop, self.cause = bus, loop, cause

    def __call__(self, stage: str, done: int, total: int) -> None:
        payload = DeploymentProgress(deployment_id=self.cause.payload.deployment_id, stage=stage, done=done,
                                     total=total, message=f"{stage} ({done + 1} of {total})")
        envelope = new_envelope(payload, producer=self.bus.service, cause=self.cause)
        asyncio.run_coroutine_threadsafe(self.bus.publish(envelope), self.loop).add_done_callback(_logged)


def _logged(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("deployment progress not published: %s", future.exception())
