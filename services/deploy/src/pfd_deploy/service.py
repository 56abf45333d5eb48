"""DeployService: the use-cases behind deploy's subscribers — deployments (deployments.py), aliases and their
history, deleting a version, and the trained runs learnt from training's events. Every registry change and the
event announcing it commit together (outbox); a redelivered event changes nothing twice (processed events)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pfd_shared.db.idempotency import handle_once
from pfd_shared.events import Envelope
from pfd_shared.events.deploy import (
    DeploymentCancelRequested,
    DeploymentRequested,
    ModelAliasChanged,
    ModelAliasSetRequested,
    ModelVersionDeleted,
    ModelVersionDeleteRequested,
)
from pfd_shared.events.training import EvaluationCompleted, ExperimentDeleted, TrainingCompleted, TrainingRequested
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.keys import model_version_prefix

from pfd_deploy import catalog
from pfd_deploy.deployments import CONSUMER_GROUP, Deployments
from pfd_deploy.registry import queries
from pfd_deploy.registry.rules import DELETED, alias_refusal, delete_refusal
from pfd_deploy.registry.store import RegistryStore
from pfd_deploy.settings import DeploySettings

log = logging.getLogger(__name__)
TEST_METRICS = {"window_accuracy": "test_window_accuracy", "record_accuracy": "test_record_accuracy",
                "macro_f1": "test_macro_f1"}


class DeployService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, registry: RegistryStore,
                 settings: DeploySettings) -> None:
        if runtime.database is None:
            raise ValueError("deploy needs its database")
        self.runtime, self.store, self.registry = runtime, store, registry
        self.sessions = runtime.database.sessions
        self.processed = runtime.database.tables.processed_events
        self.deployments = Deployments(runtime, store, registry, settings)

    async def deploy(self, envelope: Envelope[DeploymentRequested]) -> None:
        await self.deployments.deploy(envelope)

    def cancel(self, envelope: Envelope[DeploymentCancelRequested]) -> None:
        self.deployments.cancel(envelope)

    async def _once(self, envelope: Envelope[Any], work: Any) -> None:
        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)
        self.registry.committed()

    # aliases and versions --------------------------------------------------------------------------------
    async def set_alias(self, envelope: Envelope[ModelAliasSetRequested]) -> None:
        """Move the alias (one history line) or refuse with the reason; ModelAliasChanged either way."""
        request = envelope.payload

        async def work(session: Any) -> None:
            current = await queries.alias_version(session, request.model_name, request.alias)
            if await queries.get_model(session, request.model_name) is None:
                refusal: str | None = f"unknown model {request.model_name!r}"
            else:
                version = (await queries.get_version(session, request.model_name, request.version)
                           if request.version is not None else None)
                refusal = alias_refusal(request.model_name, request.alias, request.version, current, version)
            if refusal is None:
                current = await queries.move_alias(session, request.model_name, request.alias, request.version,
                                                   actor=request.actor, reason=request.reason,
                                                   event_id=str(envelope.event_id))
            else:
                log.info("alias %s of %s not moved: %s", request.alias, request.model_name, refusal)
            await self.registry.stage(session, ModelAliasChanged(
                model_name=request.model_name, alias=request.alias, version=request.version, previous_version=current,
                actor=request.actor, reason=request.reason, refused_reason=refusal), cause=envelope)

        await self._once(envelope, work)

    async def delete_version(self, envelope: Envelope[ModelVersionDeleteRequested]) -> None:
        """Delete the version's files and mark it deleted, unless refused (unknown, aliased): ModelVersionDeleted."""
        request = envelope.payload
        name, number = request.model_name, request.version
        async with self.sessions() as session:
            refusal = delete_refusal(name, number, await queries.get_version(session, name, number),
                                     await queries.aliases_of(session, name))
        if refusal is None:
            removed = await asyncio.to_thread(self.store.delete_prefix, model_version_prefix(name, number))
            log.info("version %s of %s: %d file(s) deleted by %s", number, name, removed, request.actor)

        async def work(session: Any) -> None:
            if refusal is None:
                await queries.set_status(session, name, number, DELETED, f"deleted by {request.actor}")
            await self.registry.stage(session, ModelVersionDeleted(model_name=name, version=number,
                                                                   refused_reason=refusal), cause=envelope)

        await self._once(envelope, work)

    # trained runs (training's events) --------------------------------------------------------------------
    async def record_requested(self, envelope: Envelope[TrainingRequested]) -> None:
        event = envelope.payload

        async def work(session: Any) -> None:
            await catalog.record_run(session, event.run_id, event.experiment_id, dataset_id=event.dataset_id,
                                     architecture=event.config.get("model"))

        await self._once(envelope, work)

    async def record_completed(self, envelope: Envelope[TrainingCompleted]) -> None:
        event = envelope.payload

        async def work(session: Any) -> None:
            await catalog.record_run(session, event.run_id, event.experiment_id, metrics=event.metrics,
                                     model_key=event.artefacts.get("model"))

        await self._once(envelope, work)

    async def record_evaluation(self, envelope: Envelope[EvaluationCompleted]) -> None:
        event = envelope.payload
        metrics = {name: float(getattr(event, field)) for field, name in TEST_METRICS.items()}

        async def work(session: Any) -> None:
            await catalog.record_run(session, event.run_id, event.experiment_id, metrics=metrics,
                                     dataset_id=event.dataset_id)

        await self._once(envelope, work)

    async def forget_experiment(self, envelope: Envelope[ExperimentDeleted]) -> None:
        """The experiment's runs can no longer be deployed (registered versions keep their own files)."""

        async def work(session: Any) -> None:
            await catalog.forget_experiment(session, envelope.payload.experiment_id)

        await self._once(envelope, work)
