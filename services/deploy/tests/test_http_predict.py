"""The inference API on a real tiny ONNX model (exported by the domain) and a fake registry: predictions by alias
and by version, JSON and float32 bodies, session reuse, health and metrics."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import create_inference_app
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared.storage import InMemoryObjectStore

MODEL = "bearing"
RATE = 1000.0
WINDOWS = 6
WINDOW = 256


def tone(hz: float, rate: float = RATE, seconds: float = WINDOWS * WINDOW / RATE) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return 2.0 * np.sin(2 * np.pi * hz * t) + 0.1 * np.random.default_rng(0).normal(size=t.size)


@pytest.fixture(scope="module")
def onnx_model(trained_cnn) -> bytes:
    return export_onnx(trained_cnn.model, trained_cnn.spec, trained_cnn.test_x[:32]).model


@pytest.fixture
def api(onnx_model):
    store, registry = InMemoryObjectStore(), InMemoryRegistry()
    publish_model(store, registry, onnx_model, MODEL, 1, "staging")
    publish_model(store, registry, onnx_model, MODEL, 2, "production")
    app = create_inference_app(registry, store, InferenceHttpSettings(threads=1, max_body_bytes=64 * 1024))
    with TestClient(app) as client:
        client.registry, client.store, client.predictor = registry, store, app.state.predictor
        yield client


def predict(api: TestClient, query: str = "", **body):
    return api.post(f"/v1/models/{MODEL}/predict{query}", json=body)


def test_production_is_the_default_alias(api) -> None:
    response = predict(api, signal=tone(230.0).tolist(), sample_rate_hz=RATE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["model_name"], body["version"], body["alias"], body["variant"]) == (MODEL, 2, "production", "fp32")
    assert body["predicted_class"] == "tone_230" and body["windows"] == WINDOWS
    assert sum(body["probabilities"].values()) == pytest.approx(1.0)
    assert set(body["probabilities"]) == {"tone_40", "tone_110", "tone_230"}
    assert body["latency_ms"] > 0 and body["model_sample_rate_hz"] == RATE and body["shaft_speed_hz"] is None


def test_an_alias_or_a_version_selects_the_version(api) -> None:
    by_alias = predict(api, "?alias=staging", signal=tone(40.0).tolist(), sample_rate_hz=RATE).json()
    by_version = predict(api, "?version=1", signal=tone(40.0).tolist(), sample_rate_hz=RATE).json()
    assert (by_alias["version"], by_alias["alias"]) == (1, "staging")
    assert (by_version["version"], by_version["alias"]) == (1, None)
    assert by_alias["predicted_class"] == by_version["predicted_class"] == "tone_40"


def test_float32_bodies_at_another_rate_are_resampled(api) -> None:
    signal = tone(110.0, rate=2.5 * RATE).astype("<f4")
    response = api.post(f"/v1/models/{MODEL}/predict?sample_rate_hz={2.5 * RATE}&shaft_speed_hz=29.5",
                        content=signal.tobytes(), headers={"content-type": "application/octet-stream"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["predicted_class"] == "tone_110" and body["windows"] == WINDOWS
    assert (body["sample_rate_hz"], body["shaft_speed_hz"]) == (2.5 * RATE, 29.5)


def test_a_session_is_loaded_once_per_version(api) -> None:
    for _ in range(3):
        assert predict(api, signal=tone(230.0).tolist(), sample_rate_hz=RATE).status_code == 200
    assert api.predictor.sessions.loads == 1
    assert predict(api, "?version=1", signal=tone(230.0).tolist(), sample_rate_hz=RATE).status_code == 200
    assert api.predictor.sessions.loads == 2 and api.get("/health").json() == {"status": "ok", "sessions": 2}


def test_metrics_expose_the_prediction_latency(api) -> None:
    predict(api, signal=tone(230.0).tolist(), sample_rate_hz=RATE)
    predict(api, signal=[], sample_rate_hz=RATE)
    text = api.get("/metrics").text
    assert 'pfd_prediction_seconds_count{model="bearing",variant="fp32"} 1.0' in text
    assert 'pfd_predictions_total{model="bearing",outcome="EmptySignal"} 1.0' in text


def test_health_endpoints_answer(api) -> None:
    assert api.get("/health/live").json() == {"status": "alive"}
    assert api.get("/health/ready").status_code == 200
