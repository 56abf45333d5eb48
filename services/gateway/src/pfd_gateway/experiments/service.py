"""ExperimentService: the gateway's experiment use cases (create, list, show, curves, logs, results, compare,
cancel, resume, delete, tags, saved searches, worker availability) and the projection of training events.

Every method takes the caller's Principal: members see their own experiments and those shared with them,
admins see all; another user's experiment looks exactly like a missing one (NotFound).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.training import (
    ExperimentDeleteRequested,
    TrainingCancelRequested,
    TrainingRequested,
    TrainingResumeRequested,
)
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.telemetry.logging import correlation_id_var
from pfd_shared.training import MODEL_CATALOGUE, ModelInfo

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.auth.shares import ShareService
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.domain.system_status import StatusBoard
from pfd_gateway.experiments import compare as comparing
from pfd_gateway.experiments import projection, reads, states
from pfd_gateway.experiments.query import ExperimentQuery, filters
from pfd_gateway.experiments.requests import check_dataset, clean_tags, resolve_config
from pfd_gateway.experiments.tables import RESOURCE_TYPE, ExperimentTables
from pfd_gateway.experiments.views import (
    ComparisonPublic,
    EpochPublic,
    ExperimentDetail,
    ExperimentPage,
    ExperimentPublic,
    LogLinePublic,
    ResultsPublic,
    RunPublic,
    SavedSearchPublic,
    WorkerAvailability,
)
from pfd_gateway.settings import ExperimentSettings


class ExperimentService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: ExperimentTables, outbox: Table,
                 relay: OutboxRelay, shares: ShareService, datasets: DatasetCatalog, store: ObjectStore,
                 board: StatusBoard, settings: ExperimentSettings, *, producer: str) -> None:
        self.sessions, self.tables, self.outbox, self.relay = sessions, tables, outbox, relay
        self.shares, self.datasets, self.store, self.board = shares, datasets, store, board
        self.settings, self.producer = settings, producer

    # --- creating and controlling --------------------------------------------------------------------------

    async def create(self, principal: Principal, name: str, dataset_id: str, config: dict[str, Any],
                     tags: Sequence[str] = ()) -> ExperimentDetail:
        """One experiment row, one run per seed and one TrainingRequested per run, in one transaction.

        InvalidInput (422) naming the field for a bad config, a data set that is not ready or whose records are
        shorter than the window; NotFound (404) for an unknown data set or one the caller may not see.
        """
        training = resolve_config(config)
        cleaned = clean_tags(list(tags))
        if len(cleaned) > self.settings.max_tags:
            raise InvalidInput("tags", f"an experiment has at most {self.settings.max_tags} tags")
        dataset = await self.datasets.get(principal, dataset_id)
        check_dataset(dataset, training)
        experiment_id, now = _new_id(), datetime.now(UTC)
        config_json = training.model_dump(mode="json")
        runs = [(_new_id(), seed, index) for index, seed in enumerate(training.seeds)]
        envelopes = [self._envelope(TrainingRequested(
            experiment_id=experiment_id, run_id=run_id, dataset_id=dataset_id, name=name, config=config_json,
            seed=seed, run_index=index, run_count=len(runs)), principal.user_id) for run_id, seed, index in runs]
        t = self.tables
        async with self.sessions() as session, session.begin():
            await session.execute(insert(t.experiments).values(
                experiment_id=experiment_id, owner_id=principal.user_id, name=name, dataset_id=dataset_id,
                dataset_name=dataset["name"], model=training.model, preset=training.preset,
                status=states.REQUESTED, run_count=len(runs), runs_done=0, config=config_json,
                created_at=now, updated_at=now))
            await session.execute(insert(t.runs), [
                {"run_id": run_id, "experiment_id": experiment_id, "owner_id": principal.user_id, "seed": seed,
                 "run_index": index, "status": states.REQUESTED, "status_at": states.NO_EVENT_YET, "epoch": 0,
                 "start_epoch": 0, "epochs": training.epochs, "updated_at": now} for run_id, seed, index in runs])
            if cleaned:
                await session.execute(insert(t.tags), [{"experiment_id": experiment_id, "tag": tag} for tag in cleaned])
            for envelope in envelopes:
                await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()
        return await self.get(principal, experiment_id)

    async def cancel(self, principal: Principal, experiment_id: str) -> ExperimentDetail:
        """Ask the training service to stop every queued or running run (TrainingCancelRequested per run)."""
        return await self._control(principal, experiment_id, states.can_cancel, states.CANCELLING,
                                   TrainingCancelRequested, "No run of this experiment is queued or running.")

    async def resume(self, principal: Principal, experiment_id: str) -> ExperimentDetail:
        """Resume every cancelled or failed run from its last checkpoint (TrainingResumeRequested per run)."""
        return await self._control(principal, experiment_id, states.can_resume, states.RESUMING,
                                   TrainingResumeRequested, "No run of this experiment is cancelled or failed.")

    async def delete(self, principal: Principal, experiment_id: str) -> None:
        """Mark the experiment deleting and publish ExperimentDeleteRequested; ExperimentDeleted removes it."""
        row = await self._experiment(principal, experiment_id, write=True)
        if row["status"] == states.DELETING:
            raise Conflict("The experiment is already being deleted.")
        envelope = self._envelope(ExperimentDeleteRequested(experiment_id=experiment_id), row["owner_id"])
        async with self.sessions() as session, session.begin():
            await session.execute(update(self.tables.experiments).where(
                self.tables.experiments.c.experiment_id == experiment_id).values(
                status=states.DELETING, updated_at=datetime.now(UTC)))
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()

    async def set_tags(self, principal: Principal, experiment_id: str, add: Sequence[str] = (),
                       remove: Sequence[str] = ()) -> ExperimentPublic:
        """Add and remove tags (owner or admin); adding a tag twice is harmless."""
        await self._experiment(principal, experiment_id, write=True)
        added, removed = clean_tags(list(add), field="add"), clean_tags(list(remove), field="remove")
        t = self.tables.tags
        async with self.sessions() as session, session.begin():
            if removed:
                await session.execute(delete(t).where(t.c.experiment_id == experiment_id, t.c.tag.in_(removed)))
            existing = set((await session.execute(select(t.c.tag).where(t.c.experiment_id == experiment_id))).scalars())
            new = [tag for tag in added if tag not in existing]
            if len(existing) + len(new) > self.settings.max_tags:
                raise InvalidInput("add", f"an experiment has at most {self.settings.max_tags} tags")
            if new:
                await session.execute(insert(t), [{"experiment_id": experiment_id, "tag": tag} for tag in new])
        return (await self._summaries([experiment_id]))[0]

    async def clone_config(self, principal: Principal, experiment_id: str) -> dict[str, Any]:
        """What "clone from experiment" pre-fills: name, data set, tags and the full training config."""
        detail = await self.get(principal, experiment_id)
        return {"name": f"{detail.name} (copy)", "dataset_id": detail.dataset_id, "config": detail.config,
                "tags": detail.tags}

    # --- reading -------------------------------------------------------------------------------------------

    async def list(self, principal: Principal, query: ExperimentQuery) -> ExperimentPage:
        """One page of the experiments the caller may see, filtered and sorted in the database."""
        e = self.tables.experiments.c
        where = [ShareService.visible_clause(principal, RESOURCE_TYPE, e.experiment_id, e.owner_id),
                 *filters(self.tables, query)]
        async with self.sessions() as session:
            total, items = await reads.page(session, self.tables, query, where)
        return ExperimentPage(items=items, total=total, offset=query.offset, limit=query.limit)

    async def facets(self, principal: Principal) -> dict[str, list[str]]:
        """The filter choices of the caller's visible experiments: models, data sets, statuses, tags, owners."""
        e = self.tables.experiments.c
        visible = ShareService.visible_clause(principal, RESOURCE_TYPE, e.experiment_id, e.owner_id)
        async with self.sessions() as session:
            return await reads.facets(session, self.tables, visible)

    async def get(self, principal: Principal, experiment_id: str) -> ExperimentDetail:
        """One experiment with its runs (progress, ETA) and, while runs wait, whether a worker is alive."""
        row = await self._experiment(principal, experiment_id)
        summary = (await self._summaries([row["experiment_id"]]))[0]
        async with self.sessions() as session:
            runs = await reads.runs(session, self.tables, experiment_id, datetime.now(UTC))
        waiting = any(run.status in states.WAITING for run in runs)
        return ExperimentDetail(**summary.model_dump(), runs=runs, worker=self.workers() if waiting else None)

    async def runs(self, principal: Principal, experiment_id: str) -> list[RunPublic]:
        """The runs (seeds) of one experiment, with their progress and ETA."""
        await self._experiment(principal, experiment_id)
        async with self.sessions() as session:
            return await reads.runs(session, self.tables, experiment_id, datetime.now(UTC))

    async def epochs(self, principal: Principal, experiment_id: str, run_id: str) -> list[EpochPublic]:
        """The epoch history (curves) of one run, in epoch order."""
        await self._run(principal, experiment_id, run_id)
        async with self.sessions() as session:
            return (await reads.epochs(session, self.tables, [run_id])).get(run_id, [])

    async def logs(self, principal: Principal, experiment_id: str, run_id: str, *, after_id: int | None = None,
                   limit: int | None = None) -> list[LogLinePublic]:
        """The newest log lines of one run (at most ``limit``, bounded by the settings), oldest first;
        ``after_id`` returns only lines newer than one already shown."""
        await self._run(principal, experiment_id, run_id)
        bounded = min(limit or self.settings.log_lines_shown, self.settings.log_lines_shown)
        async with self.sessions() as session:
            return await reads.logs(session, self.tables, run_id, after_id, bounded)

    async def results(self, principal: Principal, experiment_id: str, run_id: str | None = None) -> ResultsPublic:
        """Every evaluated run's figures, mean ± std per metric, and one run's full report read from S3
        (``run_id``, default: the first evaluated run)."""
        await self._experiment(principal, experiment_id)
        (summary,) = await self._summaries([experiment_id])
        async with self.sessions() as session:
            evaluations = await reads.evaluations(session, self.tables, [experiment_id])
        runs = evaluations.get(experiment_id, [])
        if run_id is not None and run_id not in {run.run_id for run in runs}:
            raise NotFound("No evaluated run with this id in this experiment.")
        chosen = run_id or (runs[0].run_id if runs else None)
        report, error = None, None
        if chosen is not None:
            key = next(run.report_key for run in runs if run.run_id == chosen)
            report, error = await self._report(key)
        return ResultsPublic(experiment_id=experiment_id, dataset_id=summary.dataset_id, runs=runs,
                             run_id=chosen, report=report, report_error=error, metrics=summary.metrics)

    async def compare(self, principal: Principal, experiment_ids: Sequence[str]) -> ComparisonPublic:
        """2-5 experiments side by side: mean ± std metrics, config diff, curves, McNemar on shared test records."""
        ids = list(dict.fromkeys(experiment_ids))
        low, high = self.settings.compare_min, self.settings.compare_max
        if not low <= len(ids) <= high:
            raise InvalidInput("ids", f"compare {low} to {high} different experiments, not {len(ids)}")
        for experiment_id in ids:
            await self._experiment(principal, experiment_id)
        summaries = await self._summaries(ids)
        async with self.sessions() as session:
            run_ids = await reads.run_ids(session, self.tables, ids)
            curves = await reads.epochs(session, self.tables, [r for runs in run_ids.values() for r in runs])
            evaluations = await reads.evaluations(session, self.tables, ids)
        reports: dict[str, dict[str, Any] | None] = {}
        for experiment_id in ids:
            first = evaluations.get(experiment_id, [])
            reports[experiment_id] = (await self._report(first[0].report_key))[0] if first else None
        return comparing.comparison(summaries, {e: {r: curves.get(r, []) for r in run_ids.get(e, [])} for e in ids},
                                    reports)

    def workers(self) -> WorkerAvailability:
        """Live training workers (from the status reports) that take jobs; the message says when there are none,
        so queued runs do not leave the user guessing."""
        live = [status.report for status in self.board.snapshot()
                if status.report.service == self.settings.training_service and status.report.ready
                and (status.report.capacity is None or status.report.capacity.slots > 0)]
        slots = sum(report.capacity.slots for report in live if report.capacity is not None)
        busy = sum(report.capacity.busy for report in live if report.capacity is not None)
        message = None if live else ("No training worker is running: queued runs wait until one starts "
                                     "(start the training service).")
        return WorkerAvailability(live_workers=len(live), instances=[report.instance_id for report in live],
                                  slots=slots, busy=busy, message=message)

    @staticmethod
    def catalogue() -> list[ModelInfo]:
        """The models a run can train (torch-free catalogue): presets, parameter ranges, minimum window."""
        return list(MODEL_CATALOGUE.values())

    # --- saved searches ------------------------------------------------------------------------------------

    async def searches(self, principal: Principal) -> list[SavedSearchPublic]:
        s = self.tables.searches.c
        query = select(self.tables.searches).where(s.user_id == principal.user_id).order_by(s.name)
        async with self.sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [SavedSearchPublic.model_validate(dict(row)) for row in rows]

    async def save_search(self, principal: Principal, name: str, query: ExperimentQuery) -> SavedSearchPublic:
        """Save (or overwrite, by name) one of the caller's searches; paging is not part of a search."""
        s = self.tables.searches
        stored = query.model_dump(mode="json", exclude={"offset"})
        row = {"search_id": str(uuid.uuid4()), "user_id": principal.user_id, "name": name, "query": stored,
               "created_at": datetime.now(UTC)}
        try:
            async with self.sessions() as session, session.begin():
                await session.execute(insert(s).values(**row))
        except IntegrityError:
            async with self.sessions() as session, session.begin():
                await session.execute(update(s).where(s.c.user_id == principal.user_id, s.c.name == name).values(
                    query=stored, created_at=row["created_at"]))
        return next(search for search in await self.searches(principal) if search.name == name)

    async def delete_search(self, principal: Principal, search_id: str) -> None:
        s = self.tables.searches
        async with self.sessions() as session, session.begin():
            result = await session.execute(delete(s).where(s.c.search_id == search_id,
                                                           s.c.user_id == principal.user_id))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound("No such saved search.")

    # --- projection ----------------------------------------------------------------------------------------

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply the training service's events to the read model, one transaction per batch (idempotent)."""
        async with self.sessions() as session, session.begin():
            for envelope, _ in sorted(batch, key=projection.lock_order):
                await projection.apply(session, self.tables, envelope, self.settings.log_lines_kept)

    # --- internals -----------------------------------------------------------------------------------------

    async def _control(self, principal: Principal, experiment_id: str, allowed: Callable[[str], bool], status: str,
                       command: type[TrainingCancelRequested | TrainingResumeRequested],
                       refusal: str) -> ExperimentDetail:
        row = await self._experiment(principal, experiment_id, write=True)
        if row["status"] == states.DELETING:
            raise Conflict("The experiment is being deleted.")
        r = self.tables.runs
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            runs = (await session.execute(select(r.c.run_id, r.c.status).where(
                r.c.experiment_id == experiment_id).order_by(r.c.run_id).with_for_update())).all()  # lock order
            targets = [run_id for run_id, run_status in runs if allowed(run_status)]
            if not targets:
                raise Conflict(refusal)
            cleared = {"error": None} if command is TrainingResumeRequested else {}
            await session.execute(update(r).where(r.c.run_id.in_(targets)).values(
                status=status, updated_at=now, **cleared))  # status_at stays the last worker event's time
            for run_id in targets:
                await add_to_outbox(session, self.outbox, self._envelope(
                    command(experiment_id=experiment_id, run_id=run_id), row["owner_id"]))
            await projection.refresh_experiment(session, self.tables, experiment_id, now)
        self.relay.notify()
        return await self.get(principal, experiment_id)

    async def _experiment(self, principal: Principal, experiment_id: str, *, write: bool = False) -> dict[str, Any]:
        e = self.tables.experiments
        async with self.sessions() as session:
            row = (await session.execute(select(e.c.experiment_id, e.c.owner_id, e.c.status).where(
                e.c.experiment_id == experiment_id))).mappings().first()
        if row is None:
            raise NotFound("No such experiment.")
        await self.shares.ensure_access(principal, RESOURCE_TYPE, experiment_id, row["owner_id"], write=write)
        return dict(row)

    async def _run(self, principal: Principal, experiment_id: str, run_id: str) -> None:
        await self._experiment(principal, experiment_id)
        r = self.tables.runs.c
        async with self.sessions() as session:
            found = (await session.execute(select(r.run_id).where(
                r.run_id == run_id, r.experiment_id == experiment_id))).first()
        if found is None:
            raise NotFound("No such run in this experiment.")

    async def _summaries(self, experiment_ids: Sequence[str]) -> list[ExperimentPublic]:
        async with self.sessions() as session:
            return await reads.summaries(session, self.tables, experiment_ids)

    async def _report(self, key: str) -> tuple[dict[str, Any] | None, str | None]:
        """The full evaluation report at ``key`` (None and the reason when it cannot be read)."""
        try:
            data = await asyncio.to_thread(self.store.get_bytes, key)
            report = json.loads(data)
        except StorageError as exc:
            return None, f"The evaluation report could not be read: {exc}"
        except ValueError:
            return None, "The evaluation report is not valid JSON."
        return (report, None) if isinstance(report, dict) else (None, "The evaluation report is not a JSON object.")

    def _envelope(self, payload: EventPayload, owner: str) -> Envelope[Any]:
        correlation = correlation_id_var.get()
        return new_envelope(payload, producer=self.producer, owner=owner,
                            correlation_id=uuid.UUID(correlation) if correlation else None)


def _new_id() -> str:
    return uuid.uuid4().hex[:16]
