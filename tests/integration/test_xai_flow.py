"""xai through the real broker, PostgreSQL and S3: it learns a run's model and a data set from their events,
explains a record's window, answers the same question from its cache, and rejects an unknown run; it projects
the run's embedding of the data set to 2-D and answers the repeat from its cache too."""

import asyncio
import io
import sys
from uuid import uuid4

import numpy as np
import pytest
import torch

from pfd_shared import topics
from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.training import TrainingCompleted
from pfd_shared.events.xai import EmbeddingRequested, ExplanationInput, ExplanationRequested
from pfd_shared.localstack.processes import free_port
from pfd_shared.models import ModelSpec, build_model, save_artefact
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import dataset_file_bytes, sample_signals
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.training.catalogue import model_info

pytestmark = pytest.mark.integration
XAI_TOPICS = (topics.EXPLANATION_PROGRESS, topics.EXPLANATION_READY, topics.EXPLANATION_FAILED,
              topics.EMBEDDING_READY, topics.EMBEDDING_FAILED)
TIMEOUT_S = 120
RETRY_S = 1.0
RATE_HZ, WINDOW, RECORD_SAMPLES = 12_000.0, 512, 2048
EMBEDDED_WINDOWS = 10  # of 12 (3 records of 4 windows; records 0 and 2 are one class, record 1 the other)


