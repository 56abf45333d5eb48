"""Operations services behind the dashboard's system pages: logs, host, connectivity, API metrics.

``Monitoring.run`` samples the HTTP metrics and the host every ``dashboard.sample_interval_s`` and pushes a
``monitoring.sampled`` frame, so the System and API pages update on a push instead of polling.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_gateway.api_monitor import ApiMonitor, ApiOverview
from pfd_gateway.connectivity import CheckResult, ConnectivityChecks
from pfd_gateway.host_metrics import HostMetrics, HostSnapshot
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.logbuffer import LogBuffer, LogEntry
from pfd_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)
FRAME_SAMPLED = "monitoring.sampled"


@dataclass
class Monitoring:
    logs: LogBuffer
    host: HostMetrics
    checks: ConnectivityChecks
    api: ApiMonitor
    hub: LiveHub
    checks_cache_s: float
    latest_host: HostSnapshot | None = None
    _checks: tuple[float, list[CheckResult]] | None = None

    async def run(self) -> None:
        """Sample and push every interval until cancelled; a failed sample is logged and retried next tick."""
        while True:
            try:
                await self.sample_once()
            except (OSError, RuntimeError, ValueError) as exc:
                log.warning("monitoring sample failed: %s", exc)
            await asyncio.sleep(self.api.interval_s)

    async def sample_once(self) -> HostSnapshot:
        self.api.sample()
        self.latest_host = await asyncio.to_thread(self.host.read)
        self.hub.publish(FRAME_SAMPLED, {"at": datetime.now(UTC).isoformat(), "host": self.latest_host.to_dict()})
        return self.latest_host

    async def host_snapshot(self) -> HostSnapshot:
        """The latest sampled snapshot (read now when nothing was sampled yet)."""
        if self.latest_host is None:
            self.latest_host = await asyncio.to_thread(self.host.read)
        return self.latest_host

    async def connectivity(self, force: bool = False) -> list[CheckResult]:
        """The dependency checks; answers from the last run unless ``force`` or older than ``checks_cache_s``."""
        now = time.monotonic()
        if force or self._checks is None or now - self._checks[0] > self.checks_cache_s:
            self._checks = (now, await self.checks.check_all())
        return self._checks[1]

    async def recent_logs(self, min_level: str, limit: int) -> list[LogEntry]:
        return self.logs.recent(min_level, limit)

    async def api_overview(self, window_s: float) -> ApiOverview:
        return self.api.overview(window_s)


def build_monitoring(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub,
                     store: ObjectStore) -> Monitoring:
    dashboard = settings.dashboard
    checks = ConnectivityChecks(
        broker=runtime.broker, bootstrap_servers=settings.kafka.bootstrap_servers,
        engine=runtime.database.engine if runtime.database else None,
        database_target=_safe_url(settings.database_url()),
        store=store, store_target=f"{settings.s3.endpoint}/{settings.s3.bucket}",
        timeout_s=dashboard.check_timeout_s,
    )
    api = ApiMonitor(runtime.metrics.totals(), interval_s=dashboard.sample_interval_s,
                     retention_s=dashboard.monitor_retention_s)
    return Monitoring(LogBuffer(dashboard.log_buffer_size), HostMetrics(settings.var_dir), checks, api, hub,
                      checks_cache_s=dashboard.checks_cache_s)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)

