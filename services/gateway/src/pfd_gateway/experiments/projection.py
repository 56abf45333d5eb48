"""Projection of the training service's events into the experiment read model.

Idempotent and order-tolerant: statuses only move forward (``states``), an event older than a run's current
status does not change it, epochs are stored once per (run, epoch), log lines once per event, and results
(TrainingCompleted, EvaluationCompleted) are facts written whenever they arrive.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.training import (
    EpochCompleted,
    EvaluationCompleted,
    ExperimentDeleted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingFailed,
    TrainingLog,
    TrainingQueued,
    TrainingStarted,
)
from pfd_shared.training.stats import aggregate

from pfd_gateway.experiments import states
from pfd_gateway.experiments.reads import finite_metrics
from pfd_gateway.experiments.tables import ExperimentTables

_EPOCH_FIELDS = ("epochs", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds",
                 "windows_per_s")
_RESULTS = (TrainingCompleted, EvaluationCompleted)


async def apply(session: AsyncSession, tables: ExperimentTables, envelope: Envelope[Any], log_lines_kept: int) -> None:
    event, at = envelope.payload, envelope.occurred_at
    if isinstance(event, ExperimentDeleted):
        await remove_experiment(session, tables, event.experiment_id)
        return
    target = transition(event)
    if target is None and not isinstance(event, EpochCompleted | TrainingLog):
        return  # a command (the gateway set its state when it sent it) or an event the read model ignores
    r = tables.runs
    row = (await session.execute(select(r.c.status, r.c.status_at, r.c.epoch).where(
        r.c.run_id == event.run_id).with_for_update())).mappings().first()  # one writer per run at a time
    if row is None:
        return  # an unknown run (deleted, or requested by another system)
    if isinstance(event, TrainingLog):
        await _add_logs(session, tables, envelope, log_lines_kept)
        return
    values = facts(event, at, row["epoch"]) if isinstance(event, _RESULTS) else {}
    if isinstance(event, EpochCompleted):
        values |= await _add_epoch(session, tables, event, row["epoch"])
        target = states.RUNNING if row["status"] in states.WAITING else None
    fresh = at >= _aware(row["status_at"])
    moves = target is not None and fresh and states.may_move(row["status"], target)
    if moves:
        values |= {"status": target, "status_at": at}
        if not isinstance(event, _RESULTS):
            values |= facts(event, at, row["epoch"])
    if not values:
        return
    await session.execute(update(r).where(r.c.run_id == event.run_id).values(updated_at=datetime.now(UTC), **values))
    if moves or isinstance(event, _RESULTS):
        await refresh_experiment(session, tables, event.experiment_id, datetime.now(UTC),
                                 metrics=isinstance(event, _RESULTS))


def transition(event: Any) -> str | None:
    """The run status an event moves a run to (None: it does not move runs)."""
    targets = ((TrainingQueued, states.QUEUED), (TrainingStarted, states.RUNNING),
               (TrainingCompleted, states.COMPLETED), (EvaluationCompleted, states.EVALUATED),
               (TrainingFailed, states.FAILED), (TrainingCancelled, states.CANCELLED))
    return next((status for kind, status in targets if isinstance(event, kind)), None)


def facts(event: Any, at: datetime, epoch: int) -> dict[str, Any]:
    """The run columns an event sets (besides its status)."""
    if isinstance(event, TrainingQueued):
        return {"worker": event.worker or None}
    if isinstance(event, TrainingStarted):
        return {"worker": event.worker, "epochs": event.epochs, "start_epoch": event.start_epoch,
                "epoch": max(epoch, event.start_epoch), "train_windows": event.train_windows,
                "val_windows": event.val_windows, "parameters": event.parameters, "started_at": at,
                "finished_at": None, "error": None}
    if isinstance(event, TrainingCompleted):
        return {"metrics": finite_metrics(event.metrics), "best_epoch": event.best_epoch,
                "epoch": max(epoch, event.epochs_run), "artefacts": dict(event.artefacts), "seconds": event.seconds,
                "checkpoint_key": event.artefacts.get("checkpoint")}
    if isinstance(event, EvaluationCompleted):
        return {"evaluation": event.model_dump(mode="json", exclude={"experiment_id", "run_id", "dataset_id"}),
                "finished_at": at}
    if isinstance(event, TrainingFailed):
        return {"error": event.reason, "finished_at": at}
    if isinstance(event, TrainingCancelled):
        return {"checkpoint_key": event.checkpoint_key, "epoch": max(epoch, event.epoch), "finished_at": at}
    return {}


async def _add_epoch(session: AsyncSession, tables: ExperimentTables, event: EpochCompleted,
                     epoch: int) -> dict[str, Any]:
    """Store the epoch once; the run's progress columns when it is its newest epoch."""
    p = tables.epochs.c
    known = (await session.execute(select(p.epoch).where(p.run_id == event.run_id, p.epoch == event.epoch))).first()
    if known is None:
        await session.execute(insert(tables.epochs).values(
            run_id=event.run_id, epoch=event.epoch, **{name: getattr(event, name) for name in _EPOCH_FIELDS}))
    if event.epoch < epoch:
        return {}
    return {"epoch": event.epoch, "epochs": event.epochs, "windows_per_s": event.windows_per_s,
            "epoch_seconds": event.seconds}


