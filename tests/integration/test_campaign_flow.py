"""A hyperparameter campaign end to end on the real broker, PostgreSQL and S3: a real gateway runs the Optuna study
(its storage in the gateway's database, own schema), a real training worker trains every trial as an ordinary
experiment. A hopeless trial (learning rate 1.0: its loss explodes) is pruned by the median pruner and its experiment cancelled;
stopping cancels the running trial and resuming continues the same study (trial numbers go on).

The grid sampler with seed 2 asks (lr, width) = (0.003, 16), (1.0, 16), (1.0, 8), (0.003, 8), ...: trial 0 trains
well, trial 1 is stopped while it runs, trial 2 (after the resume) is pruned after its first epoch, trial 3 spends the budget of 3.
"""

import asyncio
import sys
import time
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import create_engine, text

from pfd_shared import topics
from pfd_shared.db.engine import sync_url
from pfd_shared.events import decode_event
from pfd_shared.localstack.processes import free_port
from pfd_shared.settings import DatabaseSettings
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.testing.training_events import dataset_ready

from pfd_gateway.auth.provisioning import provision_api_key
from pfd_gateway.settings import GatewaySettings

pytestmark = pytest.mark.integration
pytest.importorskip("pfd_training")

FS, RECORDS_PER_CLASS, SAMPLES = 12_000.0, 10, 2_048
EPOCHS = 12  # a pruned trial's run is still training when its cancel arrives
TIMEOUT_S = 300  # four small trainings on a loaded machine
POLL_S = 0.5
CAMPAIGN_TOPICS = (topics.CAMPAIGN_TRIAL_STARTED, topics.CAMPAIGN_TRIAL_COMPLETED, topics.CAMPAIGN_TRIAL_PRUNED,
                   topics.CAMPAIGN_COMPLETED, topics.CAMPAIGN_STOPPED)
WORKER = {"PFD_TRAINING_TORCH_THREADS": "1", "PFD_TRAINING_QUEUE_POLL_S": "0.5", "PFD_TRAINING_LEASE_S": "3",
          "PFD_TRAINING_HEARTBEAT_S": "0.5"}
PRUNE_AT_ONCE = {"PFD_GATEWAY_CAMPAIGNS__MEDIAN_STARTUP_TRIALS": "1", "PFD_GATEWAY_CAMPAIGNS__MEDIAN_WARMUP_EPOCHS": "0"}
CAMPAIGN = {"name": "it campaign", "model": "cnn1d", "objective": "val_loss", "sampler": "grid", "seed": 2,
            "pruner": "median", "budget": 3, "parallelism": 1,
            "base_config": {"epochs": EPOCHS, "window": {"length": 256}, "batch_size": 32, "early_stopping_patience": 0,
                            "scheduler": {"name": "none"}},
            "space": [{"name": "optimiser.learning_rate", "kind": "categorical", "choices": [0.003, 1.0]},
                      {"name": "model_params.width", "kind": "categorical", "choices": [8, 16]}]}


@pytest.fixture(scope="module")
def stack(infra, tmp_path_factory):
    """A gateway and a training worker, each with its own fresh PostgreSQL database; an admin's API key."""
    var_dir = tmp_path_factory.mktemp("campaigns")
    with fresh_postgres_database(infra.postgres_url) as gateway_db, \
            fresh_postgres_database(infra.postgres_url) as training_db:
        key = provision_api_key(GatewaySettings(database=DatabaseSettings(url=gateway_db)), "hpo@pfd.test")
        started = []
        try:
            port = free_port()
            env = service_env("PFD_GATEWAY_", infra, port=port, var_dir=str(var_dir), database_url=gateway_db)
            started.append(start_service("gateway", [sys.executable, "-m", "pfd_gateway"], env | PRUNE_AT_ONCE,
                                         port, var_dir / "gateway.log"))
            worker_port = free_port()
            env = service_env("PFD_TRAINING_", infra, port=worker_port, var_dir=str(var_dir / "training"),
                              database_url=training_db)
            started.append(start_service("training", [sys.executable, "-m", "pfd_training"], env | WORKER,
                                         worker_port, var_dir / "training.log"))
            yield f"http://127.0.0.1:{port}", {"X-API-Key": key}, gateway_db
        finally:
            for proc in reversed(started):
                proc.stop()


def wait_until(check, what: str, timeout_s: float = TIMEOUT_S):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (value := check()) is not None:
            return value
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


