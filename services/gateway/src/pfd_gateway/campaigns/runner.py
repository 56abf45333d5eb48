"""The campaign runner: event-driven, idempotent orchestration of a campaign's Optuna study over experiments.

CampaignRequested fills the campaign's free trial slots (ask → one experiment per trial → TrialStarted); a trial's
EpochCompleted is reported to the study and may prune it (its experiment is cancelled through the normal cancel
path → TrialPruned); its EvaluationCompleted (or failure) tells the study (→ TrialCompleted) and frees the slot for
the next trial until the budget is spent (→ CampaignCompleted).

Every step is a conditional UPDATE (slot reservation ``active < parallelism AND active + spent < budget``, trial
moves ``WHERE status = 'running'``), so redelivered events and several gateway instances never start or finish a
trial twice; Optuna refuses to tell a finished trial twice as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.campaigns import CampaignCompleted, CampaignStopped, TrialCompleted, TrialPruned, TrialStarted
from pfd_shared.events.training import (
    EpochCompleted,
    EvaluationCompleted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingFailed,
)

from pfd_gateway.auth.errors import AuthError, Conflict
from pfd_gateway.campaigns import states
from pfd_gateway.campaigns.space import CampaignSpec, trial_config
from pfd_gateway.campaigns.study import Studies
from pfd_gateway.campaigns.tables import CampaignTables
from pfd_gateway.domain.access import Principal, Role, Scope

CAMPAIGN_TAG = "campaign-{campaign_id}"
log = logging.getLogger(__name__)


class ExperimentPort(Protocol):
    """What the runner needs of ExperimentService (a fake in unit tests)."""

    async def create(self, principal: Principal, name: str, dataset_id: str, config: dict[str, Any],
                     tags: Sequence[str] = ()) -> Any: ...

    async def cancel(self, principal: Principal, experiment_id: str) -> Any: ...


def owner_principal(row: dict[str, Any]) -> Principal:
    """The campaign's owner, as whom its trials' experiments are created and cancelled."""
    return Principal(user_id=row["owner_id"], email="", role=Role(row["owner_role"]),
                     scopes=frozenset({Scope.READ, Scope.WRITE}), via="api_key")


class CampaignRunner:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: CampaignTables, outbox: Table,
                 relay: OutboxRelay, studies: Studies, experiments: ExperimentPort, *, producer: str) -> None:
        self.sessions, self.tables, self.outbox, self.relay = sessions, tables, outbox, relay
        self.studies, self.experiments, self.producer = studies, experiments, producer

    # --- commands ------------------------------------------------------------------------------------------

    async def start(self, campaign_id: str) -> None:
        """CampaignRequested: a requested campaign starts running; a running one gets its free slots filled."""
        c = self.tables.campaigns
        async with self._tx() as session:
            await session.execute(update(c).where(c.c.campaign_id == campaign_id, c.c.status == states.REQUESTED)
                                  .values(status=states.RUNNING, updated_at=datetime.now(UTC)))
        await self.fill(campaign_id)

    async def fill(self, campaign_id: str) -> None:
        """Start trials while the campaign runs, has a free slot and budget left; then maybe complete it."""
        while (row := await self._reserve(campaign_id)) is not None:
            await self._start_trial(row)
        await self._maybe_complete(campaign_id)

    async def stop(self, campaign_id: str) -> int:
        """Stop a requested or running campaign: its running trials are cancelled (told FAIL to the study, so a
        resume samples fresh ones; they do not count against the budget). Conflict when it is not running."""
        c, t = self.tables.campaigns, self.tables.trials
        async with self._tx() as session:
            moved = await session.execute(update(c).where(c.c.campaign_id == campaign_id,
                                                          c.c.status.in_(states.STOPPABLE)).values(
                status=states.STOPPED, updated_at=datetime.now(UTC)))
            if not moved.rowcount:  # type: ignore[attr-defined]
                raise Conflict("The campaign is not running.")
            row = dict((await session.execute(select(c).where(c.c.campaign_id == campaign_id))).mappings().one())
            running = (await session.execute(select(t.c.trial_number, t.c.experiment_id).where(
                t.c.campaign_id == campaign_id, t.c.status == states.TRIAL_RUNNING))).all()
            stopped = []
            for number, experiment_id in running:
                hit = await session.execute(update(t).where(
                    t.c.campaign_id == campaign_id, t.c.trial_number == number, t.c.status == states.TRIAL_RUNNING)
                    .values(status=states.TRIAL_STOPPED, reason="the campaign was stopped",
                            finished_at=datetime.now(UTC)))
                if hit.rowcount:  # type: ignore[attr-defined]
                    stopped.append((number, experiment_id))
                    await self._release(session, campaign_id, spent=False)
            await self._publish(session, CampaignStopped(campaign_id=campaign_id, trials_cancelled=len(stopped)),
                                row["owner_id"])
        spec = CampaignSpec.model_validate(row["spec"])
        for number, experiment_id in stopped:
            await asyncio.to_thread(self.studies.tell, campaign_id, spec, row["epochs"], number, None)
            await self._cancel(row, experiment_id)
        return len(stopped)

    # --- training events -----------------------------------------------------------------------------------

    async def on_batch(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        for envelope, _ in batch:
            await self.on_event(envelope.payload)

    async def on_event(self, event: Any) -> None:
        """Route one training event of a trial's experiment (other experiments are ignored)."""
        found = await self._trial(event.experiment_id)
        if found is None:
            return
        trial, row = found
        if isinstance(event, EpochCompleted):
            await self._on_epoch(trial, row, event)
        elif isinstance(event, TrainingCompleted):
            await self._on_trained(trial, row, event)
        elif isinstance(event, EvaluationCompleted):
            await self._on_evaluated(trial, row, event)
        elif isinstance(event, TrainingFailed):
            await self._finish(trial, row, None, f"training failed: {event.reason}")
        elif isinstance(event, TrainingCancelled) and trial["status"] == states.TRIAL_RUNNING:
            await self._finish(trial, row, None, "its experiment was cancelled")

    async def _on_epoch(self, trial: dict[str, Any], row: dict[str, Any], event: EpochCompleted) -> None:
        if trial["status"] != states.TRIAL_RUNNING:
            return
        spec = CampaignSpec.model_validate(row["spec"])
        value = event.val_accuracy if spec.objective == "val_accuracy" else event.val_loss
        decision = await asyncio.to_thread(self.studies.report, row["campaign_id"], spec, row["epochs"],
                                           trial["trial_number"], value, event.epoch)
        t = self.tables.trials
        where = (t.c.campaign_id == row["campaign_id"], t.c.trial_number == trial["trial_number"],
                 t.c.status == states.TRIAL_RUNNING)
        async with self._tx() as session:
            await session.execute(update(t).where(*where, t.c.epoch < event.epoch).values(epoch=event.epoch))
            if not decision.pruned:
                return
            moved = await session.execute(update(t).where(*where).values(
                status=states.TRIAL_PRUNED, value=value, finished_at=datetime.now(UTC)))
            if not moved.rowcount:  # type: ignore[attr-defined]
                return
            await self._release(session, row["campaign_id"])
            await self._publish(session, TrialPruned(campaign_id=row["campaign_id"], epoch=event.epoch, value=value,
                                                     trial_number=trial["trial_number"],
                                                     experiment_id=trial["experiment_id"]), row["owner_id"])
        await self._cancel(row, trial["experiment_id"])
        await self.fill(row["campaign_id"])

    async def _on_trained(self, trial: dict[str, Any], row: dict[str, Any], event: TrainingCompleted) -> None:
        """Keep the run's final validation figure: the trial's value when its evaluation arrives."""
        spec = CampaignSpec.model_validate(row["spec"])
        value = event.metrics.get(spec.objective)
        if value is None or trial["status"] != states.TRIAL_RUNNING:
            return
        t = self.tables.trials
        async with self._tx() as session:
            await session.execute(update(t).where(
                t.c.campaign_id == row["campaign_id"], t.c.trial_number == trial["trial_number"],
                t.c.status == states.TRIAL_RUNNING).values(value=value))

    async def _on_evaluated(self, trial: dict[str, Any], row: dict[str, Any], event: EvaluationCompleted) -> None:
        t = self.tables.trials
        async with self._tx() as session:
            await session.execute(update(t).where(t.c.campaign_id == row["campaign_id"],
                                                  t.c.trial_number == trial["trial_number"]).values(
                test_accuracy=event.record_accuracy))
        if trial["status"] != states.TRIAL_RUNNING:
            return
        value = trial["value"]
        if value is None:  # the final figure has not arrived: the best reported epoch stands for it
            value = await asyncio.to_thread(self._best_intermediate, row, trial["trial_number"])
        await self._finish(trial, row, value, None if value is not None else "no objective value was reported")

    def _best_intermediate(self, row: dict[str, Any], number: int) -> float | None:
        spec = CampaignSpec.model_validate(row["spec"])
        frozen = next((t for t in self.studies.trials(row["campaign_id"]) if t.number == number), None)
        values = list(frozen.intermediate_values.values()) if frozen is not None else []
        if not values:
            return None
        return max(values) if spec.maximise else min(values)

    # --- internals -----------------------------------------------------------------------------------------

    async def _reserve(self, campaign_id: str) -> dict[str, Any] | None:
        """Take one trial slot (atomically) and return the campaign row, or None when none is free."""
        c = self.tables.campaigns
        async with self._tx() as session:
            taken = await session.execute(update(c).where(
                c.c.campaign_id == campaign_id, c.c.status == states.RUNNING, c.c.active < c.c.parallelism,
                c.c.active + c.c.spent < c.c.budget).values(active=c.c.active + 1, updated_at=datetime.now(UTC)))
            if not taken.rowcount:  # type: ignore[attr-defined]
                return None
            return dict((await session.execute(select(c).where(c.c.campaign_id == campaign_id))).mappings().one())

    async def _start_trial(self, row: dict[str, Any]) -> None:
        spec = CampaignSpec.model_validate(row["spec"])
        campaign_id = row["campaign_id"]
        number, params = await asyncio.to_thread(self.studies.ask, campaign_id, spec, row["epochs"])
        experiment_id, reason = None, None
        try:
            detail = await self.experiments.create(
                owner_principal(row), f"{row['name']} · trial {number}", row["dataset_id"],
                trial_config(spec, params), tags=[CAMPAIGN_TAG.format(campaign_id=campaign_id)])
            experiment_id = detail.experiment_id
        except AuthError as exc:  # the sampled config is refused (e.g. dim not a multiple of heads), data set gone
            reason = f"its experiment was refused: {exc.message}"
        now = datetime.now(UTC)
        async with self._tx() as session:
            await session.execute(insert(self.tables.trials).values(
                campaign_id=campaign_id, trial_number=number, experiment_id=experiment_id, params=params,
                status=states.TRIAL_RUNNING if reason is None else states.TRIAL_FAILED, epoch=0, reason=reason,
                started_at=now, finished_at=None if reason is None else now))
            await self._publish(session, TrialStarted(campaign_id=campaign_id, trial_number=number,
                                                      experiment_id=experiment_id, params=params), row["owner_id"])
            if reason is not None:
                await self._release(session, campaign_id)
                await self._publish(session, TrialCompleted(campaign_id=campaign_id, trial_number=number,
                                                            outcome="failed", reason=reason), row["owner_id"])
        if reason is not None:
            await asyncio.to_thread(self.studies.tell, campaign_id, spec, row["epochs"], number, None)

    async def _finish(self, trial: dict[str, Any], row: dict[str, Any], value: float | None,
                      reason: str | None) -> None:
        """A running trial completed (``value``) or failed (None, ``reason``): tell the study, free its slot."""
        campaign_id, number = row["campaign_id"], trial["trial_number"]
        t = self.tables.trials
        async with self._tx() as session:
            moved = await session.execute(update(t).where(
                t.c.campaign_id == campaign_id, t.c.trial_number == number, t.c.status == states.TRIAL_RUNNING).values(
                status=states.TRIAL_COMPLETED if value is not None else states.TRIAL_FAILED, value=value,
                reason=reason, finished_at=datetime.now(UTC)))
            if not moved.rowcount:  # type: ignore[attr-defined]
                return  # finished before (a repeated or late event)
            await self._release(session, campaign_id)
            if value is not None:
                await self._refresh_best(session, row)
            await self._publish(session, TrialCompleted(
                campaign_id=campaign_id, trial_number=number, experiment_id=trial["experiment_id"],
                outcome="complete" if value is not None else "failed", value=value, reason=reason), row["owner_id"])
        spec = CampaignSpec.model_validate(row["spec"])
        await asyncio.to_thread(self.studies.tell, campaign_id, spec, row["epochs"], number, value)
        await self.fill(campaign_id)

    async def _release(self, session: AsyncSession, campaign_id: str, *, spent: bool = True) -> None:
        c = self.tables.campaigns
        await session.execute(update(c).where(c.c.campaign_id == campaign_id).values(
            active=c.c.active - 1, spent=c.c.spent + (1 if spent else 0), updated_at=datetime.now(UTC)))

    async def _refresh_best(self, session: AsyncSession, row: dict[str, Any]) -> None:
        t, c = self.tables.trials, self.tables.campaigns
        maximise = CampaignSpec.model_validate(row["spec"]).maximise
        order = t.c.value.desc() if maximise else t.c.value.asc()
        best = (await session.execute(select(t.c.trial_number, t.c.value, t.c.params).where(
            t.c.campaign_id == row["campaign_id"], t.c.status == states.TRIAL_COMPLETED, t.c.value.is_not(None))
            .order_by(order, t.c.trial_number).limit(1))).first()
        if best is not None:
            await session.execute(update(c).where(c.c.campaign_id == row["campaign_id"]).values(
                best_trial=best.trial_number, best_value=best.value, best_params=best.params))

    async def _maybe_complete(self, campaign_id: str) -> None:
        c = self.tables.campaigns
        async with self._tx() as session:
            moved = await session.execute(update(c).where(
                c.c.campaign_id == campaign_id, c.c.status == states.RUNNING, c.c.active == 0,
                c.c.spent >= c.c.budget).values(status=states.COMPLETED, updated_at=datetime.now(UTC)))
            if not moved.rowcount:  # type: ignore[attr-defined]
                return
            row = (await session.execute(select(c).where(c.c.campaign_id == campaign_id))).mappings().one()
            await self._publish(session, CampaignCompleted(
                campaign_id=campaign_id, trials=row["spent"], best_trial=row["best_trial"],
                best_value=row["best_value"], best_params=row["best_params"] or {}), row["owner_id"])

    async def _trial(self, experiment_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        t, c = self.tables.trials, self.tables.campaigns
        async with self.sessions() as session:
            trial = (await session.execute(select(t).where(t.c.experiment_id == experiment_id))).mappings().first()
            if trial is None:
                return None
            row = (await session.execute(select(c).where(c.c.campaign_id == trial["campaign_id"]))).mappings().one()
        return dict(trial), dict(row)

    async def _cancel(self, row: dict[str, Any], experiment_id: str | None) -> None:
        """Cancel a trial's experiment through the normal cancel path (already finished: nothing to do)."""
        if experiment_id is None:
            return
        try:
            await self.experiments.cancel(owner_principal(row), experiment_id)
        except AuthError as exc:  # Conflict: its run already finished; NotFound: deleted meanwhile
            log.info("trial experiment %s not cancelled: %s", experiment_id, exc.message)

    @contextlib.asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncSession]:
        """One transaction; the outbox relay is woken after it commits (for the events it published)."""
        async with self.sessions() as session, session.begin():
            yield session
        self.relay.notify()

    async def _publish(self, session: AsyncSession, payload: EventPayload, owner: str) -> None:
        await add_to_outbox(session, self.outbox, new_envelope(payload, producer=self.producer, owner=owner))
