"""Fixtures of the training service's tests: a fake training core, the service on SQLite + in-memory S3."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.training import ClassMetrics, TrainingRequested
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes

from pfd_training.bootstrap import Training, build_training
from pfd_training.domain import EpochReport, EvaluationReport, StartInfo, TrainingResult
from pfd_training.execution import Engine
from pfd_training.settings import TrainingSettings

DATASET_ID = "ds-tiny"
FAST = {"lease_s": 1.0, "heartbeat_s": 0.2, "queue_poll_s": 0.05, "log_interval_s": 0.05, "stop_timeout_s": 2.0}


class FakeCore:
    """Stands in for the training core: epochs are instant, a checkpoint is the epoch number as text.

    ``hold_after`` makes the run wait after that epoch until ``release`` is set or it is told to stop.
    """

    def __init__(self) -> None:
        self.resumed_from: list[int] = []
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.evaluated = 0

    def train(self, config: Any, seed: int, data: Any, hooks: Any, *, resume_from: bytes | None = None,
              threads: int = 1) -> TrainingResult:
        start = int(resume_from.decode()) if resume_from else 0
        self.resumed_from.append(start)
        hooks.on_start(StartInfo(epochs=config.epochs, start_epoch=start, train_windows=data.splits["train"].size,
                                 val_windows=data.splits["val"].size, parameters=42))
        history = []
        for epoch in range(start + 1, config.epochs + 1):
            if hooks.should_stop():
                return TrainingResult(cancelled=True, epochs_run=epoch - 1, best_epoch=epoch - 1, metrics={})
            report = EpochReport(epoch=epoch, epochs=config.epochs, train_loss=1.0 / epoch, train_accuracy=0.5,
                                 val_loss=1.5 / epoch, val_accuracy=0.6, val_record_accuracy=0.7,
                                 learning_rate=1e-3, seconds=0.01, windows_per_s=1000.0)
            hooks.save_checkpoint(epoch, str(epoch).encode())
            hooks.on_epoch(report)
            hooks.log(f"epoch {epoch} done")
            history.append(report)
            if epoch == self.hold_after:
                self.holding.set()
                while not self.release.is_set() and not hooks.should_stop():
                    time.sleep(0.01)
        return TrainingResult(cancelled=False, epochs_run=config.epochs, best_epoch=config.epochs,
                              metrics={"val_accuracy": 0.6}, history=history, model_blob=b"model-bytes")

    def evaluate(self, model_blob: bytes, config: Any, data: Any, *, threads: int = 1) -> EvaluationReport:
        self.evaluated += 1
        per_class = tuple(ClassMetrics(name=n, precision=1.0, recall=1.0, f1=1.0, support=1) for n in data.class_names)
        return EvaluationReport(class_names=data.class_names, window_accuracy=1.0, record_accuracy=1.0, macro_f1=1.0,
                                ece=0.0, per_class=per_class, confusion=((1, 0), (0, 1)),
                                report={"model_bytes": len(model_blob)})


@pytest.fixture
def core() -> FakeCore:
    return FakeCore()


@pytest.fixture
def make_app(tmp_path, core) -> Callable[..., Training]:
    store = InMemoryObjectStore()
    store.put_bytes(f"datasets/{DATASET_ID}/dataset.h5", training_dataset_bytes(6, 256, 1000.0))

    def make(instance: str = "worker-a", **overrides: Any) -> Training:
        settings = TrainingSettings(var_dir=tmp_path, instance_id=instance, **(FAST | overrides))
        app = build_training(settings, store=store, metrics=ServiceMetrics(CollectorRegistry()),
                             engine=Engine(train=core.train, evaluate=core.evaluate))
        app.runtime.migrate()
        return app

    return make


@pytest.fixture
async def app(make_app):
    training = make_app()
    async with TestKafkaBroker(training.runtime.broker):
        yield training
        await training.pool.stop()


def request(run_id: str | None = None, *, epochs: int = 3, experiment_id: str = "exp-1",
            dataset_id: str = DATASET_ID, config: dict[str, Any] | None = None):
    payload = TrainingRequested(experiment_id=experiment_id, run_id=run_id or uuid4().hex[:12], dataset_id=dataset_id,
                                name="tiny", config=config or {"model": "cnn1d", "epochs": epochs,
                                                               "window": {"length": 128}}, seed=0)
    return new_envelope(payload, producer="test", owner="user-1")


async def events(app: Training) -> list[Any]:
    database = app.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


async def types(app: Training, run_id: str | None = None) -> list[str]:
    return [e.type for e in await events(app) if run_id is None or getattr(e.payload, "run_id", None) == run_id]


async def wait_for(predicate: Callable[[], Any], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        outcome = predicate()
        if asyncio.iscoroutine(outcome):
            outcome = await outcome
        if outcome:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout_s}s")


class Kit:
    """Helpers for the tests (conftest functions cannot be imported under --import-mode=importlib)."""

    request = staticmethod(request)
    events = staticmethod(events)
    types = staticmethod(types)
    wait_for = staticmethod(wait_for)
    dataset_id = DATASET_ID


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
