"""Wiring of the Data Explorer into the gateway: the service and its subscriber (called by bootstrap)."""

from __future__ import annotations

from typing import Any

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.projections import (
    ProjectionCancelled,
    ProjectionCancelRequested,
    ProjectionFailed,
    ProjectionProgress,
    ProjectionReady,
    ProjectionRequested,
)
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.explorer.service import DataExplorer
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings

PROJECTION_OUTCOMES = (ProjectionProgress, ProjectionReady, ProjectionFailed, ProjectionCancelled)
COMMANDS = (ProjectionRequested, ProjectionCancelRequested)


def build_explorer(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub, datasets: DatasetCatalog,
                   store: ObjectStore) -> DataExplorer:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the explorer needs the gateway's database and outbox relay")
    explorer = DataExplorer(datasets, store, hub, runtime.database.sessions, runtime.database.outbox,
                            runtime.outbox_relay, settings.explorer, producer=settings.service_name)

    @runtime.bus.subscribe_batch(*PROJECTION_OUTCOMES, group_id=None, name="projection_push",
                                 max_records=settings.projection_batch_size)
    async def on_projection_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Track data-gen's projection progress and outcomes and push them to whoever asked (every instance)."""
        await explorer.project_events(batch)

    for published in COMMANDS:
        runtime.bus.documents(published)
    return explorer
