"""RunExecutor: one claimed run from data set to evaluation — train (or resume), store artefacts, evaluate.

The CPU work runs in a daemon thread; the event loop keeps consuming, heart-beating and publishing meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pfd_shared.messaging.bus import EventBus
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.training import TrainingConfig

from pfd_training import runs
from pfd_training.artefacts import RunKeys, put_json, read_checkpoint, store_training_outputs
from pfd_training.control import RunControl, RunInterrupted, StopReason, in_thread
from pfd_training.dataset_reader import DatasetMissing, load_training_data
from pfd_training.recorder import RunRecorder
from pfd_training.run_hooks import EventHooks
from pfd_training.runs import RunRow
from pfd_training.settings import TrainingSettings

if TYPE_CHECKING:  # the domain (torch) is imported by the first run, not at start
    from pfd_training.domain import TrainingData, TrainingResult

log = logging.getLogger(__name__)
USER_ERRORS = (DatasetMissing, ValidationError, ValueError)


def run_training(*args: Any, **kwargs: Any) -> TrainingResult:
    """The domain's training loop, imported with torch by the first run (the worker starts and reports in fast)."""
    from pfd_training.domain.runner import run_training as train

    return train(*args, **kwargs)


def evaluate(*args: Any, **kwargs: Any) -> Any:
    """The domain's test-split evaluation (imported on first use, like the loop)."""
    from pfd_training.domain.evaluation import evaluate as score

    return score(*args, **kwargs)


@dataclass(frozen=True)
class Engine:
    """The training core the executor calls (the pure domain by default; tests hand in fakes)."""

    train: Callable[..., TrainingResult] = run_training
    evaluate: Callable[..., Any] = evaluate


def describe(error: Exception) -> str:
    """A user-facing reason: validation errors name the field."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"invalid config: {'.'.join(str(p) for p in first['loc']) or 'config'}: {first['msg']}"
    return str(error)


class RunExecutor:
    def __init__(self, store: ObjectStore, bus: EventBus, settings: TrainingSettings, engine: Engine,
                 recorder: Callable[[RunRow], RunRecorder]) -> None:
        self.store, self.bus, self.settings, self.engine = store, bus, settings, engine
        self.recorder = recorder

    async def execute(self, run: RunRow, control: RunControl) -> None:
        """Take the run as far as it goes; every outcome is recorded (or left to the next lease holder)."""
        recorder = self.recorder(run)
        try:
            if run.attempts > self.settings.max_attempts:
                await recorder.failed(f"the run was interrupted {run.attempts - 1} times (its worker crashed or was "
                                      "killed); resume it to try again")
                return
            config = TrainingConfig.model_validate(run.config)
            keys = RunKeys(run.experiment_id, run.run_id, config.model)
            if await self._stopped_early(run, control, recorder, keys):
                return
            data = await in_thread(load_training_data, self.store, run.dataset_id)
            if await self._stopped_early(run, control, recorder, keys):
                return
            model_blob = None
            if run.phase == runs.TRAINING:
                model_blob = await self._train(run, config, data, keys, control, recorder)
                if model_blob is None:
                    return
            await self._evaluate(config, data, keys, recorder, model_blob)
        except RunInterrupted as exc:
            log.info("run %s interrupted: %s", run.run_id, exc)
        except USER_ERRORS as exc:
            log.info("run %s failed: %s", run.run_id, exc)
            await self._fail(recorder, describe(exc))
        except StorageError as exc:
            log.warning("run %s failed on the object store: %s", run.run_id, exc)
            await self._fail(recorder, f"object store error: {exc}")
        except Exception as exc:  # noqa: BLE001 - a bug in one run must not take the worker down
            log.exception("run %s failed", run.run_id)
            await self._fail(recorder, f"internal error ({type(exc).__name__}): {exc}")

    async def _fail(self, recorder: RunRecorder, reason: str) -> None:
        try:
            await recorder.failed(reason)
        except Exception:  # noqa: BLE001 - the database is unreachable: the lease expires and the run is retried
            log.exception("run %s: the failure could not be recorded", recorder.run.run_id)

    async def _stopped_early(self, run: RunRow, control: RunControl, recorder: RunRecorder, keys: RunKeys) -> bool:
        if not control.stopped:
            return False
        await self._stopped(control.reason, recorder, keys)
        return True

    async def _train(self, run: RunRow, config: TrainingConfig, data: TrainingData, keys: RunKeys,
                     control: RunControl, recorder: RunRecorder) -> bytes | None:
        """Train or resume; the model blob when training finished, None when the run stopped early."""
        resume = await in_thread(read_checkpoint, self.store, keys.checkpoint)
        hooks = EventHooks(recorder, self.bus, asyncio.get_running_loop(), self.store, keys, control, self.settings)
        started = time.perf_counter()
        try:
            result = await in_thread(self.engine.train, config, run.seed, data, hooks, resume_from=resume,
                                     threads=self.settings.torch_threads)
        finally:
            hooks.flush()
        if result.cancelled or control.reason in (StopReason.LEASE_LOST, StopReason.DELETED):
            await self._stopped(control.reason or StopReason.CANCEL, recorder, keys)
            return None
        history = [report.to_dict() for report in result.history]
        artefacts = await in_thread(store_training_outputs, self.store, keys, result.model_blob, history,
                                    result.metrics)
        if not await recorder.trained(result, artefacts, time.perf_counter() - started):
            await self._stopped(StopReason.LEASE_LOST, recorder, keys)
            return None
        return result.model_blob

    async def _evaluate(self, config: TrainingConfig, data: TrainingData, keys: RunKeys, recorder: RunRecorder,
                        model_blob: bytes | None) -> None:
        blob = model_blob if model_blob is not None else await in_thread(self.store.get_bytes, keys.model)
        report = await in_thread(self.engine.evaluate, blob, config, data, threads=self.settings.torch_threads)
        await in_thread(put_json, self.store, keys.evaluation, report.report)
        if not await recorder.evaluated(report, keys.evaluation):
            await self._stopped(StopReason.LEASE_LOST, recorder, keys)

    async def _stopped(self, reason: StopReason | None, recorder: RunRecorder, keys: RunKeys) -> None:
        """Act on an early stop: record a cancel, hand the run back on shutdown, clean up after a deletion."""
        if reason == StopReason.CANCEL:
            await recorder.cancelled()
        elif reason == StopReason.SHUTDOWN:
            await recorder.released()
        elif reason in (StopReason.DELETED, StopReason.LEASE_LOST):
            async with recorder.sessions() as session:
                current = await runs.get(session, recorder.run.run_id)
            if current is None or current.state == runs.DELETED:  # anything written after the deletion goes too
                await in_thread(self.store.delete_prefix, keys.run_prefix)
