"""Experiments and runs (training's own tables, the job queue): every SQL statement of the service lives here.

A run moves queued → running → completed, or to failed / cancelled (both resumable: back to queued) or deleted.
A running run belongs to the worker holding its lease; a lease that expires (worker killed) lets any worker claim
it again, and that worker resumes from the last checkpoint. Every state change is a compare-and-set on the row
(owner and state in the WHERE clause), so two workers never both act on one run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_training.db import experiments, runs

QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED, DELETED = "queued", "running", "completed", "failed", "cancelled", "deleted"
TRAINING, EVALUATING = "training", "evaluating"
RESUMABLE = (FAILED, CANCELLED)
FINISHED = (COMPLETED, FAILED, CANCELLED, DELETED)


@dataclass(frozen=True)
class RunRow:
    run_id: str
    experiment_id: str
    dataset_id: str
    owner: str | None
    name: str
    config: dict[str, Any]
    seed: int
    run_index: int
    run_count: int
    state: str
    phase: str
    attempts: int
    cancel_requested: bool
    epochs_done: int
    checkpoint_epoch: int
    checkpoint_key: str | None
    artefacts: dict[str, str] | None
    error: str | None
    correlation_id: str
    request_event_id: str


def _row(mapping: Any) -> RunRow:
    return RunRow(mapping.run_id, mapping.experiment_id, mapping.dataset_id, mapping.owner, mapping.name,
                  dict(mapping.config), mapping.seed, mapping.run_index, mapping.run_count, mapping.state,
                  mapping.phase, mapping.attempts, bool(mapping.cancel_requested), mapping.epochs_done,
                  mapping.checkpoint_epoch, mapping.checkpoint_key, mapping.artefacts, mapping.error,
                  mapping.correlation_id, mapping.request_event_id)


def _now() -> datetime:
    return datetime.now(UTC)


async def get(session: AsyncSession, run_id: str) -> RunRow | None:
    found = (await session.execute(select(runs).where(runs.c.run_id == run_id))).first()
    return _row(found) if found else None


async def experiment_deleted(session: AsyncSession, experiment_id: str) -> bool:
    query = select(experiments.c.deleted_at).where(experiments.c.experiment_id == experiment_id)
    found = (await session.execute(query)).first()
    return found is not None and found.deleted_at is not None


async def record(session: AsyncSession, *, run_id: str, experiment_id: str, dataset_id: str, owner: str | None,
                 name: str, config: dict[str, Any], seed: int, run_index: int, run_count: int, state: str,
                 error: str | None, correlation_id: str, request_event_id: str) -> None:
    """Insert the run (and its experiment, the first time)."""
    now = _now()
    known = (await session.execute(select(experiments.c.experiment_id).where(
        experiments.c.experiment_id == experiment_id))).first()
    if known is None:
        await session.execute(insert(experiments).values(experiment_id=experiment_id, owner=owner,
                                                         dataset_id=dataset_id, name=name, created_at=now))
    await session.execute(insert(runs).values(
        run_id=run_id, experiment_id=experiment_id, dataset_id=dataset_id, owner=owner, name=name, config=config,
        seed=seed, run_index=run_index, run_count=run_count, state=state, phase=TRAINING, attempts=0,
        cancel_requested=False, epochs_done=0, checkpoint_epoch=0, error=error, correlation_id=correlation_id,
        request_event_id=request_event_id, created_at=now, updated_at=now))


def _claimable(now: datetime) -> Any:
    expired = and_(runs.c.state == RUNNING, runs.c.lease_expires_at < now)
    return or_(runs.c.state == QUEUED, expired)


async def claim(session: AsyncSession, owner: str, lease_s: float) -> RunRow | None:
    """Take the oldest queued run, or a running one whose lease expired; None when there is none.

    PostgreSQL skips rows other workers are claiming (FOR UPDATE SKIP LOCKED); the update is a compare-and-set
    either way, so a row taken by someone else in between is simply not ours.
    """
    now = _now()
    query = select(runs.c.run_id).where(_claimable(now)).order_by(runs.c.created_at).limit(1)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = (await session.execute(query)).first()
    if found is None:
        return None
    taken = await session.execute(update(runs).where(runs.c.run_id == found.run_id, _claimable(now)).values(
        state=RUNNING, lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_s),
        attempts=runs.c.attempts + 1, updated_at=now))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await get(session, found.run_id)


def _owned(run_id: str, owner: str) -> Any:
    return and_(runs.c.run_id == run_id, runs.c.lease_owner == owner, runs.c.state == RUNNING)


async def renew(session: AsyncSession, run_id: str, owner: str, lease_s: float) -> RunRow | None:
    """Extend our lease; the current row when we still hold it, None when it was taken, cancelled or deleted."""
    now = _now()
    renewed = await session.execute(update(runs).where(_owned(run_id, owner)).values(
        lease_expires_at=now + timedelta(seconds=lease_s), updated_at=now))
    return await get(session, run_id) if renewed.rowcount == 1 else None  # type: ignore[attr-defined]


async def update_owned(session: AsyncSession, run_id: str, owner: str, **values: Any) -> bool:
    """Change a run we hold the lease of; False when we no longer do (nothing changed then)."""
    changed = await session.execute(update(runs).where(_owned(run_id, owner)).values(updated_at=_now(), **values))
    return changed.rowcount == 1  # type: ignore[attr-defined]


async def release(session: AsyncSession, run_id: str, owner: str) -> bool:
    """Give a run back to the queue (graceful shutdown); the attempt does not count."""
    return await update_owned(session, run_id, owner, state=QUEUED, lease_owner=None, lease_expires_at=None,
                              attempts=runs.c.attempts - 1)


async def finish_owned(session: AsyncSession, run_id: str, owner: str, state: str, **values: Any) -> bool:
    return await update_owned(session, run_id, owner, state=state, lease_owner=None, lease_expires_at=None, **values)


async def cancel_if_queued(session: AsyncSession, run_id: str) -> bool:
    """A queued run is cancelled without starting."""
    changed = await session.execute(update(runs).where(runs.c.run_id == run_id, runs.c.state == QUEUED).values(
        state=CANCELLED, cancel_requested=True, updated_at=_now()))
    return changed.rowcount == 1  # type: ignore[attr-defined]


async def request_cancel(session: AsyncSession, run_id: str) -> bool:
    """Flag a running run; its worker stops at the next batch (broadcast) or heartbeat at the latest."""
    changed = await session.execute(update(runs).where(runs.c.run_id == run_id, runs.c.state == RUNNING).values(
        cancel_requested=True, updated_at=_now()))
    return changed.rowcount == 1  # type: ignore[attr-defined]


async def requeue(session: AsyncSession, run_id: str) -> bool:
    """A cancelled or failed run goes back to the queue and will continue from its checkpoint."""
    changed = await session.execute(update(runs).where(runs.c.run_id == run_id, runs.c.state.in_(RESUMABLE)).values(
        state=QUEUED, cancel_requested=False, error=None, attempts=0, lease_owner=None, lease_expires_at=None,
        updated_at=_now()))
    return changed.rowcount == 1  # type: ignore[attr-defined]


async def mark_experiment_deleted(session: AsyncSession, experiment_id: str) -> list[str]:
    """Every run of the experiment becomes deleted (a running one stops); returns their ids."""
    now = _now()
    ids = [row.run_id for row in (await session.execute(select(runs.c.run_id).where(
        runs.c.experiment_id == experiment_id, runs.c.state != DELETED))).all()]
    if ids:
        await session.execute(update(runs).where(runs.c.run_id.in_(ids)).values(
            state=DELETED, cancel_requested=True, lease_owner=None, lease_expires_at=None, updated_at=now))
    return ids


async def close_experiment(session: AsyncSession, experiment_id: str) -> None:
    """Remember the deletion, so late requests of the experiment are ignored."""
    now = _now()
    changed = await session.execute(update(experiments).where(experiments.c.experiment_id == experiment_id).values(
        deleted_at=now))
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(insert(experiments).values(experiment_id=experiment_id, owner=None, dataset_id="",
                                                         name="", created_at=now, deleted_at=now))

