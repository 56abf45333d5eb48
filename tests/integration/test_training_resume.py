"""A training worker PROCESS killed mid-run (SIGKILL): its lease expires, the restarted worker takes the run over and
resumes from the last checkpoint; that worker stopped with SIGTERM (Ctrl-C) hands the run back at once and a third
one finishes it — one run, every epoch published, none twice with other numbers, never a restart from epoch 0."""

import asyncio
import signal
import sys
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text

from pfd_shared import topics
from pfd_shared.events import new_envelope
from pfd_shared.events.training import TrainingRequested
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
RUN_TOPICS = (topics.TRAINING_QUEUED, topics.TRAINING_STARTED, topics.TRAINING_EPOCH_COMPLETED,
              topics.TRAINING_COMPLETED, topics.TRAINING_FAILED, topics.TRAINING_EVALUATION_COMPLETED)
EPOCHS = 40  # enough that the second worker is still training when it is stopped, even on a quiet machine
TIMEOUT_S = 180
WORKER = {"PFD_TRAINING_LEASE_S": "3", "PFD_TRAINING_HEARTBEAT_S": "0.5", "PFD_TRAINING_QUEUE_POLL_S": "0.5",
          "PFD_TRAINING_TORCH_THREADS": "1"}


def start_worker(infra, processes, tmp_path, database_url: str, name: str):
    port = free_port()
    env = service_env("PFD_TRAINING_", infra, port=port, var_dir=str(tmp_path), database_url=database_url) | WORKER
    env["PFD_TRAINING_INSTANCE_ID"] = name
    proc = start_service(name, [sys.executable, "-m", "pfd_training"], env, port, tmp_path / f"{name}.log")
    processes.append(proc)
    return proc


async def scenario(infra, processes, tmp_path, database_url: str, request):
    run_id = request.payload.run_id

    def of_run(kind: str, after: int = 0):
        return lambda e: e.payload.run_id == run_id and e.type == kind and getattr(e.payload, "epoch", after + 1) > after

    async with EventTap(infra.kafka_bootstrap, RUN_TOPICS) as tap:
        first = await asyncio.to_thread(start_worker, infra, processes, tmp_path, database_url, "worker-one")
        await tap.publish(request)
        await tap.wait_for(of_run("training.epoch_completed"), TIMEOUT_S)
        first.kill()  # SIGKILL mid-run: no goodbye, the lease has to expire
        second = await asyncio.to_thread(start_worker, infra, processes, tmp_path, database_url, "worker-two")
        resumed = await tap.wait_for(lambda e: of_run("training.started")(e) and e.payload.worker == "worker-two",
                                     TIMEOUT_S)
        await tap.wait_for(of_run("training.epoch_completed", after=resumed.payload.start_epoch), TIMEOUT_S)
        exit_code = await asyncio.to_thread(second.stop)  # SIGTERM (Ctrl-C): the run goes back to the queue
        await asyncio.to_thread(start_worker, infra, processes, tmp_path, database_url, "worker-three")
        await tap.wait_for(of_run("training.evaluation_completed"), TIMEOUT_S)
        return [e for e in tap.events if e.payload.run_id == run_id], exit_code


def test_a_killed_worker_process_is_resumed_from_its_checkpoint(infra, processes, tmp_path, fresh_database_url):
    dataset_id = f"ds-{uuid4().hex[:8]}"
    S3ObjectStore(infra.s3).put_bytes(f"datasets/{dataset_id}/dataset.h5", training_dataset_bytes(40, 8192, 12_000.0))
    payload = TrainingRequested(experiment_id=f"exp-{uuid4().hex[:8]}", run_id=f"run-{uuid4().hex[:8]}",
                                dataset_id=dataset_id, name="killed", seed=3,
                                config={"model": "cnn1d", "epochs": EPOCHS, "window": {"length": 256},
                                        "early_stopping_patience": 0})
    events, exit_code = asyncio.run(scenario(infra, processes, tmp_path, fresh_database_url,
                                             new_envelope(payload, producer="it")))

    assert exit_code in (0, -signal.SIGTERM), f"the worker did not stop on SIGTERM in time (exit {exit_code})"
    starts = [e.payload for e in events if e.type == "training.started"]
    assert [s.worker for s in starts] == ["worker-one", "worker-two", "worker-three"]
    assert 1 <= starts[1].start_epoch < starts[2].start_epoch, "a worker started over instead of resuming"
    epochs: dict[int, object] = {}
    for event in (e for e in events if e.type == "training.epoch_completed"):
        figures = event.payload.model_dump(exclude={"seconds", "windows_per_s"})
        assert epochs.setdefault(event.payload.epoch, figures) == figures, "an epoch was re-published differently"
    assert sorted(epochs) == list(range(1, EPOCHS + 1))
    queued = [e.payload.worker for e in events if e.type == "training.queued"]
    # accepted once by worker-one; then handed back by the stopping worker (and, depending on timing, also put back
    # by the lease sweep after the kill): every later TrainingQueued is a hand-back, with no worker
    assert queued[0] == "worker-one" and len(queued) >= 2 and set(queued[1:]) == {""}, queued
    assert [e.type for e in events].count("training.completed") == 1
    engine = create_engine(fresh_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT state, attempts, epochs_done FROM runs")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("completed", 2, EPOCHS)]
