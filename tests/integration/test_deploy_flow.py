"""deploy through the real broker, PostgreSQL and S3: it learns a trained run from training's events, exports it
(parity, variants, benchmark) into the registry, moves an alias, and after a restart still resolves the alias
from its registry and serves a prediction from it."""

import asyncio
import json
import sys
import urllib.request
from uuid import uuid4

import pytest
import torch

from pfd_deploy.db import messaging_tables
from pfd_deploy.registry.store import RegistryStore
from pfd_shared import topics
from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.events import new_envelope
from pfd_shared.events.deploy import DeploymentRequested, ModelAliasSetRequested
from pfd_shared.events.training import TrainingCompleted
from pfd_shared.localstack.processes import free_port
from pfd_shared.models import ModelSpec, build_model, save_artefact
from pfd_shared.settings import DatabaseSettings
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, sample_signals, training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.testing.training_events import evaluation
from pfd_shared.training.catalogue import model_info

pytestmark = pytest.mark.integration
DEPLOY_TOPICS = (topics.DEPLOYMENT_PROGRESS, topics.MODEL_EXPORTED, topics.BENCHMARK_COMPLETED,
                 topics.DEPLOYMENT_FAILED, topics.MODEL_ALIAS_CHANGED)
TIMEOUT_S = 300
RETRY_S = 1.0
RATE_HZ, WINDOW, RECORD_SAMPLES = 1_000.0, 256, 1024
FAST = {"LATENCY_RUNS": "10", "THROUGHPUT_RUNS": "3", "MAX_CHECK_WINDOWS": "64", "MAX_CALIBRATION_WINDOWS": "32"}


class Deploy:
    """The deploy process, restartable on the same database."""

    def __init__(self, env: dict[str, str], port: int, log_dir) -> None:
        self.env, self.port, self.log_dir, self.starts = env, port, log_dir, 0
        self.proc = None

    def start(self) -> None:
        self.starts += 1
        self.proc = start_service("deploy", [sys.executable, "-m", "pfd_deploy"], self.env, self.port,
                                  self.log_dir / f"deploy-{self.starts}.log")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


@pytest.fixture(scope="module")
def database_url(infra):
    with fresh_postgres_database(infra.postgres_url) as url:
        yield url


