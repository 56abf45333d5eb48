"""CampaignService: the campaign use cases of the API and the dashboard (create, list, show, stop, resume, promote
the best trial, export its config, the study for figures) and the runner's entry points.

A campaign is visible to its owner and to admins; anyone else's campaign looks exactly like a missing one.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import yaml
from optuna.trial import FrozenTrial
from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import new_envelope
from pfd_shared.events.campaigns import CampaignRequested

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.campaigns import states
from pfd_gateway.campaigns.runner import CAMPAIGN_TAG, CampaignRunner, ExperimentPort
from pfd_gateway.campaigns.space import CampaignSpec, problems, trial_config
from pfd_gateway.campaigns.study import Studies
from pfd_gateway.campaigns.tables import CampaignTables
from pfd_gateway.campaigns.views import CampaignDetail, CampaignPublic, ExportFormat, PromoteRequest, TrialPublic
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments.requests import check_dataset, resolve_config
from pfd_gateway.settings import CampaignSettings

PROMOTED_TAG = "promoted"


class CampaignService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: CampaignTables, outbox: Table,
                 relay: OutboxRelay, studies: Studies, experiments: ExperimentPort, datasets: Any,
                 settings: CampaignSettings, *, producer: str) -> None:
        self.sessions, self.tables, self.outbox, self.relay = sessions, tables, outbox, relay
        self.studies, self.experiments, self.datasets, self.settings = studies, experiments, datasets, settings
        self.producer = producer
        self.runner = CampaignRunner(sessions, tables, outbox, relay, studies, experiments, producer=producer)

    async def create(self, principal: Principal, spec: CampaignSpec) -> CampaignDetail:
        """Validate the campaign (space against the model catalogue and the training config's bounds, budget,
        data set) and request it; InvalidInput (422) naming the first bad field and every reason."""
        found = problems(spec, max_budget=self.settings.max_budget, max_parallelism=self.settings.max_parallelism,
                         max_grid_points=self.settings.max_grid_points)
        if found:
            raise InvalidInput(found[0].field, "; ".join(problem.message for problem in found))
        try:
            dataset = await self.datasets.get(principal, spec.dataset_id)
        except NotFound:
            raise InvalidInput("dataset_id", f"unknown data set {spec.dataset_id!r}") from None
        fixed = resolve_config(trial_config(spec, {}))  # the fixed part of every trial's config is valid
        check_dataset(dataset, fixed)
        campaign_id, now = uuid.uuid4().hex[:16], datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            await session.execute(insert(self.tables.campaigns).values(
                campaign_id=campaign_id, owner_id=principal.user_id, owner_role=principal.role.value, name=spec.name,
                dataset_id=spec.dataset_id, model=spec.model, objective=spec.objective, sampler=spec.sampler,
                pruner=spec.pruner, spec=spec.model_dump(mode="json"), epochs=fixed.epochs, status=states.REQUESTED,
                budget=spec.budget, parallelism=spec.parallelism, active=0, spent=0, created_at=now,
                updated_at=now))
            await self._request(session, campaign_id, principal.user_id, resume=False)
        self.relay.notify()
        return await self.get(principal, campaign_id)

    async def list(self, principal: Principal) -> list[CampaignPublic]:
        c = self.tables.campaigns
        query = select(c).order_by(c.c.created_at.desc())
        if not principal.is_admin:
            query = query.where(c.c.owner_id == principal.user_id)
        async with self.sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [CampaignPublic.model_validate(dict(row)) for row in rows]

    async def get(self, principal: Principal, campaign_id: str) -> CampaignDetail:
        """One campaign with its trials (by trial number) and its best trial."""
        row = await self._campaign(principal, campaign_id)
        t = self.tables.trials
        async with self.sessions() as session:
            trials = (await session.execute(select(t).where(t.c.campaign_id == campaign_id).order_by(
                t.c.trial_number).limit(self.settings.trials_shown))).mappings().all()
        return CampaignDetail.model_validate(row | {"trials": [TrialPublic.model_validate(dict(r)) for r in trials]})

    async def stop(self, principal: Principal, campaign_id: str) -> CampaignDetail:
        """Stop the campaign and cancel its running trials (CampaignStopped); Conflict when it is not running."""
        await self._campaign(principal, campaign_id)
        await self.runner.stop(campaign_id)
        return await self.get(principal, campaign_id)

    async def resume(self, principal: Principal, campaign_id: str) -> CampaignDetail:
        """Continue a stopped campaign's study (the same Optuna study: earlier trials inform the sampler)."""
        row = await self._campaign(principal, campaign_id)
        c = self.tables.campaigns
        async with self.sessions() as session, session.begin():
            moved = await session.execute(update(c).where(c.c.campaign_id == campaign_id,
                                                          c.c.status == states.STOPPED).values(
                status=states.RUNNING, updated_at=datetime.now(UTC)))
            if not moved.rowcount:  # type: ignore[attr-defined]
                raise Conflict("Only a stopped campaign can be resumed.")
            await self._request(session, campaign_id, row["owner_id"], resume=True)
        self.relay.notify()
        return await self.get(principal, campaign_id)

    async def promote(self, principal: Principal, campaign_id: str, request: PromoteRequest) -> Any:
        """A full experiment (``promote_epochs`` epochs unless asked otherwise) with the best trial's parameters."""
        row = await self._campaign(principal, campaign_id)
        spec, best = self._best(row)
        config = trial_config(spec, best, epochs=request.epochs or self.settings.promote_epochs)
        name = request.name or f"{row['name']} · best trial {row['best_trial']}"
        return await self.experiments.create(principal, name, row["dataset_id"], config,
                                             tags=[CAMPAIGN_TAG.format(campaign_id=campaign_id), PROMOTED_TAG])

    async def export(self, principal: Principal, campaign_id: str, fmt: ExportFormat) -> tuple[str, str]:
        """The best trial as a ready-to-train experiment request, as JSON or YAML text, and its media type."""
        row = await self._campaign(principal, campaign_id)
        spec, best = self._best(row)
        document = {"name": f"{row['name']} · best trial {row['best_trial']}", "dataset_id": row["dataset_id"],
                    "objective": row["objective"], "value": row["best_value"], "params": best,
                    "config": trial_config(spec, best)}
        if fmt == "yaml":
            return yaml.safe_dump(document, sort_keys=False), "application/yaml"
        return json.dumps(document, indent=2), "application/json"

    async def history(self, principal: Principal, campaign_id: str) -> tuple[CampaignDetail, list[FrozenTrial]]:
        """The campaign and its study's trials (parameters, values, intermediate values) for the figures."""
        detail = await self.get(principal, campaign_id)
        return detail, await asyncio.to_thread(self.studies.trials, campaign_id)

    @staticmethod
    def _best(row: dict[str, Any]) -> tuple[CampaignSpec, dict[str, Any]]:
        if not row.get("best_params"):
            raise Conflict("No trial of this campaign has completed yet.")
        return CampaignSpec.model_validate(row["spec"]), dict(row["best_params"])

    async def _campaign(self, principal: Principal, campaign_id: str) -> dict[str, Any]:
        c = self.tables.campaigns
        async with self.sessions() as session:
            row = (await session.execute(select(c).where(c.c.campaign_id == campaign_id))).mappings().first()
        if row is None or (row["owner_id"] != principal.user_id and not principal.is_admin):
            raise NotFound("No such campaign.")
        return dict(row)

    async def _request(self, session: AsyncSession, campaign_id: str, owner: str, *, resume: bool) -> None:
        envelope = new_envelope(CampaignRequested(campaign_id=campaign_id, resume=resume), producer=self.producer,
                                owner=owner)
        await add_to_outbox(session, self.outbox, envelope)
