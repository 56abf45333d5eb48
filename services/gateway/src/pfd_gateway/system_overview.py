"""System overview for the dashboard: the status read model summarised, and a status round on demand."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pfd_gateway.api.models import ServicePublic, services_public
from pfd_gateway.system_status import SystemStatusService


@dataclass(frozen=True, slots=True)
class SystemOverview:
    services: list[ServicePublic]

    @property
    def service_count(self) -> int:
        return len(self.services)

    @property
    def instance_count(self) -> int:
        return sum(len(s.instances) for s in self.services)

    @property
    def ready_count(self) -> int:
        return sum(1 for s in self.services for i in s.instances if i.ready)

    @property
    def total_lag(self) -> int:
        return sum(s.total_lag for s in self.services)

    @property
    def dlq_count(self) -> int:
        return sum(s.dlq_count for s in self.services)


@dataclass(frozen=True, slots=True)
class RoundResult:
    answered: SystemOverview
    seconds: float


async def system_overview(status: SystemStatusService) -> SystemOverview:
    return SystemOverview(services_public(status.services()))


async def run_status_round(status: SystemStatusService, requested_by: str, timeout_s: float) -> RoundResult:
    """Ask every instance now; returns who answered within ``timeout_s`` (early once all known ones did)."""
    started = time.perf_counter()
    expected = max(len(status.services()), 1)
    request_id = await status.request_round(requested_by)
    answers = await status.wait_for_answers(request_id, timeout_s, expected)
    return RoundResult(SystemOverview(services_public(answers)), time.perf_counter() - started)