@pytest.fixture(scope="module")
def deploy(infra, database_url, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("deploy")
    port = free_port()
    env = service_env("PFD_DEPLOY_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
    env.update({f"PFD_DEPLOY_{key}": value for key, value in FAST.items()})
    service = Deploy(env, port, var_dir)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def facts(infra):
    """A tiny trained cnn1d and its data set where training and data-gen store them, and training's events."""
    store, suffix = S3ObjectStore(infra.s3), uuid4().hex[:8]
    torch.manual_seed(0)
    params = {**model_info("cnn1d").resolve("small"), "width": 4}
    spec = ModelSpec(name="cnn1d", params=params, class_names=TEST_CLASSES, window_length=WINDOW,
                     sample_rate_hz=RATE_HZ)
    experiment_id, run_id, dataset_id = f"exp-{suffix}", f"run-{suffix}", f"ds-{suffix}"
    model_key = f"results/{experiment_id}/{run_id}/model.pt"
    store.put_bytes(model_key, save_artefact(build_model("cnn1d", params, 2, WINDOW).eval(), spec))
    store.put_bytes(f"datasets/{dataset_id}/dataset.h5", training_dataset_bytes(6, RECORD_SAMPLES, RATE_HZ))
    completed = TrainingCompleted(experiment_id=experiment_id, run_id=run_id, metrics={"val_accuracy": 0.8},
                                  epochs_run=1, best_epoch=1, artefacts={"model": model_key}, seconds=1.0)
    evaluated = evaluation(experiment_id, run_id, dataset_id, record_accuracy=0.75, report_key="r.json",
                           class_names=TEST_CLASSES)
    return completed, evaluated, f"model-{suffix}"


def request(facts) -> DeploymentRequested:
    completed, _, model_name = facts
    return DeploymentRequested(deployment_id=f"dep-{uuid4().hex[:8]}", experiment_id=completed.experiment_id,
                               run_id=completed.run_id, model_name=model_name, variants=["fp32", "int8_static"])


def about(deployment_id: str, event_type: str):
    return lambda e: e.type == event_type and e.payload.deployment_id == deployment_id


def alias_changed(model_name: str, reason: str):
    return lambda e: e.type == "deploy.model_alias_changed" and e.payload.model_name == model_name and \
        e.payload.reason == reason


async def first_deployment(tap: EventTap, facts):
    """Deploy until the service has recorded the run (the facts travel on other topics)."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while True:
        wanted = request(facts)
        await tap.publish(new_envelope(wanted, producer="it", owner="user-it"))
        outcome = await tap.wait_for(lambda e: e.type in ("deploy.model_exported", "deploy.deployment_failed")
                                     and e.payload.deployment_id == wanted.deployment_id, TIMEOUT_S)
        if outcome.type == "deploy.model_exported" or "unknown" not in outcome.payload.reason \
                or asyncio.get_running_loop().time() > deadline:  # the run or its data set is not known yet
            return wanted, outcome
        await asyncio.sleep(RETRY_S)


async def set_alias(tap: EventTap, model_name: str, version: int, reason: str):
    await tap.publish(new_envelope(ModelAliasSetRequested(model_name=model_name, alias="production", version=version,
                                                          actor="user-it", reason=reason), producer="it"))
    return await tap.wait_for(alias_changed(model_name, reason), TIMEOUT_S)


async def before_restart(infra, facts):
    async with EventTap(infra.kafka_bootstrap, DEPLOY_TOPICS) as tap:
        for fact in facts[:2]:
            await tap.publish(new_envelope(fact, producer="it"))
        wanted, exported = await first_deployment(tap, facts)
        benchmark = await tap.wait_for(about(wanted.deployment_id, "deploy.benchmark_completed"), TIMEOUT_S)
        moved = await set_alias(tap, facts[2], 1, "first release")
        progress = tap.matching(about(wanted.deployment_id, "deploy.deployment_progress"))
        return exported, benchmark, moved, progress


async def after_restart(infra, facts, database_url):
    engine = make_engine(database_url, DatabaseSettings())
    try:
        registry = RegistryStore(make_session_factory(engine), messaging_tables.outbox, None, "it")
        served = await registry.resolve(facts[2], alias="production")
        history = await registry.history(facts[2], "production")
    finally:
        await engine.dispose()
    async with EventTap(infra.kafka_bootstrap, DEPLOY_TOPICS) as tap:
        again = await set_alias(tap, facts[2], 1, "again after the restart")
    return served, history, again


def predict(port: int, model_name: str) -> dict:
    """One signal through the restarted service's inference API, under the production alias."""
    body = json.dumps({"signal": sample_signals(1, RECORD_SAMPLES, RATE_HZ)[0].tolist(), "sample_rate_hz": RATE_HZ})
    call = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models/{model_name}/predict?alias=production",
                                  data=body.encode(), headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(call, timeout=TIMEOUT_S) as response:
        return json.loads(response.read())


def test_a_run_is_exported_registered_aliased_and_survives_a_restart(infra, deploy, facts, database_url) -> None:
    exported, benchmark, moved, progress = asyncio.run(before_restart(infra, facts))
    assert exported.type == "deploy.model_exported", exported.payload
    assert exported.payload.version == 1 and exported.owner == "user-it"
    assert {v.variant for v in exported.payload.variants} == {"fp32", "int8_static"}
    assert exported.payload.parity["argmax_agreement"] >= 0.999
    store = S3ObjectStore(infra.s3)
    assert all(store.exists(v.object_key) for v in exported.payload.variants)
    assert {r.variant for r in benchmark.payload.results} == {"fp32", "int8_static"} and benchmark.payload.notes
    assert progress and moved.payload.refused_reason is None and moved.payload.version == 1
    deploy.stop()
    deploy.start()
    served, history, again = asyncio.run(after_restart(infra, facts, database_url))
    assert (served.version, served.alias, served.owner_id) == (1, "production", "user-it")
    assert store.exists(served.object_key) and served.class_names == TEST_CLASSES
    assert [(h["from_version"], h["to_version"]) for h in history] == [(None, 1)]
    assert "already points at version 1" in again.payload.refused_reason  # the restarted service knows the alias
    prediction = predict(deploy.port, facts[2])
    assert (prediction["version"], prediction["alias"]) == (1, "production")
    assert prediction["predicted_class"] in TEST_CLASSES and prediction["windows"] == RECORD_SAMPLES // WINDOW
