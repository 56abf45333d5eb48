"""Composition root of the gateway: builds every collaborator once and wires subscribers and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.system import ServiceStatusReported, ServiceStatusRequested, ServiceStopped
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_gateway import __version__
from pfd_gateway.db import MIGRATIONS, messaging_tables, metadata
from pfd_gateway.domain.system_status import StatusBoard
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings
from pfd_gateway.system_status import SystemStatusService


@dataclass
class Gateway:
    settings: GatewaySettings
    runtime: ServiceRuntime
    hub: LiveHub
    status: SystemStatusService
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        await self.runtime.start()
        self.tasks.append(asyncio.create_task(self._status_rounds()))

    async def _status_rounds(self) -> None:
        await self.runtime.connected.wait()
        await self.status.run_rounds(self.settings.status_interval_s)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.runtime.stop()


def build_gateway(settings: GatewaySettings, metrics: ServiceMetrics | None = None) -> Gateway:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    hub = LiveHub(settings.ws_queue_size)
    status = SystemStatusService(StatusBoard(settings.status_ttl_s), hub, runtime.bus, producer=settings.service_name)

    @runtime.bus.subscribe_batch(ServiceStatusReported, group_id=None, max_records=settings.projection_batch_size)
    async def on_status_reported(batch: list[tuple[Envelope[ServiceStatusReported], bytes]]) -> None:
        """Project the reports into the status board and push them to browsers."""
        await status.project_reports(batch)

    @runtime.bus.subscribe(ServiceStopped, group_id=None)
    async def on_service_stopped(envelope: Envelope[ServiceStopped]) -> None:
        """Remove the stopped instance and tell browsers."""
        await status.project_stop(envelope)

    runtime.bus.documents(ServiceStatusRequested)
    return Gateway(settings, runtime, hub, status)


def create_app(settings: GatewaySettings | None = None, metrics: ServiceMetrics | None = None) -> FastAPI:
    """The ASGI app: /api/v1 routes, /ws, health and metrics, around one Gateway."""
    from pfd_gateway.api import health, system, ws
    from pfd_gateway.api.http_metrics import HttpMetrics
    from pfd_gateway.api.middleware import RequestContextMiddleware

    gateway = build_gateway(settings or GatewaySettings(), metrics)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        yield
        await gateway.stop()

    app = FastAPI(title="PFD API", version=__version__, lifespan=lifespan, openapi_url="/api/v1/openapi.json",
                  docs_url="/api/v1/docs", redoc_url=None)
    app.state.gateway = gateway
    app.include_router(health.router)
    app.include_router(system.router)
    app.include_router(ws.router)
    if gateway.settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=gateway.settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(RequestContextMiddleware, tracer_provider=gateway.runtime.tracer_provider,
                       metrics=HttpMetrics(gateway.runtime.metrics.registry))
    return app
