"""Stopping a run from outside its training thread, and running blocking work off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

T = TypeVar("T")


class StopReason(IntEnum):
    """Why a run stops early; a stronger reason replaces a weaker one."""

    SHUTDOWN = 1  # this worker is stopping: the run goes back to the queue and resumes elsewhere
    CANCEL = 2  # the user cancelled: TrainingCancelled, checkpoint kept
    LEASE_LOST = 3  # another worker holds the run now: do nothing more
    DELETED = 4  # the experiment was deleted: remove what this run still wrote


class RunInterrupted(Exception):
    """The worker can no longer record the run (its event loop is gone); the training thread gives up."""


class RunControl:
    """Thread-safe stop flag of one run (polled by the training loop between batches)."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self.reason: StopReason | None = None

    def stop(self, reason: StopReason) -> None:
        with self._lock:
            if self.reason is None or reason > self.reason:
                self.reason = reason
            self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread (a run that is still finishing never blocks process exit)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def target() -> None:
        try:
            result = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting any more
                loop.call_soon_threadsafe(settle, lambda: future.set_exception(error))
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, lambda: future.set_result(result))

    threading.Thread(target=target, name=f"training-{getattr(fn, '__name__', 'work')}", daemon=True).start()
    return await future
