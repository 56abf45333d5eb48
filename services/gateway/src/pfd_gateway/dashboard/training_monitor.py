"""What the Training monitor shows of one experiment: its detail and every run's epoch history, in one call.

Also the monitor's browser snapshot: per run what the clientside progress/ETA and curve extension start from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pfd_gateway.dashboard.figures.training import UID_SEPARATOR, RunCurves, run_curves
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments import states
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.experiments.views import ExperimentDetail, RunPublic


# A pushed event can overtake its own projection: a render older than an event it followed is asked for again, at
# most this many times in a row (the push and the projection consume the same events independently), after a delay
# doubling from RETRY_BASE_MS up to RETRY_MAX_MS (about 20 s in all: a projection lagging under load catches up).
MAX_RESYNCS = 8
RETRY_BASE_MS = 250
RETRY_MAX_MS = 4_000


def epoch_ms(at: datetime | None) -> float:
    if at is None:
        return 0.0
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() * 1000.0


@dataclass(frozen=True)
class MonitorView:
    detail: ExperimentDetail
    curves: list[RunCurves]


def run_label(run: RunPublic) -> str:
    return f"seed {run.seed}"


async def monitor_view(service: ExperimentService, principal: Principal, experiment_id: str) -> MonitorView:
    """The experiment (runs, progress, worker availability) and each run's curves, in run order."""
    detail = await service.get(principal, experiment_id)
    curves = []
    for run in detail.runs:
        history = await service.epochs(principal, experiment_id, run.run_id)
        curves.append(run_curves(run.run_id, run_label(run), [epoch.model_dump() for epoch in history]))
    return MonitorView(detail, curves)


def browser_snapshot(detail: ExperimentDetail, log_limit: int, graphs: dict[str, list[str]]) -> dict[str, Any]:
    """The state assets/experiments.js extends with pushed frames (progress, ETA, which runs are this page's,
    which graph extends which EpochCompleted fields)."""
    return {
        "experiment_id": detail.experiment_id, "render_id": uuid4().hex, "status": detail.status,
        "log_limit": log_limit, "graphs": graphs, "separator": UID_SEPARATOR,
        "complete": [states.COMPLETED, states.EVALUATED], "running": [states.RUNNING],
        # training events arrive in any order (one topic per type): a pushed one moves a run only forward
        "moves": {status: [target for target in states.RUN_STATES if states.may_move(status, target)]
                  for status in states.RUN_STATES},
        "max_resyncs": MAX_RESYNCS, "retry_base_ms": RETRY_BASE_MS, "retry_max_ms": RETRY_MAX_MS,
        "runs": {run.run_id: {"seed": run.seed, "status": run.status, "epoch": run.epoch, "epochs": run.epochs or 0,
                              "eta_s": run.eta_s, "seconds": None, "status_ms": epoch_ms(run.status_at)}
                 for run in detail.runs},
    }


def can_cancel(detail: ExperimentDetail) -> bool:
    return any(states.can_cancel(run.status) for run in detail.runs)


def can_resume(detail: ExperimentDetail) -> bool:
    return any(states.can_resume(run.status) for run in detail.runs)


def waiting(snapshot: dict[str, Any] | None) -> bool:
    """Whether a run of the snapshot waits for a worker (queued, requested or resuming)."""
    return any(run["status"] in states.WAITING for run in ((snapshot or {}).get("runs") or {}).values())
