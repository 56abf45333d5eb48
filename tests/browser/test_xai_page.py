"""The Explain (XAI) page in a real browser against a real gateway AND a real xai worker (pfd-xai), on the real
broker, PostgreSQL and S3: from a misclassified record on the Results page to an Integrated Gradients + frequency
band explanation with pushed progress, its heatmap and band chart, reopening a cached explanation, a bad request
refused with its reason, and a data set's embedding projected by class.

No training worker: a small (untrained) cnn1d artefact is written to S3 and the run's training events are
published as the training service would (the gateway projects them, xai learns the model from them).
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.training import MisclassifiedRecord, TrainingCompleted, TrainingStarted
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, TEST_FEATURE_NAMES, training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.testing.publishing import publish_events
from pfd_shared.testing.training_events import evaluation

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect
torch = pytest.importorskip("torch")
pytest.importorskip("pfd_xai")

FS, RECORDS_PER_CLASS, SAMPLES, WINDOW = 12_000.0, 4, 1_024, 256
LOGS = Path(__file__).resolve().parents[2] / "test-output" / "logs"
PAGE_TIMEOUT_MS = 60_000  # a render on a busy shared machine
EXPLAIN_TIMEOUT_MS = 180_000  # the xai worker computes on the same loaded cores
DEFAULT_EXPECT_MS = 15_000  # tests/browser/conftest.py's limit
READY_TIMEOUT_S = 180.0
POLL_S = 0.5
CONFIG = {"model": "cnn1d", "preset": "small", "window": {"length": WINDOW}, "epochs": 1, "seeds": [0]}


@pytest.fixture(scope="module")
def xai_worker(infra, tmp_path_factory) -> Iterator[None]:
    var_dir = tmp_path_factory.mktemp("browser-xai")
    port = free_port()
    with fresh_postgres_database(infra.postgres_url) as database_url:
        env = service_env("PFD_XAI_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
        env |= {"PFD_XAI_TELEMETRY__LOG_FORMAT": "console", "OMP_NUM_THREADS": "1"}
        proc = start_service("xai", [sys.executable, "-m", "pfd_xai"], env, port, var_dir / "xai.log")
        try:
            yield
        finally:
            proc.stop()
            LOGS.mkdir(parents=True, exist_ok=True)  # kept beside the screenshots for a failure's diagnosis
            shutil.copy(var_dir / "xai.log", LOGS / "browser-xai.log")


@pytest.fixture(autouse=True)
def patient(signed_in) -> Iterator[None]:
    signed_in.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    yield
    expect.set_options(timeout=DEFAULT_EXPECT_MS)


def api(page, method: str, path: str, **body):
    tokens = [c["value"] for c in page.context.cookies() if c["name"] == "pfd_csrf"]
    headers = {"X-CSRF-Token": tokens[0]} if tokens else {}
    response = page.request.fetch(path, method=method, headers=headers, data=body or None)
    assert response.ok, response.text()
    return response.json()


def poll(check, what: str):
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if (found := check()) is not None:
            return found
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def trained_run(infra, browser, gateway, admin, xai_worker) -> dict[str, str]:
    """A ready data set and an evaluated cnn1d run of the admin's whose model artefact lies in S3."""
    from pfd_shared.models import ModelSpec, build_model, save_artefact
    from pfd_shared.training.catalogue import model_info

    context = browser.new_context(base_url=gateway.url)
    page = context.new_page()
    api(page, "POST", "/api/v1/auth/login", email=admin.email, password=admin.password)
    owner = api(page, "GET", "/api/v1/auth/me")["user"]["id"]
    store, dataset_id = S3ObjectStore(infra.s3), f"xai{uuid4().hex[:10]}"
    content = training_dataset_bytes(RECORDS_PER_CLASS, SAMPLES, FS)
    store.put_bytes(f"datasets/{dataset_id}/dataset.h5", content)
    records = RECORDS_PER_CLASS * len(TEST_CLASSES)
    publish_events(infra.kafka_bootstrap, DatasetReady(
        dataset_id=dataset_id, name="xai-set", kind="synthetic", object_key=f"datasets/{dataset_id}/dataset.h5",
        size_bytes=len(content), sha256="00", records=records, samples_per_record=SAMPLES, sample_rate_hz=FS,
        class_names=TEST_CLASSES, class_counts=(RECORDS_PER_CLASS,) * len(TEST_CLASSES),
        feature_names=TEST_FEATURE_NAMES, split_counts={"train": 4, "val": 2, "test": 2}, seconds=0.1), owner=owner)
    poll(lambda: True if (shown := page.request.get(f"/api/v1/datasets/{dataset_id}")).ok
         and shown.json()["status"] == "ready" else None, "the data set ready")
    created = api(page, "POST", "/api/v1/experiments", name="xai-exp", dataset_id=dataset_id, config=CONFIG)
    experiment_id, run_id = created["experiment_id"], created["runs"][0]["run_id"]
    torch.manual_seed(0)
    params = model_info("cnn1d").resolve("small")
    spec = ModelSpec(name="cnn1d", params=params, class_names=TEST_CLASSES, window_length=WINDOW, sample_rate_hz=FS)
    model_key = f"results/{experiment_id}/{run_id}/model.pt"
    store.put_bytes(model_key, save_artefact(build_model("cnn1d", params, len(TEST_CLASSES), WINDOW).eval(), spec))
    evaluated = evaluation(experiment_id, run_id, dataset_id, record_accuracy=0.5, class_names=TEST_CLASSES,
                           report_key=f"results/{experiment_id}/{run_id}/report.json").model_copy(update={
        "misclassified": (MisclassifiedRecord(record=5, true_class="outer_race", predicted_class="healthy",
                                              confidence=0.7),)})
    publish_events(infra.kafka_bootstrap, TrainingStarted(
        experiment_id=experiment_id, run_id=run_id, worker="test", epochs=1, train_windows=8, val_windows=2),
        TrainingCompleted(experiment_id=experiment_id, run_id=run_id, metrics={}, epochs_run=1, best_epoch=1,
                          artefacts={"model": model_key}, seconds=1.0), evaluated, owner=owner)
    poll(lambda: True if api(page, "GET", f"/api/v1/experiments/{experiment_id}")["status"] == "evaluated" else None,
         "the run evaluated")

    def warmed_up() -> str | None:  # xai learns the model from TrainingCompleted: ask until it knows it
        asked = api(page, "POST", "/api/v1/explanations", experiment_id=experiment_id, run_id=run_id,
                    input={"dataset_id": dataset_id, "record": 0, "window": 0}, methods={"saliency": {}})
        found = poll(lambda: finished(api(page, "GET", f"/api/v1/explanations/{asked['explanation_id']}")),
                     "the warm-up explanation")
        return found["explanation_id"] if found["status"] == "ready" else None

    warm = poll(warmed_up, "xai to know the model")
    context.close()
    return {"experiment_id": experiment_id, "run_id": run_id, "dataset_id": dataset_id, "warm": warm}


