"""Composition root of the gateway: builds every collaborator once and wires subscribers and routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.datasets import (
    DatasetDeleted,
    DatasetDeleteRequested,
    DatasetFailed,
    DatasetGenerationRequested,
    DatasetImportRequested,
    DatasetProgress,
    DatasetReady,
)
from pfd_shared.events.system import ServiceStatusReported, ServiceStatusRequested, ServiceStopped
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_gateway import __version__
from pfd_gateway.auth.service import AuthService
from pfd_gateway.auth.session_cache import SESSIONS_SIGNAL_FILE, RevocationSignal
from pfd_gateway.campaigns.service import CampaignService
from pfd_gateway.campaigns.wiring import build_campaigns
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.db import MIGRATIONS, dataset_views, messaging_tables, metadata
from pfd_gateway.deployments.wiring import Deployments, build_deployments
from pfd_gateway.domain.system_status import StatusBoard
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.experiments.wiring import build_experiments
from pfd_gateway.explorer.service import DataExplorer
from pfd_gateway.explanations.wiring import Explanations, build_explanations
from pfd_gateway.explorer.wiring import build_explorer
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.monitoring import Monitoring, build_monitoring
from pfd_gateway.notifications.center import NotificationCenter
from pfd_gateway.notifications.wiring import build_notifications
from pfd_gateway.predictions.wiring import Predictions, build_predictions
from pfd_gateway.settings import GatewaySettings
from pfd_gateway.signals.reader import DatasetReader
from pfd_gateway.signals.service import SignalViewer
from pfd_gateway.system_status import SystemStatusService


@dataclass
class Gateway:
    settings: GatewaySettings
    runtime: ServiceRuntime
    hub: LiveHub
    status: SystemStatusService
    monitoring: Monitoring
    auth: AuthService
    datasets: DatasetCatalog
    signals: SignalViewer
    experiments: ExperimentService
    notifications: NotificationCenter
    explorer: DataExplorer
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    deployments: Deployments = field(kw_only=True)
    explanations: Explanations = field(kw_only=True)
    predictions: Predictions = field(kw_only=True)
    campaigns: CampaignService = field(kw_only=True)

    async def start(self) -> None:
        self.monitoring.logs.install()
        await self.runtime.start()
        await self.auth.first_start(self.settings.environment)
        self.tasks.append(asyncio.create_task(self._status_rounds()))
        self.tasks.append(asyncio.create_task(self.monitoring.run()))

    async def _status_rounds(self) -> None:
        await self.runtime.connected.wait()
        await self.status.run_rounds(self.settings.status_interval_s, self.settings.status_sweep_s)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.runtime.stop()
        await self.predictions.aclose()
        self.signals.reader.close()
        self.monitoring.logs.uninstall()


def build_gateway(settings: GatewaySettings, metrics: ServiceMetrics | None = None,
                  store: ObjectStore | None = None) -> Gateway:
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

    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the gateway needs its database and outbox relay")
    auth = AuthService(runtime.database.sessions, settings.auth,
                       revocations=RevocationSignal(settings.var_dir / SESSIONS_SIGNAL_FILE))
    store = store or S3ObjectStore(settings.s3)  # one client for the data sets, signals and connectivity check
    datasets = DatasetCatalog(runtime.database.sessions, dataset_views, runtime.database.outbox, runtime.outbox_relay,
                              auth.shares, store, producer=settings.service_name,
                              max_upload_bytes=settings.upload_max_bytes)
    dataset_outcomes = (DatasetProgress, DatasetReady, DatasetFailed, DatasetDeleted)

    @runtime.bus.subscribe_batch(*dataset_outcomes, group_id=settings.service_name, name="dataset_views",
                                 max_records=settings.projection_batch_size)
    async def on_dataset_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project data-gen's events into the data-set read model (once per gateway deployment)."""
        await datasets.project(batch)

    @runtime.bus.subscribe_batch(*dataset_outcomes, group_id=None, name="dataset_push",
                                 max_records=settings.projection_batch_size)
    async def push_dataset_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push data-gen's events to their owners' browsers (every gateway instance)."""
        hub.push_events(batch)

    for published in (ServiceStatusRequested, DatasetGenerationRequested, DatasetImportRequested,
                      DatasetDeleteRequested):
        runtime.bus.documents(published)
    signals = SignalViewer(datasets, DatasetReader(datasets.store, settings.signals), settings.signals)
    experiments = build_experiments(settings, runtime, hub, status.board, auth.shares, datasets, store)
    notifications = build_notifications(settings, runtime, hub)
    explorer = build_explorer(settings, runtime, hub, datasets, store)
    monitoring = build_monitoring(settings, runtime, hub, store)
    deployments = build_deployments(settings, runtime, hub, experiments)
    explanations = build_explanations(settings, runtime, hub, experiments, datasets, store)
    predictions = build_predictions(settings, runtime, hub, datasets, store)
    campaigns = build_campaigns(settings, runtime, hub, experiments, datasets)
    return Gateway(settings, runtime, hub, status, monitoring, auth, datasets, signals, experiments, notifications,
                   explorer, predictions=predictions, explanations=explanations, deployments=deployments,
                   campaigns=campaigns)


def create_app(settings: GatewaySettings | None = None, metrics: ServiceMetrics | None = None,
               store: ObjectStore | None = None) -> FastAPI:
    """The ASGI app: /api/v1 routes, /ws, health and metrics, around one Gateway."""
    from pfd_gateway.api import api_keys, auth, datasets, experiments, health, notifications, signals, system, users, ws
    from pfd_gateway.api.errors import install_error_handlers
    from pfd_gateway.api.http_metrics import HttpMetrics
    from pfd_gateway.api.middleware import RequestContextMiddleware
    from pfd_gateway.api.security import SecurityHeadersMiddleware
    from pfd_gateway.dashboard.app import mount_dashboard

    gateway = build_gateway(settings or GatewaySettings(), metrics, store)

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
    for router in (auth.router, api_keys.router, users.router, datasets.router, signals.router, *experiments.routers):
        app.include_router(router)
    app.include_router(notifications.router)
    from pfd_gateway.api import deployments as deployment_routes, registry
    app.include_router(deployment_routes.router)
    app.include_router(registry.router)
    from pfd_gateway.api import explanations as explanation_routes
    for router in explanation_routes.routers:
        app.include_router(router)
    from pfd_gateway.api import predict
    app.include_router(predict.router)
    from pfd_gateway.api import campaigns as campaign_routes
    app.include_router(campaign_routes.router)
    app.include_router(ws.router)
    install_error_handlers(app)
    if gateway.settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=gateway.settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"])
    app.add_middleware(RequestContextMiddleware, tracer_provider=gateway.runtime.tracer_provider,
                       metrics=HttpMetrics(gateway.runtime.metrics.registry))
    app.add_middleware(SecurityHeadersMiddleware, settings=gateway.settings.security_headers)
    mount_dashboard(app, gateway)  # the fallback for paths no route matches (routes added later keep precedence)
    return app