async def ready_dataset(infra, api: httpx.Client, tap: EventTap) -> str:
    """A trainable data set in the gateway's bucket, made ready by the event data-gen would publish."""
    owner = api.get("/api/v1/auth/me").json()["user"]["id"]
    dataset_id = f"hpo{uuid4().hex[:10]}"
    key = f"datasets/{dataset_id}/dataset.h5"
    content = training_dataset_bytes(RECORDS_PER_CLASS, SAMPLES, FS)
    S3ObjectStore(infra.s3).put_bytes(key, content)
    await tap.publish(dataset_ready(dataset_id, owner, samples_per_record=SAMPLES, class_names=TEST_CLASSES,
                                    records=RECORDS_PER_CLASS * len(TEST_CLASSES)))
    ready = lambda: True if api.get(f"/api/v1/datasets/{dataset_id}").json().get("status") == "ready" else None  # noqa: E731
    await asyncio.to_thread(wait_until, ready, "the data set to be ready", 60)
    return dataset_id


def cancel_sent(database_url: str, experiment_id: str) -> bool | None:
    """Whether the gateway published (through its outbox) a TrainingCancelRequested for the experiment's run: the
    normal cancel path (the worker may still finish a fast run before it sees it)."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM outbox WHERE topic = :topic AND published_at IS NOT "
                                             "NULL"), {"topic": topics.TRAINING_CANCEL_REQUESTED.name}).scalars()
            sent = {decode_event(body).payload.experiment_id for body in bodies}
    finally:
        engine.dispose()
    return True if experiment_id in sent else None


def of(campaign_id: str, event_type: str, **fields):
    def match(envelope) -> bool:
        payload = envelope.payload
        return (envelope.type == event_type and getattr(payload, "campaign_id", None) == campaign_id
                and all(getattr(payload, name) == value for name, value in fields.items()))
    return match


async def scenario(infra, base: str, headers: dict[str, str], database_url: str):
    async with EventTap(infra.kafka_bootstrap, CAMPAIGN_TOPICS) as tap:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as api:
            dataset_id = await ready_dataset(infra, api, tap)
            created = api.post("/api/v1/campaigns", json=CAMPAIGN | {"dataset_id": dataset_id})
            assert created.status_code == 201, created.text
            campaign_id = created.json()["campaign_id"]
            await tap.wait_for(of(campaign_id, "campaigns.trial_completed", trial_number=0), TIMEOUT_S)
            await tap.wait_for(of(campaign_id, "campaigns.trial_started", trial_number=1), TIMEOUT_S)
            stopped = api.post(f"/api/v1/campaigns/{campaign_id}/stop")
            assert stopped.status_code == 200, stopped.text
            await tap.wait_for(of(campaign_id, "campaigns.stopped"), TIMEOUT_S)
            resumed = api.post(f"/api/v1/campaigns/{campaign_id}/resume")
            assert resumed.status_code == 200, resumed.text
            completed = await tap.wait_for(of(campaign_id, "campaigns.completed"), TIMEOUT_S)
            detail = api.get(f"/api/v1/campaigns/{campaign_id}").json()
            pruned = [t["experiment_id"] for t in detail["trials"] if t["status"] == "pruned"]
            assert pruned, [(t["trial_number"], t["status"], t["params"], t["value"], t["epoch"]) for t in detail["trials"]]
            pruned_experiment = pruned[0]
            await asyncio.to_thread(wait_until, lambda: cancel_sent(database_url, pruned_experiment),
                                    "the pruned trial's TrainingCancelRequested", 60)
            exported = api.get(f"/api/v1/campaigns/{campaign_id}/export", params={"format": "yaml"})
        return tap.matching(lambda e: getattr(e.payload, "campaign_id", None) == campaign_id), completed, detail, \
            exported


def test_a_campaign_prunes_stops_and_resumes_the_same_study(infra, stack) -> None:
    events, completed, detail, exported = asyncio.run(scenario(infra, *stack))
    statuses = {t["trial_number"]: t["status"] for t in detail["trials"]}
    assert {n: statuses[n] for n in (0, 1, 2)} == {0: "completed", 1: "stopped", 2: "pruned"}
    assert set(statuses) == {0, 1, 2, 3} and statuses[3] in ("completed", "pruned")
    pruned = [e.payload for e in events if e.type == "campaigns.trial_pruned"]
    assert [p.trial_number for p in pruned][:1] == [2] and all(p.epoch == 1 for p in pruned)
    params = {t["trial_number"]: t["params"] for t in detail["trials"]}
    assert params[2]["optimiser.learning_rate"] == 1.0
    assert [e.payload.trials_cancelled for e in events if e.type == "campaigns.stopped"] == [1]
    assert detail["status"] == "completed" and detail["spent"] == 3
    assert completed.payload.best_trial in (0, 3) and completed.payload.trials == 3 and completed.payload.best_params["optimiser.learning_rate"] == 0.003
    assert exported.status_code == 200 and "learning_rate: 0.003" in exported.text
    trial_experiments = [t["experiment_id"] for t in detail["trials"]]
    assert len(set(trial_experiments)) == 4 and all(trial_experiments)