def finished(explanation: dict) -> dict | None:
    return explanation if explanation["status"] in ("ready", "failed") else None


def trace_types(page, graph_id: str) -> list[str]:
    return page.evaluate("(id) => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => t.type)",
                         graph_id)


def trace_names(page, graph_id: str) -> list[str]:
    return page.evaluate("(id) => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => t.name)",
                         graph_id)


def test_explain_a_misclassified_record_then_reopen_and_refuse(signed_in, trained_run, shoot) -> None:
    page, run = signed_in, trained_run
    page.goto(f"/experiments/results?id={run['experiment_id']}")
    page.locator(".pfd-exp-explain-link").first.click()
    expect(page).to_have_url(re.compile(r"/xai\?experiment=.*record=5"))
    expect(page.locator("#shell-sidebar")).to_contain_text("Explain")
    expect(page.locator("#xai-experiment")).to_have_value(run["experiment_id"])
    expect(page.locator("#xai-run")).to_have_value(run["run_id"])
    expect(page.locator("#xai-dataset")).to_have_value(run["dataset_id"])
    expect(page.locator("#xai-record")).to_have_value("5")
    expect(page.locator("#xai-cached-list")).to_be_visible()  # the warm-up explanation
    page.click("#xai-run-button")
    expect(page.locator("#xai-status-badge")).to_be_visible()
    expect(page.locator("#xai-status-badge")).to_have_text("ready", timeout=EXPLAIN_TIMEOUT_MS)
    shown = poll(lambda: found if (found := page.request.get("/api/v1/explanations").json()[0])["done"] == 2
                 else None, "the last progress report projected")  # progress events reached the read model
    assert shown["input"]["record"] == 5 and shown["total"] == 2 and shown["status"] == "ready"
    expect(page.locator("#xai-heatmap .js-plotly-plot")).to_be_visible()
    expect(page.locator("#xai-target-class")).to_have_text(re.compile("healthy|outer_race"))
    expect(page.locator("#xai-completeness")).to_contain_text("IG completeness error")
    assert trace_types(page, "xai-heatmap") == ["heatmap", "scatter"]
    assert trace_types(page, "xai-bands") == ["bar"]
    shoot(page, "xai-explanation")

    page.locator("#xai-cached-list >> text=Saliency").first.click()  # reopen the cached warm-up explanation
    expect(page.locator("#xai-stage")).to_contain_text("ready")
    page.wait_for_function("() => document.querySelector('#xai-heatmap .js-plotly-plot').data[0].name === 'Saliency'")
    assert "Saliency" in trace_names(page, "xai-heatmap")

    page.fill("#xai-window", "9")
    page.locator("#xai-window").blur()
    page.click("#xai-run-button")
    expect(page.locator("#shell-error-alert")).to_contain_text("input.window")
    expect(page.locator("#shell-error-alert")).to_contain_text("window 9 does not exist")
    shoot(page, "xai-refused")


def test_embedding_of_a_data_set_by_class(signed_in, trained_run, shoot) -> None:
    page, run = signed_in, trained_run
    page.goto(f"/xai?experiment={run['experiment_id']}&run={run['run_id']}")
    expect(page.locator("#xai-embedding-dataset")).to_have_value(run["dataset_id"])
    page.click("#xai-embedding-run")
    expect(page.locator("#xai-embedding-badge")).to_have_text("ready", timeout=EXPLAIN_TIMEOUT_MS)
    names = trace_names(page, "xai-embedding-graph")
    assert set(names) - {name for name in names if name.startswith("misclassified")} <= set(TEST_CLASSES)
    assert any(name in TEST_CLASSES for name in names)
    shoot(page, "xai-embedding")