async def _add_logs(session: AsyncSession, tables: ExperimentTables, envelope: Envelope[TrainingLog],
                    kept: int) -> None:
    """Append the lines once per event, then drop the run's oldest lines beyond ``kept``."""
    g, event = tables.logs.c, envelope.payload
    event_id = str(envelope.event_id)
    if (await session.execute(select(g.id).where(g.event_id == event_id).limit(1))).first() is not None:
        return
    await session.execute(insert(tables.logs), [
        {"run_id": event.run_id, "event_id": event_id, "at": envelope.occurred_at, "level": event.level, "line": line}
        for line in event.lines])
    oldest_kept = (await session.execute(select(g.id).where(g.run_id == event.run_id).order_by(g.id.desc())
                                         .offset(kept - 1).limit(1))).scalar()
    if oldest_kept is not None:
        await session.execute(delete(tables.logs).where(g.run_id == event.run_id, g.id < oldest_kept))


async def refresh_experiment(session: AsyncSession, tables: ExperimentTables, experiment_id: str, now: datetime,
                             *, metrics: bool = False) -> None:
    """Recompute an experiment's status, finished runs, first error and (``metrics``) mean ± std per metric."""
    r, e = tables.runs.c, tables.experiments
    current = (await session.execute(select(e.c.status).where(e.c.experiment_id == experiment_id)
                                     .with_for_update())).scalar()
    runs = (await session.execute(select(r.status, r.error, r.metrics, r.evaluation).where(
        r.experiment_id == experiment_id).order_by(r.run_index))).mappings().all()
    if current is None:
        return
    status = current if current == states.DELETING else states.experiment_status(run["status"] for run in runs)
    error = next((run["error"] for run in runs if run["status"] == states.FAILED and run["error"]), None)
    done = sum(1 for run in runs if run["status"] == states.EVALUATED)
    await session.execute(update(e).where(e.c.experiment_id == experiment_id).values(
        status=status, error=error, runs_done=done, updated_at=now))
    if metrics:
        await _store_metrics(session, tables, experiment_id, [run_metrics(dict(run)) for run in runs])


def run_metrics(run: dict[str, Any]) -> dict[str, float]:
    """Every scalar metric of a run: its training figures and its test evaluation (per class, per SNR)."""
    found = finite_metrics(run.get("metrics") or {})
    evaluation = run.get("evaluation") or {}
    for name in ("window_accuracy", "record_accuracy", "macro_f1", "ece"):
        if name in evaluation:
            found[name] = float(evaluation[name])
    for snr, value in (evaluation.get("robustness") or {}).items():
        found[f"record_accuracy_{snr}"] = float(value)
    for per_class in evaluation.get("per_class") or ():
        for figure in ("precision", "recall", "f1", "auc"):
            if per_class.get(figure) is not None:
                found[f"{figure}.{per_class['name']}"] = float(per_class[figure])
    return finite_metrics(found)


async def _store_metrics(session: AsyncSession, tables: ExperimentTables, experiment_id: str,
                         runs: list[dict[str, float]]) -> None:
    m = tables.metrics
    await session.execute(delete(m).where(m.c.experiment_id == experiment_id))
    rows = [{"experiment_id": experiment_id, "metric": name[:80], "mean": summary.mean, "std": summary.std,
             "count": summary.n, "run_values": [run[name] for run in runs if name in run]}
            for name, summary in aggregate(runs).items()]
    if rows:
        await session.execute(insert(m), rows)


async def remove_experiment(session: AsyncSession, tables: ExperimentTables, experiment_id: str) -> None:
    """Remove an experiment and everything projected for it (children first: SQLite may not cascade)."""
    run_ids = select(tables.runs.c.run_id).where(tables.runs.c.experiment_id == experiment_id)
    await session.execute(delete(tables.epochs).where(tables.epochs.c.run_id.in_(run_ids)))
    await session.execute(delete(tables.logs).where(tables.logs.c.run_id.in_(run_ids)))
    for table in (tables.metrics, tables.tags, tables.runs, tables.experiments):
        await session.execute(delete(table).where(table.c.experiment_id == experiment_id))


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def lock_order(item: tuple[Envelope[Any], bytes]) -> tuple[str, str]:
    """Sort key of a batch: by experiment, then run (each run's own events keep their order, a stable sort).

    Every projecting transaction then locks runs and experiments in one global order, so two gateway workers
    projecting batches that touch the same experiments never deadlock.
    """
    payload = item[0].payload
    return getattr(payload, "experiment_id", ""), getattr(payload, "run_id", "")
