"""DeploymentService: export a trained run (request, list, show, cancel) and the projection of the deploy events.

A deployment and a model belong to whoever asked (admins see all); another user's looks like a missing one. A
request is checked before it goes out: the experiment is the caller's and evaluated, the run is evaluated and its
model neural (classical models have no ONNX export), the model name is free or already the caller's (the name is
reserved for them in the same transaction as the request).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.events import Envelope
from pfd_shared.events.deploy import VARIANTS, DeploymentCancelRequested, DeploymentRequested
from pfd_shared.training import MODEL_CATALOGUE

from pfd_gateway.auth.errors import Conflict, Forbidden, InvalidInput, NotFound
from pfd_gateway.deployments import projection, reads, states
from pfd_gateway.deployments.commands import CommandOutbox, build_command
from pfd_gateway.deployments.tables import DeploymentTables
from pfd_gateway.deployments.views import DeploymentPublic, DeploymentView
from pfd_gateway.domain.access import Principal, can_change
from pfd_gateway.experiments import reads as experiment_reads
from pfd_gateway.experiments import states as experiment_states
from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.experiments.tables import ExperimentTables
from pfd_gateway.experiments.views import ExperimentDetail, ExperimentPublic
from pfd_gateway.settings import DeploySettings

NEURAL_MODELS = tuple(name for name, info in MODEL_CATALOGUE.items() if info.family == "neural")
DEPLOYABLE = (experiment_states.EVALUATED, experiment_states.PARTIAL)  # experiments with an evaluated run
ID_CHARS = 16  # of a new deployment id (hex)


@dataclass(frozen=True)
class EvaluatedRun:
    run_id: str
    seed: int
    record_accuracy: float
    window_accuracy: float


class DeploymentService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: DeploymentTables,
                 experiment_tables: ExperimentTables, experiments: ExperimentService, commands: CommandOutbox,
                 settings: DeploySettings) -> None:
        self.sessions, self.tables, self.experiment_tables = sessions, tables, experiment_tables
        self.experiments, self.commands, self.settings = experiments, commands, settings

    # --- requesting and controlling ------------------------------------------------------------------------

    async def request(self, principal: Principal, experiment_id: str, model_name: str, *, run_id: str | None = None,
                      variants: Sequence[str] = VARIANTS, description: str = "") -> DeploymentPublic:
        """Export ``run_id`` (default: the evaluated run with the best record accuracy) as the next version of
        ``model_name``. InvalidInput (422) naming the field, NotFound (404) for an experiment the caller cannot see."""
        deployment_id = uuid.uuid4().hex[:ID_CHARS]
        variants = list(dict.fromkeys(variants))
        build_command(DeploymentRequested, "variants", deployment_id=deployment_id, experiment_id=experiment_id,
                      run_id=run_id or "pending", model_name=model_name, variants=variants,
                      description=description)  # the name, variants and description, before anything is read
        if model_name in states.RESERVED_NAMES:
            raise InvalidInput("model_name", f"{model_name!r} is reserved: choose another name")
        detail = await self.experiments.get(principal, experiment_id)
        if not can_change(principal, detail.owner_id):
            raise Forbidden("Only the experiment's owner (or an admin) can deploy it.")
        chosen = await self._chosen_run(detail, run_id)
        command = DeploymentRequested(deployment_id=deployment_id, experiment_id=experiment_id, run_id=chosen,
                                      model_name=model_name, variants=variants,
                                      description=description)
        try:
            await self._stage_request(principal, detail, command)
        except IntegrityError:  # another user reserved the name at the same moment
            raise InvalidInput("model_name", f"the name {model_name!r} belongs to another user's model") from None
        self.commands.sent()
        return await self.get(principal, deployment_id)

    async def cancel(self, principal: Principal, deployment_id: str) -> DeploymentPublic:
        row = await self._deployment(principal, deployment_id)
        d = self.tables.deployments
        async with self.sessions() as session, session.begin():
            status = (await session.execute(select(d.c.status).where(d.c.deployment_id == deployment_id)
                                            .with_for_update())).scalar_one()
            if not states.can_cancel(status):
                raise Conflict(f"The deployment is {status}: only a requested or running one can be cancelled.")
            await session.execute(update(d).where(d.c.deployment_id == deployment_id).values(
                status=states.CANCELLING, updated_at=datetime.now(UTC)))
            await self.commands.stage(session, DeploymentCancelRequested(deployment_id=deployment_id),
                                      row.owner_id)
        self.commands.sent()
        return await self.get(principal, deployment_id)

    # --- reading -------------------------------------------------------------------------------------------

    async def list(self, principal: Principal, limit: int | None = None) -> list[DeploymentPublic]:
        """The caller's deployments, newest first (admins: everyone's)."""
        bounded = min(limit or self.settings.deployments_listed, self.settings.deployments_listed)
        async with self.sessions() as session:
            return await reads.deployments(session, self.tables, [reads.owned(principal, self.tables.deployments.c
                                                                              .owner_id)], bounded)

    async def get(self, principal: Principal, deployment_id: str) -> DeploymentPublic:
        return await self._deployment(principal, deployment_id)

    async def view(self, principal: Principal, deployment_id: str) -> DeploymentView:
        """The deployment and, once exported, its version with the variants' benchmarks."""
        deployment = await self._deployment(principal, deployment_id)
        if deployment.version is None:
            return DeploymentView(deployment=deployment)
        async with self.sessions() as session:
            summaries = await reads.models(session, self.tables, [self.tables.models.c.model_name
                                                                  == deployment.model_name])
            pointers = summaries[0].aliases if summaries else {}
            versions = await reads.versions(session, self.tables, deployment.model_name, pointers)
        version = next((item for item in versions if item.version == deployment.version), None)
        return DeploymentView(deployment=deployment, version=version,
                              model_last_event_at=summaries[0].last_event_at if summaries else None)

    async def deployable(self, principal: Principal) -> list[ExperimentPublic]:
        """The caller's newest experiments that can be deployed: evaluated, of a neural model, their own."""
        query = ExperimentQuery(statuses=list(DEPLOYABLE), models=list(NEURAL_MODELS),
                                limit=self.settings.experiments_offered)
        page = await self.experiments.list(principal, query)
        return [item for item in page.items if can_change(principal, item.owner_id)]

    async def evaluated_runs(self, principal: Principal, experiment_id: str) -> list[EvaluatedRun]:
        """The evaluated runs of one of the caller's experiments, best record accuracy first."""
        await self.experiments.get(principal, experiment_id)
        async with self.sessions() as session:
            found = (await experiment_reads.evaluations(session, self.experiment_tables, [experiment_id]))
        runs = [EvaluatedRun(run.run_id, run.seed, run.record_accuracy, run.window_accuracy)
                for run in found.get(experiment_id, [])]
        return sorted(runs, key=lambda run: -run.record_accuracy)

    # --- projection ----------------------------------------------------------------------------------------

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply the deploy service's events to the read model, one transaction per batch (idempotent)."""
        async with self.sessions() as session, session.begin():
            for envelope, _ in sorted(batch, key=projection.lock_order):
                await projection.apply(session, self.tables, envelope)

    # --- internals -----------------------------------------------------------------------------------------

    async def _chosen_run(self, detail: ExperimentDetail, run_id: str | None) -> str:
        info = MODEL_CATALOGUE.get(detail.model)
        if info is None or info.family != "neural":
            raise InvalidInput("experiment_id", f"{detail.name!r} trains {detail.model}, a classical model: only "
                                                f"neural models are exported to ONNX")
        if detail.status not in DEPLOYABLE:
            raise InvalidInput("experiment_id", f"{detail.name!r} is not evaluated yet (it is {detail.status})")
        async with self.sessions() as session:
            found = await experiment_reads.evaluations(session, self.experiment_tables, [detail.experiment_id])
        runs = [(run.run_id, run.record_accuracy) for run in found.get(detail.experiment_id, [])]
        if run_id is None:
            best = states.best_run(runs)
            if best is None:
                raise InvalidInput("experiment_id", f"{detail.name!r} has no evaluated run")
            return best
        if run_id not in {candidate for candidate, _ in runs}:
            raise InvalidInput("run_id", "no evaluated run with this id in this experiment")
        return run_id

    async def _stage_request(self, principal: Principal, detail: ExperimentDetail,
                             command: DeploymentRequested) -> None:
        """Reserve the name (or check it is the caller's), record the deployment and stage the request."""
        m, now = self.tables.models, datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            owner = (await session.execute(select(m.c.owner_id).where(m.c.model_name == command.model_name)
                                           .with_for_update())).scalar()
            if owner is None:
                await session.execute(insert(m).values(model_name=command.model_name, owner_id=principal.user_id,
                                                       created_at=now, updated_at=now))
            elif not can_change(principal, owner):
                raise InvalidInput("model_name", f"the name {command.model_name!r} belongs to another user's model")
            await session.execute(insert(self.tables.deployments).values(
                deployment_id=command.deployment_id, owner_id=principal.user_id,
                experiment_id=detail.experiment_id, experiment_name=detail.name, run_id=command.run_id,
                model_name=command.model_name, variants=command.variants, description=command.description,
                status=states.REQUESTED, done=0, total=0, created_at=now, updated_at=now))
            await self.commands.stage(session, command, owner or principal.user_id)  # the model's owner: the
            # deploy service registers a version only for them (an admin may deploy into a member's model)

    async def _deployment(self, principal: Principal, deployment_id: str) -> DeploymentPublic:
        d = self.tables.deployments
        async with self.sessions() as session:
            row = (await session.execute(select(d).where(d.c.deployment_id == deployment_id, reads.owned(
                principal, d.c.owner_id)))).mappings().first()
        if row is None:
            raise NotFound("No such deployment.")
        return reads.deployment_view(dict(row))
