"""ExplanationService: the gateway's explanation use cases (what can be explained, request, list, show, arrays,
cancel) and the projection of the xai service's outcomes.

A request is validated up front (unknown run 404; classical model, method that does not apply, parameter or
window out of range 422 with the reason), then goes out through the outbox as ExplanationRequested with its row.
The same question asked again by the same user is answered by the existing row (ready or still running); the xai
service also answers repeats from its own cache. Only the owner (or an admin) sees an explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from pfd_shared.events import Envelope
from pfd_shared.events.xai import ExplanationCancelRequested, ExplanationInput, ExplanationRequested
from pfd_shared.training import MODEL_CATALOGUE

from pfd_gateway.auth.errors import Conflict, InvalidInput
from pfd_gateway.auth.shares import ShareService
from pfd_gateway.datasets import states as dataset_states
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments import states as run_states
from pfd_gateway.experiments.tables import RESOURCE_TYPE, ExperimentTables
from pfd_gateway.explanations import arrays, projection, requests, states
from pfd_gateway.explanations.runs import ExplainedRuns, new_id
from pfd_gateway.explanations.views import (
    AttributionsPublic,
    DatasetChoice,
    ExplainableExperiment,
    ExplainableRun,
    ExplanationPublic,
    ExplanationView,
    XaiChoices,
)

WHAT = "explanation"
REUSED = frozenset({*states.ACTIVE - {states.CANCELLING}, states.READY})


class ExplanationService(ExplainedRuns):
    async def request(self, principal: Principal, experiment_id: str, run_id: str, source: ExplanationInput,
                      methods: Mapping[str, Mapping[str, Any]], target: int | None = None,
                      randomisation_check: bool = False) -> ExplanationPublic:
        """Validate, then request (or answer with the caller's identical earlier explanation)."""
        context = await self.run_context(principal, experiment_id, run_id)
        resolved = requests.resolve_methods(context.model, methods)
        requests.check_target(target, context.class_names)
        if source.dataset_id is None:
            raise InvalidInput("input.signal_key", "the gateway explains data-set records; pick a record")
        dataset = await self.datasets.get(principal, source.dataset_id)
        requests.check_dataset(dataset, context.sample_rate_hz)
        requests.check_window(dataset, int(source.record or 0), source.window, context.window_length)
        rate = dataset.get("sample_rate_hz") or context.sample_rate_hz
        ask = {"run_id": run_id, "input": source.model_dump(mode="json"), "methods": resolved, "target": target,
               "randomisation_check": randomisation_check}
        digest = requests.request_hash(**ask)
        if (earlier := await self.reusable_row(principal, self.tables.explanations, digest, REUSED)) is not None:
            return ExplanationPublic.model_validate(earlier)
        explanation_id, now = new_id(), datetime.now(UTC)
        command = ExplanationRequested(explanation_id=explanation_id, experiment_id=experiment_id, run_id=run_id,
                                       input=source, methods=resolved, target=target,
                                       randomisation_check=randomisation_check)
        values = {"explanation_id": explanation_id, "owner_id": principal.user_id, "experiment_id": experiment_id,
                  "run_id": run_id, "request_hash": digest, "status": states.REQUESTED, "cached": False,
                  "dataset_id": source.dataset_id, "record": source.record, "window": source.window,
                  "input": ask["input"], "methods": resolved, "target": target,
                  "randomisation_check": randomisation_check, "sample_rate_hz": rate,
                  "class_names": context.class_names or None, "done": 0, "total": 0, "created_at": now,
                  "updated_at": now}
        await self.insert_and_send(self.tables.explanations, values, self.envelope(command, principal.user_id))
        return await self.get(principal, explanation_id)

    async def list(self, principal: Principal, experiment_id: str | None = None,
                   run_id: str | None = None) -> list[ExplanationPublic]:
        """The caller's explanations (all of them for admins), newest first."""
        rows = await self.owned_rows(principal, self.tables.explanations, experiment_id=experiment_id, run_id=run_id)
        return [ExplanationPublic.model_validate(row) for row in rows]

    async def get(self, principal: Principal, explanation_id: str) -> ExplanationPublic:
        return ExplanationPublic.model_validate(await self._row(principal, explanation_id))

    async def attributions(self, principal: Principal, explanation_id: str) -> AttributionsPublic:
        """The ready explanation's arrays (window, attributions per method, bands) read from the object store."""
        row = await self._row(principal, explanation_id)
        if row["status"] != states.READY or not row["attributions_key"]:
            raise Conflict(f"The explanation is {row['status']}: its attributions are not stored yet.")
        return arrays.attributions(explanation_id, await self.read_arrays(row["attributions_key"]), row)

    async def view(self, principal: Principal, explanation_id: str) -> ExplanationView:
        """What the XAI page shows: the explanation and, once ready, its arrays."""
        found = await self.get(principal, explanation_id)
        ready = found.status == states.READY and found.attributions_key
        return ExplanationView(explanation=found,
                               arrays=await self.attributions(principal, explanation_id) if ready else None)

    async def cancel(self, principal: Principal, explanation_id: str) -> ExplanationPublic:
        """Ask the xai service to stop (its ExplanationFailed(cancelled) then finishes the row)."""
        row = await self._row(principal, explanation_id)
        if not states.can_cancel(row["status"]):
            raise Conflict(f"The explanation is {row['status']}: there is nothing to cancel.")
        t = self.tables.explanations
        envelope = self.envelope(ExplanationCancelRequested(explanation_id=explanation_id), row["owner_id"])
        async with self.sessions() as session, session.begin():
            await session.execute(update(t).where(t.c.explanation_id == explanation_id, t.c.status.in_(
                (states.REQUESTED, states.RUNNING))).values(status=states.CANCELLING, updated_at=datetime.now(UTC)))
        await self.send(envelope)
        return await self.get(principal, explanation_id)

    async def explainable(self, principal: Principal) -> list[ExplainableExperiment]:
        """The visible experiments with evaluated neural runs (newest first), for the XAI page's chooser."""
        t: ExperimentTables = self.experiments.tables
        e, r = t.experiments.c, t.runs.c
        neural = [name for name, info in MODEL_CATALOGUE.items() if info.input == "signal"]
        newest = (select(e.experiment_id).where(
            ShareService.visible_clause(principal, RESOURCE_TYPE, e.experiment_id, e.owner_id), e.model.in_(neural),
            e.experiment_id.in_(select(r.experiment_id).where(r.status == run_states.EVALUATED)))
            .order_by(e.created_at.desc()).limit(self.settings.experiments_offered))
        query = (select(e.experiment_id, e.name, e.model, e.dataset_id, e.config, r.run_id, r.seed)
                 .join(t.runs, r.experiment_id == e.experiment_id)
                 .where(e.experiment_id.in_(newest), r.status == run_states.EVALUATED)
                 .order_by(e.created_at.desc(), r.run_index))
        async with self.sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return explainable_experiments([dict(row) for row in rows])

    async def choices(self, principal: Principal) -> XaiChoices:
        """The XAI page's choosers: explainable experiments and the caller's ready data sets."""
        ready = [row for row in await self.datasets.list(principal)
                 if row["status"] == dataset_states.READY and row["object_key"]]
        return XaiChoices(experiments=await self.explainable(principal), datasets=[DatasetChoice(
            dataset_id=row["dataset_id"], name=row["name"], records=int(row["records"] or 0),
            samples_per_record=int(row["samples_per_record"] or 0)) for row in ready])

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply the xai service's events to the read model, one transaction per batch (idempotent)."""
        async with self.sessions() as session, session.begin():
            for envelope, _ in batch:
                await projection.apply(session, self.tables, envelope)

    async def _row(self, principal: Principal, explanation_id: str) -> dict[str, Any]:
        return await self.owned_row(principal, self.tables.explanations, "explanation_id", explanation_id, WHAT)


def explainable_experiments(rows: list[dict[str, Any]]) -> list[ExplainableExperiment]:
    """Group (experiment, run) rows into experiments with their runs, in the rows' order."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        info = MODEL_CATALOGUE[row["model"]]
        entry = grouped.setdefault(row["experiment_id"], {
            "experiment_id": row["experiment_id"], "name": row["name"], "model": row["model"],
            "dataset_id": row["dataset_id"], "window_length": int((row["config"].get("window") or {}).get("length", 0)),
            "has_conv": info.has_conv, "runs": []})
        entry["runs"].append(ExplainableRun(run_id=row["run_id"], seed=row["seed"]))
    return [ExplainableExperiment(**entry) for entry in grouped.values()]
