"""The Predict page in a real browser: the gateway forwards to the deploy service's real inference API
(``pfd_deploy.http.app.create_inference_app`` under uvicorn in a thread, ONNX Runtime on a tiny exported model,
the in-memory registry of pfd_deploy.serving.fakes), on the real broker, PostgreSQL and S3.

No deploy worker consumes batch requests here: the test publishes the Batch* events it would and checks that
the page follows them live and offers the results file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse
from uuid import uuid4

import httpx
import numpy as np
import pytest

from pfd_shared.events.deploy import BatchPredictionCompleted, BatchPredictionProgress
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.publishing import publish_events as publish
from pfd_shared.testing.training_events import dataset_ready

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect
torch = pytest.importorskip("torch")
uvicorn = pytest.importorskip("uvicorn")

MODEL, CLASSES = "bearing", ("healthy", "inner_race", "outer_race")
MODEL_RATE, WINDOW, SIGNAL_RATE = 1000.0, 256, 12_000.0
START_TIMEOUT_S, READY_TIMEOUT_S, POLL_S = 60.0, 180.0, 0.2
LOADED_TIMEOUT_MS = 60_000  # the machine is shared: actions and assertions may take long
RESULTS = b"record,predicted_class,p_healthy,p_inner_race,p_outer_race\n0,healthy,0.8,0.1,0.1\n"


def tiny_onnx() -> bytes:
    """An untrained, seeded 1-D CNN exported by the deploy domain (the page must show what it answers)."""
    from pfd_deploy.domain.export import export_onnx
    from pfd_shared.models import build_model
    from pfd_shared.training.catalogue import model_info
    from pfd_shared.training.spec import ModelSpec

    torch.manual_seed(0)
    torch.set_num_threads(1)
    params = {key: 4 if key == "width" else value for key, value in model_info("cnn1d").resolve("small").items()}
    spec = ModelSpec(name="cnn1d", params=params, class_names=CLASSES, window_length=WINDOW, sample_rate_hz=MODEL_RATE)
    model = build_model("cnn1d", spec.params, spec.n_classes, spec.window_length).eval()
    windows = np.random.default_rng(0).normal(size=(16, 1, WINDOW)).astype(np.float32)
    return export_onnx(model, spec, windows).model


@pytest.fixture(autouse=True)
def patient(page) -> Iterator[None]:
    """Generous timeouts for this module's tab and assertions (the suite's default is restored after)."""
    page.set_default_timeout(LOADED_TIMEOUT_MS)
    expect.set_options(timeout=LOADED_TIMEOUT_MS)
    yield
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def deploy_api(deploy_url) -> Iterator[str]:
    """The deploy service's inference API where the gateway expects it: version 1 (staging), 2 (production)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from pfd_deploy.http.app import create_inference_app
    from pfd_deploy.http.settings import InferenceHttpSettings
    from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model

    store, registry, model = InMemoryObjectStore(), InMemoryRegistry(), tiny_onnx()
    publish_model(store, registry, model, MODEL, 1, "staging")
    publish_model(store, registry, model, MODEL, 2, "production")
    app = create_inference_app(registry, store, InferenceHttpSettings(threads=1))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=urlparse(deploy_url).port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and time.monotonic() < deadline:
        time.sleep(POLL_S)
    assert server.started, "the inference API did not start"
    yield deploy_url
    server.should_exit = True
    thread.join(START_TIMEOUT_S)


def signal() -> np.ndarray:
    t = np.arange(int(SIGNAL_RATE)) / SIGNAL_RATE
    return np.sin(2 * np.pi * 157.0 * t) + 0.2 * np.random.default_rng(1).normal(size=t.size)