@pytest.fixture(scope="module")
def xai(infra, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("xai")
    port = free_port()
    with fresh_postgres_database(infra.postgres_url) as url:
        env = service_env("PFD_XAI_", infra, port=port, var_dir=str(var_dir), database_url=url)
        proc = start_service("xai", [sys.executable, "-m", "pfd_xai"], env, port, var_dir / "xai.log")
        try:
            yield proc
        finally:
            proc.stop()


@pytest.fixture(scope="module")
def facts(infra) -> tuple[TrainingCompleted, DatasetReady]:
    """A trained run's model and a data set stored where training and data-gen store them, and their events."""
    store, suffix = S3ObjectStore(infra.s3), uuid4().hex[:8]
    torch.manual_seed(0)
    params = model_info("cnn1d").resolve("small")
    spec = ModelSpec(name="cnn1d", params=params, class_names=("healthy", "fault"), window_length=WINDOW,
                     sample_rate_hz=RATE_HZ)
    model_key = f"results/exp-{suffix}/run-{suffix}/model.pt"
    store.put_bytes(model_key, save_artefact(build_model("cnn1d", params, 2, WINDOW).eval(), spec))
    dataset_key = f"datasets/ds-{suffix}/dataset.h5"
    store.put_bytes(dataset_key, dataset_file_bytes(sample_signals(3, RECORD_SAMPLES, RATE_HZ), RATE_HZ))
    completed = TrainingCompleted(experiment_id=f"exp-{suffix}", run_id=f"run-{suffix}", metrics={}, epochs_run=1,
                                  best_epoch=1, artefacts={"model": model_key}, seconds=1.0)
    ready = DatasetReady(dataset_id=f"ds-{suffix}", name="it", kind="synthetic", object_key=dataset_key, size_bytes=1,
                         sha256="0" * 64, records=3, samples_per_record=RECORD_SAMPLES, sample_rate_hz=RATE_HZ,
                         class_names=("healthy", "fault"), class_counts=(2, 1), feature_names=(), split_counts={},
                         seconds=0.0)
    return completed, ready


def explain(facts, explanation_id: str, run_id: str | None = None):
    completed, ready = facts
    return new_envelope(ExplanationRequested(
        explanation_id=explanation_id, experiment_id=completed.experiment_id, run_id=run_id or completed.run_id,
        input=ExplanationInput(dataset_id=ready.dataset_id, record=1, window=2),
        methods={"integrated_gradients": {"n_steps": 50}, "occlusion": {}, "band_occlusion": {"n_bands": 8}},
        randomisation_check=True), producer="it", owner="user-it")


def outcome_of(explanation_id: str):
    return lambda e: (e.type != "xai.explanation_progress"
                      and getattr(e.payload, "explanation_id", None) == explanation_id)


def embedding_outcome_of(embedding_id: str):
    return lambda e: getattr(e.payload, "embedding_id", None) == embedding_id


async def first_answer(tap, facts, make_request, outcome, ready_type: str):
    """Publish the facts, then the request (anew each time) until xai has recorded the facts and answers."""
    for fact in facts:
        await tap.publish(new_envelope(fact, producer="it"))
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while True:  # the facts travel on other topics: retry until xai has recorded them
        request = make_request()
        await tap.publish(request)
        answer = await tap.wait_for(outcome(request.payload.key()), TIMEOUT_S)
        if answer.type == ready_type or asyncio.get_running_loop().time() > deadline:
            return request, answer
        await asyncio.sleep(RETRY_S)


async def scenario(infra, facts):
    async with EventTap(infra.kafka_bootstrap, XAI_TOPICS) as tap:
        first, outcome = await first_answer(tap, facts, lambda: explain(facts, f"ex-{uuid4().hex[:8]}"), outcome_of,
                                            "xai.explanation_ready")
        repeat = explain(facts, f"ex-{uuid4().hex[:8]}")
        await tap.publish(repeat)
        cached = await tap.wait_for(outcome_of(repeat.payload.explanation_id), TIMEOUT_S)
        unknown = explain(facts, f"ex-{uuid4().hex[:8]}", run_id="run-never-trained")
        await tap.publish(unknown)
        failed = await tap.wait_for(outcome_of(unknown.payload.explanation_id), TIMEOUT_S)
        progress = tap.matching(lambda e: e.type == "xai.explanation_progress"
                                and e.payload.explanation_id == first.payload.explanation_id)
        return outcome, cached, failed, progress


def test_an_explanation_end_to_end_then_from_the_cache(infra, xai, facts) -> None:
    ready, cached, failed, progress = asyncio.run(scenario(infra, facts))
    assert ready.type == "xai.explanation_ready", ready.payload
    assert not ready.payload.cached and ready.owner == "user-it" and progress
    summary = ready.payload.summary
    assert summary["completeness"]["relative_error"] < 0.05 and set(summary["randomisation"]) == {
        "integrated_gradients", "occlusion"}
    arrays = np.load(io.BytesIO(S3ObjectStore(infra.s3).get_bytes(ready.payload.attributions_key)))
    assert arrays["attr_occlusion"].shape == (1, WINDOW) and arrays["band_drop"].shape == (8,)
    assert cached.type == "xai.explanation_ready" and cached.payload.cached
    assert cached.payload.cache_key == ready.payload.cache_key
    assert failed.type == "xai.explanation_failed" and "unknown model" in failed.payload.reason


def embed(facts, method: str = "pca"):
    completed, ready = facts
    return new_envelope(EmbeddingRequested(
        embedding_id=f"em-{uuid4().hex[:8]}", experiment_id=completed.experiment_id, run_id=completed.run_id,
        dataset_id=ready.dataset_id, method=method, max_windows=EMBEDDED_WINDOWS, seed=3),
        producer="it", owner="user-it")


async def embedding_scenario(infra, facts):
    async with EventTap(infra.kafka_bootstrap, XAI_TOPICS) as tap:
        _, first = await first_answer(tap, facts, lambda: embed(facts), embedding_outcome_of, "xai.embedding_ready")
        repeat = embed(facts)
        await tap.publish(repeat)
        cached = await tap.wait_for(embedding_outcome_of(repeat.payload.embedding_id), TIMEOUT_S)
        return first, cached


def test_an_embedding_end_to_end_then_from_the_cache(infra, xai, facts) -> None:
    first, cached = asyncio.run(embedding_scenario(infra, facts))
    assert first.type == "xai.embedding_ready", first.payload
    assert not first.payload.cached and first.owner == "user-it" and first.payload.points == EMBEDDED_WINDOWS
    points = np.load(io.BytesIO(S3ObjectStore(infra.s3).get_bytes(first.payload.points_key)))
    assert points["xy"].shape == (EMBEDDED_WINDOWS, 2) and np.isfinite(points["xy"]).all()
    assert sorted(np.bincount(points["labels"]).tolist()) == [4, 6]  # class 1 has only 4 windows, class 0 the rest
    assert first.payload.class_names[:2] == ["healthy", "outer_race"]
    assert cached.type == "xai.embedding_ready" and cached.payload.cached
    assert cached.payload.points_key == first.payload.points_key
