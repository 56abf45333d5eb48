"""Wiring of the deployment slice into the gateway: the services and their subscribers (called by bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pfd_shared.events.deploy import (
    DeploymentCancelRequested,
    DeploymentRequested,
    ModelAliasSetRequested,
    ModelVersionDeleteRequested,
)
from pfd_shared.events.envelope import Envelope
from pfd_shared.runtime.service import ServiceRuntime

from pfd_gateway.db import deployment_tables, experiment_tables
from pfd_gateway.deployments.commands import CommandOutbox
from pfd_gateway.deployments.projection import FACTS
from pfd_gateway.deployments.registry import ModelRegistry
from pfd_gateway.deployments.service import DeploymentService
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings

COMMANDS = (DeploymentRequested, DeploymentCancelRequested, ModelAliasSetRequested, ModelVersionDeleteRequested)


@dataclass(frozen=True)
class Deployments:
    """The deployment slice: exports (``service``) and the model registry (``registry``)."""

    service: DeploymentService
    registry: ModelRegistry


def build_deployments(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub,
                      experiments: ExperimentService) -> Deployments:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the deployment read model needs the gateway's database and outbox relay")
    sessions = runtime.database.sessions
    commands = CommandOutbox(runtime.database.outbox, runtime.outbox_relay, settings.service_name)
    service = DeploymentService(sessions, deployment_tables, experiment_tables, experiments, commands, settings.deploy)
    registry = ModelRegistry(sessions, deployment_tables, commands, settings.deploy)

    @runtime.bus.subscribe_batch(*FACTS, group_id=settings.service_name, name="deployment_views",
                                 max_records=settings.projection_batch_size)
    async def on_deploy_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project the deploy service's events into the deployment and registry read model (once per deployment)."""
        await service.project(batch)

    @runtime.bus.subscribe_batch(*FACTS, group_id=None, name="deployment_push",
                                 max_records=settings.projection_batch_size)
    async def push_deploy_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push deploy events (progress, versions, benchmarks, aliases) to their owners' browsers (every instance)."""
        hub.push_events(batch)

    for published in COMMANDS:
        runtime.bus.documents(published)
    return Deployments(service, registry)