def deploy_answer(deploy_url: str, values: np.ndarray, **query: object) -> dict:
    """What the deploy service itself answers for the same float32 signal."""
    response = httpx.post(f"{deploy_url}/v1/models/{MODEL}/predict", content=values.astype("<f4").tobytes(),
                          params={"sample_rate_hz": SIGNAL_RATE, **query},
                          headers={"content-type": "application/octet-stream"}, timeout=START_TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.json()


def predict(page, model: str) -> None:
    page.fill("#predict-model", model)
    page.click("#predict-run")


def test_a_signal_is_predicted_with_its_plots_and_refusals_are_named(deploy_api, signed_in, tmp_path, shoot) -> None:
    page = signed_in
    values, good = signal(), tmp_path / "bench.npy"
    np.save(good, values)
    page.goto("/predict")
    expect(page.locator("#shell-sidebar")).to_contain_text("Predict")
    page.set_input_files("#predict-upload input[type=file]", str(good))
    expect(page.locator("#predict-upload-name")).to_have_text("bench.npy")
    page.fill("#predict-rate", str(SIGNAL_RATE))
    predict(page, MODEL)
    expected = deploy_answer(deploy_api, values)
    expect(page.locator("#predict-class")).to_have_text(expected["predicted_class"])
    expect(page.locator("#predict-served")).to_have_text(f"{MODEL} v2 (production)")
    expect(page.locator("#predict-latency")).to_contain_text("ms")
    expect(page.locator("#predict-gateway-latency")).to_contain_text("ms")
    expect(page.locator("#predict-probabilities .point")).to_have_count(len(CLASSES))
    for graph in ("predict-time", "predict-psd"):
        expect(page.locator(f"#{graph} .main-svg").first).to_be_visible()
    expect(page.locator("#shell-error-alert")).to_have_count(0)
    shoot(page, "predict")
    page.select_option("#predict-alias", "version")
    page.fill("#predict-version", "1")
    predict(page, MODEL)
    expect(page.locator("#predict-served")).to_have_text(f"{MODEL} v1")
    predict(page, "no-such-model")  # the deploy service's 404: said on the page, the plots stay
    expect(page.locator("#predict-error")).to_contain_text("no-such-model")
    expect(page.locator("#predict-psd .main-svg").first).to_be_visible()
    bad = tmp_path / "gaps.npy"
    np.save(bad, np.r_[values[:100], np.nan, values[100:]])
    page.set_input_files("#predict-upload input[type=file]", str(bad))
    predict(page, MODEL)
    expect(page.locator("#shell-error-alert")).to_contain_text("NaN/infinite value")


def test_a_batch_follows_the_deploy_events_live_and_offers_its_results(infra, gateway, signed_in, shoot) -> None:
    page = signed_in
    owner = page.request.get(f"{gateway.url}/api/v1/auth/me").json()["user"]["id"]
    dataset_id = f"predict{uuid4().hex[:10]}"
    publish(infra.kafka_bootstrap, dataset_ready(dataset_id, owner).payload, owner=owner)
    _wait_ready(page, gateway.url, dataset_id)
    page.goto("/predict")
    page.fill("#predict-model", MODEL)
    page.click("#predict-batch-refresh")
    expect(page.locator(f"#predict-batch-dataset option[value='{dataset_id}']")).to_have_count(1)
    page.select_option("#predict-batch-dataset", dataset_id)
    page.click("#predict-batch-start")
    expect(page.locator("#predict-batch-alert")).to_contain_text("Started a batch prediction")
    batch = page.request.get(f"{gateway.url}/api/v1/batch-predictions").json()[0]
    assert batch["dataset_id"] == dataset_id and batch["status"] == "requested"
    row = page.locator(f"#predict-batch-table tr:has-text('{MODEL}')").first
    publish(infra.kafka_bootstrap, BatchPredictionProgress(batch_id=batch["batch_id"], done=12, total=40), owner=owner)
    expect(row).to_contain_text("12/40")
    key = f"predictions/{batch['batch_id']}/results.csv"
    S3ObjectStore(infra.s3).put_bytes(key, RESULTS)
    publish(infra.kafka_bootstrap, BatchPredictionCompleted(
        batch_id=batch["batch_id"], model_name=MODEL, version=2, results_key=key, rows=40,
        summary={"healthy": 30, "outer_race": 10, "accuracy": 0.75}, seconds=1.5), owner=owner)
    expect(row).to_contain_text("completed")
    expect(row).to_contain_text("accuracy 75.0%")
    link = row.locator("a:has-text('results.csv')")
    expect(link).to_be_visible()
    shoot(page, "predict-batch")
    downloaded = page.request.get(f"{gateway.url}{link.get_attribute('href')}")
    assert downloaded.ok and downloaded.body() == RESULTS


def _wait_ready(page, gateway_url: str, dataset_id: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        shown = page.request.get(f"{gateway_url}/api/v1/datasets/{dataset_id}")
        if shown.ok and shown.json()["status"] == "ready":
            return
        time.sleep(POLL_S)
    raise AssertionError(f"{dataset_id} did not become ready")
