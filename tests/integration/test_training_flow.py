"""Training through the real broker, PostgreSQL and S3: one training process takes runs end to end, reports its job
slots, cancels and resumes a run, fails a run whose data set is gone, and deletes an experiment's artefacts."""

import asyncio
import sys
from uuid import uuid4

import pytest

from pfd_shared import topics
from pfd_shared.events import new_envelope
from pfd_shared.events.system import ServiceStatusRequested
from pfd_shared.events.training import (
    ExperimentDeleteRequested,
    TrainingCancelRequested,
    TrainingRequested,
    TrainingResumeRequested,
)
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
TRAINING_TOPICS = (topics.TRAINING_QUEUED, topics.TRAINING_STARTED, topics.TRAINING_EPOCH_COMPLETED,
                   topics.TRAINING_LOG, topics.TRAINING_COMPLETED, topics.TRAINING_FAILED, topics.TRAINING_CANCELLED,
                   topics.TRAINING_EVALUATION_COMPLETED, topics.EXPERIMENT_DELETED, topics.SYSTEM_STATUS_REPORTED)
TIMEOUT_S = 120
FAST_WORKER = {"PFD_TRAINING_LEASE_S": "3", "PFD_TRAINING_HEARTBEAT_S": "0.5", "PFD_TRAINING_QUEUE_POLL_S": "0.5",
               "PFD_TRAINING_TORCH_THREADS": "1", "PFD_TRAINING_LOG_INTERVAL_S": "0.2"}


@pytest.fixture(scope="module")
def dataset_id(infra) -> str:
    """A small trainable data set, stored where data-gen would store it."""
    dataset = f"ds-{uuid4().hex[:8]}"
    S3ObjectStore(infra.s3).put_bytes(f"datasets/{dataset}/dataset.h5", training_dataset_bytes(20, 4096, 12_000.0))
    return dataset


@pytest.fixture(scope="module")
def training(infra, tmp_path_factory):
    """One training process for the module (its own database)."""
    var_dir = tmp_path_factory.mktemp("training")
    port = free_port()
    with fresh_postgres_database(infra.postgres_url) as url:
        env = service_env("PFD_TRAINING_", infra, port=port, var_dir=str(var_dir), database_url=url) | FAST_WORKER
        proc = start_service("training", [sys.executable, "-m", "pfd_training"], env, port, var_dir / "training.log")
        try:
            yield proc
        finally:
            proc.stop()


def run_request(dataset_id: str, *, epochs: int, experiment_id: str | None = None, run_id: str | None = None):
    payload = TrainingRequested(experiment_id=experiment_id or f"exp-{uuid4().hex[:8]}",
                                run_id=run_id or f"run-{uuid4().hex[:8]}", dataset_id=dataset_id, name="it", seed=1,
                                config={"model": "cnn1d", "epochs": epochs, "window": {"length": 512},
                                        "early_stopping_patience": 0})
    return new_envelope(payload, producer="it", owner="user-it")


def of_run(run_id: str, event_type: str | None = None):
    return lambda e: getattr(e.payload, "run_id", None) == run_id and (event_type is None or e.type == event_type)


def command(payload):
    return new_envelope(payload, producer="it", owner="user-it")


async def scenario_end_to_end(infra, dataset_id: str):
    async with EventTap(infra.kafka_bootstrap, TRAINING_TOPICS) as tap:
        request = run_request(dataset_id, epochs=2)
        await tap.publish(request)
        await tap.publish(request)  # a redelivered request is the same run
        run_id, experiment_id = request.payload.run_id, request.payload.experiment_id
        await tap.wait_for(of_run(run_id, "training.evaluation_completed"), TIMEOUT_S)
        await tap.publish(command(ServiceStatusRequested(request_id=uuid4(), requested_by="it")))
        report = await tap.wait_for(lambda e: e.type == "system.status_reported" and e.payload.service == "training"
                                    and e.payload.request_id is not None, TIMEOUT_S)
        await tap.publish(command(ExperimentDeleteRequested(experiment_id=experiment_id)))
        deleted = await tap.wait_for(lambda e: e.type == "training.experiment_deleted"
                                     and e.payload.experiment_id == experiment_id, TIMEOUT_S)
        return tap.matching(of_run(run_id)), report, deleted


def test_a_run_end_to_end_then_its_experiment_is_deleted(infra, training, dataset_id) -> None:
    store = S3ObjectStore(infra.s3)
    run_events, report, deleted = asyncio.run(scenario_end_to_end(infra, dataset_id))
    life = [e.type for e in run_events if e.type != "training.log"]
    assert life == ["training.queued", "training.started", "training.epoch_completed", "training.epoch_completed",
                    "training.completed", "training.evaluation_completed"]
    by_type = {e.type: e for e in run_events}
    assert [e.payload.epoch for e in run_events if e.type == "training.epoch_completed"] == [1, 2]
    assert by_type["training.log"].payload.lines and by_type["training.evaluation_completed"].owner == "user-it"
    evaluation = by_type["training.evaluation_completed"].payload
    assert 0 <= evaluation.record_accuracy <= 1 and len(evaluation.confusion) == 2
    completed = by_type["training.completed"].payload
    assert report.payload.capacity is not None and report.payload.capacity.slots == 1
    assert deleted.payload.objects_removed == 4  # checkpoint, model, history, evaluation report
    for key in (*completed.artefacts.values(), evaluation.report_key):
        assert not store.exists(key)


async def scenario_cancel_and_resume(infra, dataset_id: str, epochs: int):
    async with EventTap(infra.kafka_bootstrap, TRAINING_TOPICS) as tap:
        request = run_request(dataset_id, epochs=epochs)
        ids = {"experiment_id": request.payload.experiment_id, "run_id": request.payload.run_id}
        await tap.publish(request)
        await tap.wait_for(of_run(ids["run_id"], "training.epoch_completed"), TIMEOUT_S)
        await tap.publish(command(TrainingCancelRequested(**ids)))
        cancelled = await tap.wait_for(of_run(ids["run_id"], "training.cancelled"), TIMEOUT_S)
        await tap.publish(command(TrainingResumeRequested(**ids)))
        await tap.wait_for(of_run(ids["run_id"], "training.evaluation_completed"), TIMEOUT_S)
        return cancelled, tap.matching(of_run(ids["run_id"]))


def test_cancel_keeps_the_checkpoint_and_resume_continues_from_it(infra, training, dataset_id) -> None:
    epochs = 12
    cancelled, run_events = asyncio.run(scenario_cancel_and_resume(infra, dataset_id, epochs))
    assert 1 <= cancelled.payload.epoch < epochs
    assert S3ObjectStore(infra.s3).exists(cancelled.payload.checkpoint_key)
    starts = [e.payload.start_epoch for e in run_events if e.type == "training.started"]
    assert starts == [0, cancelled.payload.epoch]
    numbers = [e.payload.epoch for e in run_events if e.type == "training.epoch_completed"]
    assert numbers == list(range(1, epochs + 1))


async def scenario_missing(infra):
    async with EventTap(infra.kafka_bootstrap, TRAINING_TOPICS) as tap:
        request = run_request("ds-never-existed", epochs=1)
        await tap.publish(request)
        return await tap.wait_for(of_run(request.payload.run_id, "training.failed"), TIMEOUT_S)


def test_a_run_whose_data_set_is_gone_fails_with_the_reason(infra, training) -> None:
    failed = asyncio.run(scenario_missing(infra))
    assert "data set ds-never-existed no longer exists" in failed.payload.reason
    assert training.alive()
