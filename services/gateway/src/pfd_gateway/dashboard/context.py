"""What dashboard callbacks reach: the gateway's services, called through the loop bridge."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pfd_gateway.dashboard.bridge import LoopBridge
from pfd_gateway.settings import DashboardSettings

if TYPE_CHECKING:
    from pfd_gateway.bootstrap import Gateway

T = TypeVar("T")


@dataclass
class DashboardContext:
    gateway: Gateway
    bridge: LoopBridge

    @property
    def settings(self) -> DashboardSettings:
        return self.gateway.settings.dashboard

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        """Run one async gateway service function on the server's loop and return its result."""
        return self.bridge.run(coro, timeout_s)
