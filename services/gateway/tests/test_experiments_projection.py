"""Projection of the training events: idempotent, order-tolerant, never regressing a finished run; pushed to owners."""

import json
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pfd_shared.events.training import (
    TrainingCancelled,
    TrainingFailed,
    TrainingLog,
    TrainingQueued,
    TrainingStarted,
)
from pfd_shared.testing.training_events import dataset_ready, envelope, epoch, run_life

CONFIG = {"model": "cnn1d", "window": {"length": 512}, "epochs": 3, "seeds": [0, 1, 2]}


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def owner(alice) -> str:
    return (await alice.get("/api/v1/auth/me")).json()["user"]["id"]


@pytest.fixture
async def experiment(harness, alice, owner) -> dict:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner))
    response = await alice.post("/api/v1/experiments", json={"name": "e", "dataset_id": dataset_id, "config": CONFIG})
    assert response.status_code == 201, response.text
    return response.json()


async def publish_all(harness, envelopes) -> None:
    for item in envelopes:
        await harness.gateway.runtime.bus.publish(item)


def later(seconds: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=10 + seconds)


async def test_a_runs_life_fills_the_read_model_and_metrics_are_mean_and_std_over_seeds(harness, alice, owner,
                                                                                       experiment) -> None:
    experiment_id, accuracies = experiment["experiment_id"], [0.9, 0.8, 0.95]
    for run, accuracy in zip(experiment["runs"], accuracies, strict=True):
        await publish_all(harness, run_life(experiment_id, run["run_id"], experiment["dataset_id"], owner, later(),
                                            record_accuracy=accuracy))
    shown = (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()
    assert shown["status"] == "evaluated" and shown["runs_done"] == 3 and shown["worker"] is None
    run = shown["runs"][0]
    assert run["status"] == "evaluated" and run["epoch"] == 3 and run["worker"] == "w1" and run["parameters"] == 1234
    record = shown["metrics"]["record_accuracy"]
    assert record["mean"] == pytest.approx(statistics.mean(accuracies))
    assert record["std"] == pytest.approx(statistics.stdev(accuracies)) and record["count"] == 3
    assert record["values"] == pytest.approx(accuracies)
    assert {"val_accuracy", "macro_f1", "ece", "record_accuracy_20dB", "f1.healthy", "auc.inner_race"} <= set(
        shown["metrics"])
    curves = (await alice.get(f"/api/v1/experiments/{experiment_id}/runs/{run['run_id']}/epochs")).json()
    assert [point["epoch"] for point in curves] == [1, 2, 3]


async def test_redelivered_events_change_nothing(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    life = run_life(experiment_id, run_id, experiment["dataset_id"], owner, later())
    log = envelope(TrainingLog(experiment_id=experiment_id, run_id=run_id, lines=("a", "b")), owner, later())
    await publish_all(harness, [*life, log])
    first = (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()
    await publish_all(harness, [*life, log, *life])
    again = (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()
    def state(runs):
        return [{key: value for key, value in run.items() if key != "updated_at"} for run in runs]

    assert state(again["runs"]) == state(first["runs"]) and again["metrics"] == first["metrics"]
    base = f"/api/v1/experiments/{experiment_id}/runs/{run_id}"
    assert len((await alice.get(f"{base}/epochs")).json()) == 3
    assert [line["line"] for line in (await alice.get(f"{base}/logs")).json()] == ["a", "b"]


async def test_events_in_any_order_never_regress_a_finished_run(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    queued, started, *epochs, completed, evaluated = run_life(experiment_id, run_id, experiment["dataset_id"], owner,
                                                              later())
    await publish_all(harness, [evaluated, completed, started, *reversed(epochs), queued])
    stale_failure = envelope(TrainingFailed(experiment_id=experiment_id, run_id=run_id, reason="old"), owner, later(-5))
    await publish_all(harness, [stale_failure, envelope(epoch(experiment_id, run_id, 2, 3), owner, later(30))])
    run = (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]
    assert run["status"] == "evaluated" and run["epoch"] == 3 and run["error"] is None
    assert run["metrics"] == {"val_accuracy": pytest.approx(0.9)} and run["best_epoch"] == 3


async def test_an_epoch_before_its_start_event_shows_the_run_running(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    await publish_all(harness, [envelope(epoch(experiment_id, run_id, 1, 3), owner, later())])
    run = (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]
    assert run["status"] == "running" and run["epoch"] == 1 and run["eta_s"] == pytest.approx(4.0)
    await publish_all(harness, [envelope(TrainingQueued(experiment_id=experiment_id, run_id=run_id), owner, later(-1))])
    assert (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]["status"] == "running"


async def test_events_older_than_a_resume_do_not_move_the_resumed_run(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    old = datetime.now(UTC)
    await publish_all(harness, [envelope(TrainingCancelled(experiment_id=experiment_id, run_id=run_id, epoch=2,
                                                           checkpoint_key="ck/2"), owner, old)])
    assert (await alice.post(f"/api/v1/experiments/{experiment_id}/resume")).status_code == 202
    started = TrainingStarted(experiment_id=experiment_id, run_id=run_id, worker="w2", epochs=3, start_epoch=2,
                              train_windows=10, val_windows=2)
    await publish_all(harness, [envelope(started, owner, old - timedelta(seconds=1))])
    run = (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]
    assert run["status"] == "resuming" and run["checkpoint_key"] == "ck/2"
    await publish_all(harness, [envelope(started, owner, later())])
    run = (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]
    assert run["status"] == "running" and run["start_epoch"] == 2 and run["worker"] == "w2"


async def test_a_failure_shows_its_reason_on_the_run_and_the_experiment(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][1]["run_id"]
    await publish_all(harness, [envelope(TrainingFailed(experiment_id=experiment_id, run_id=run_id,
                                                        reason="data set gone"), owner, later())])
    shown = (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()
    assert shown["runs"][1]["status"] == "failed" and shown["runs"][1]["error"] == "data set gone"
    assert shown["error"] == "data set gone" and shown["status"] == "requested"  # other runs still wait


async def test_logs_are_bounded_and_paged_after_an_id(harness, alice, owner, experiment) -> None:
    service = harness.gateway.experiments
    service.settings = service.settings.model_copy(update={"log_lines_kept": 10, "log_lines_shown": 4})
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    for batch in range(5):
        lines = tuple(f"line {batch * 3 + i}" for i in range(3))
        await publish_all(harness, [envelope(TrainingLog(experiment_id=experiment_id, run_id=run_id, lines=lines),
                                             owner, later(batch))])
    base = f"/api/v1/experiments/{experiment_id}/runs/{run_id}/logs"
    shown = (await alice.get(base, params={"limit": 100})).json()
    assert [line["line"] for line in shown] == ["line 11", "line 12", "line 13", "line 14"]
    after = (await alice.get(base, params={"after_id": shown[1]["id"]})).json()
    assert [line["line"] for line in after] == ["line 13", "line 14"]
    async with harness.gateway.runtime.database.sessions() as session:
        kept = (await session.execute(select(func.count()).select_from(service.tables.logs))).scalar_one()
    assert kept == 10


async def test_events_are_pushed_to_their_owner_only(harness, owner, experiment) -> None:
    hub = harness.gateway.hub
    mine, theirs = hub.subscribe(owner), hub.subscribe("someone-else")
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    await publish_all(harness, [envelope(epoch(experiment_id, run_id, 1, 3), owner, later())])
    frame = json.loads(mine.queue.get_nowait())
    assert frame["type"] == "training.epoch_completed" and frame["data"]["payload"]["run_id"] == run_id
    assert theirs.queue.empty()
    hub.unsubscribe(mine)
    hub.unsubscribe(theirs)


async def test_a_worker_clock_behind_the_gateways_still_moves_a_new_run(harness, alice, owner, experiment) -> None:
    experiment_id, run_id = experiment["experiment_id"], experiment["runs"][0]["run_id"]
    behind = datetime.now(UTC) - timedelta(minutes=5)  # the worker's clock, behind the gateway's that created it
    await publish_all(harness, [envelope(TrainingQueued(experiment_id=experiment_id, run_id=run_id, worker="w"),
                                         owner, behind)])
    assert (await alice.get(f"/api/v1/experiments/{experiment_id}/runs")).json()[0]["status"] == "queued"
