"""Runs the gateway's async service functions from Dash callbacks (WSGI threads) on the server's event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BridgeError(RuntimeError):
    """The service call could not run (no loop yet) or did not finish in time."""


class LoopBridge:
    """``run(coro)`` from any thread; the loop is bound by the ASGI mount on its first request."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        """The coroutine's result; its exception propagates; cancelled and ``BridgeError`` on timeout."""
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise BridgeError("the gateway's event loop is not running")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        limit = self.timeout_s if timeout_s is None else timeout_s
        try:
            return future.result(limit)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise BridgeError(f"the gateway did not answer within {limit:g}s") from exc
