"""Wiring of the explanations slice into the gateway: the services and their subscribers (called by bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.xai import EmbeddingRequested, ExplanationCancelRequested, ExplanationRequested
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.db import explanation_tables
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.explanations.embeddings import EmbeddingService
from pfd_gateway.explanations.projection import OUTCOMES, PROJECTED
from pfd_gateway.explanations.service import ExplanationService
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings

COMMANDS = (ExplanationRequested, ExplanationCancelRequested, EmbeddingRequested)


@dataclass(frozen=True)
class Explanations:
    """The slice's two services (the app and the XAI page reach them as ``gateway.explanations``)."""

    explanations: ExplanationService
    embeddings: EmbeddingService


def build_explanations(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub,
                       experiments: ExperimentService, datasets: DatasetCatalog, store: ObjectStore) -> Explanations:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the explanation read model needs the gateway's database and outbox relay")
    shared = (runtime.database.sessions, explanation_tables, runtime.database.outbox, runtime.outbox_relay,
              experiments, datasets, store, settings.explanations)
    explanations = ExplanationService(*shared, producer=settings.service_name)
    embeddings = EmbeddingService(*shared, producer=settings.service_name)

    @runtime.bus.subscribe_batch(*PROJECTED, group_id=settings.service_name, name="explanation_views",
                                 max_records=settings.projection_batch_size)
    async def on_xai_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project the xai service's outcomes into the explanation read model (once per gateway deployment)."""
        await explanations.project(batch)

    @runtime.bus.subscribe_batch(*OUTCOMES, group_id=None, name="explanation_push",
                                 max_records=settings.projection_batch_size)
    async def push_xai_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push explanation progress and outcomes to their owners' browsers (every gateway instance)."""
        hub.push_events(batch)

    for published in COMMANDS:
        runtime.bus.documents(published)
    return Explanations(explanations, embeddings)
