"""POST /api/v1/predict forwards one signal to the deploy service (a MockTransport here) and maps every refusal to
422/404/409/503 with the reason, never a 500."""

import io
import json

import httpx
import numpy as np
import pytest

from pfd_gateway.predictions.client import DeployClient

ANSWER = {"probabilities": {"healthy": 0.2, "outer_race": 0.8}, "predicted_class": "outer_race", "model_name": "cnn",
          "version": 2, "alias": "production", "variant": "int8_static", "windows": 3, "latency_ms": 2.0}
SIGNAL = np.sin(np.arange(2048) / 5.0)


class FakeDeploy:
    """What the deploy service was sent, and what it answers (``status``/``body``, or ``down``)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status, self.body, self.down = 200, ANSWER, False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(self.status, json=self.body)


@pytest.fixture
def deploy(harness) -> FakeDeploy:
    fake = FakeDeploy()
    single = harness.gateway.predictions.single
    single.client = DeployClient(single.settings, transport=httpx.MockTransport(fake))
    return fake


@pytest.fixture
async def alice(member):
    return await member("alice")


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


async def test_a_json_signal_is_predicted_with_both_latencies(alice, deploy) -> None:
    response = await alice.post("/api/v1/predict", json={"signal": SIGNAL.tolist(), "sample_rate_hz": 12_000,
                                                         "model_name": "cnn"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["predicted_class"] == "outer_race" and body["version"] == 2 and body["variant"] == "int8_static"
    assert body["latency_ms"] == 2.0 and body["gateway_latency_ms"] > 0
    sent = deploy.requests[0]
    assert sent.url.path == "/v1/models/cnn/predict" and sent.url.params["alias"] == "production"
    assert np.frombuffer(sent.content, dtype="<f4").size == SIGNAL.size


async def test_a_file_is_predicted_at_a_version(alice, deploy) -> None:
    response = await alice.post("/api/v1/predict", files={"file": ("sig.npy", npy(SIGNAL), "application/octet-stream")},
                                data={"sample_rate_hz": "48000", "model_name": "cnn", "version": "4",
                                      "shaft_speed_hz": "29.5"})
    assert response.status_code == 200, response.text
    params = deploy.requests[0].url.params
    assert params["version"] == "4" and "alias" not in params and params["shaft_speed_hz"] == "29.5"
    assert params["sample_rate_hz"] == "48000.0"


LONG = json.dumps([1.0] * 32)


def _json(values: str, **fields: object) -> dict[str, object]:
    body = json.dumps({"sample_rate_hz": 12_000, "model_name": "cnn", **fields})
    return {"content": body[:-1] + f', "signal": {values}}}', "headers": {"content-type": "application/json"}}


@pytest.mark.parametrize("request_kwargs, reason", [
    (_json("[1.0, NaN, " + ", ".join(["1.0"] * 30) + "]"), "NaN/infinite value"),
    (_json("[Infinity, " + ", ".join(["1.0"] * 30) + "]"), "NaN/infinite value"),
    (_json("[]"), "The signal is empty"),
    (_json("[1.0, 2.0]"), "too few"),
    (_json("[[1.0, 2.0], [3.0, 4.0]]"), "valid number"),
    (_json(LONG, sample_rate_hz=-5), "sample rate"),
    (_json(LONG, alias="production", version=2), "either an alias"),
    ({"files": {"file": ("sig.wav", b"RIFF", "audio/wav")}, "data": {"sample_rate_hz": "1", "model_name": "cnn"}},
     "unsupported file type .wav"),
    ({"files": {"file": ("e.npy", b"", "application/octet-stream")}, "data": {"sample_rate_hz": "1",
                                                                             "model_name": "cnn"}}, "empty"),
    ({"files": {"file": ("m.npy", npy(np.ones((256, 2))), "application/octet-stream")},
      "data": {"sample_rate_hz": "1", "model_name": "cnn"}}, "one channel expected"),
    ({"files": {"file": ("s.npy", npy(SIGNAL), "application/octet-stream")}, "data": {"model_name": "cnn"}},
     "Field required"),
    ({"data": {"sample_rate_hz": "1", "model_name": "cnn"}, "files": {"other": ("x", b"x")}}, "'file' field"),
    ({"content": b"not json", "headers": {"content-type": "application/json"}}, "Send JSON or a multipart form"),
])
async def test_bad_input_is_a_422_with_the_reason(alice, deploy, request_kwargs, reason) -> None:
    response = await alice.post("/api/v1/predict", **request_kwargs)
    assert response.status_code == 422, response.text
    assert reason in response.text and deploy.requests == []


async def test_a_file_over_the_limit_is_a_422(harness, alice, deploy) -> None:
    harness.gateway.predictions.single.settings.max_upload_bytes = 1000
    response = await alice.post("/api/v1/predict", files={"file": ("big.npy", npy(SIGNAL), "application/octet-stream")},
                                data={"sample_rate_hz": "1000", "model_name": "cnn"})
    assert response.status_code == 422 and "over the 1,000-byte limit" in response.text


@pytest.mark.parametrize("status, detail, expected", [
    (404, "no model named 'cnn'", 404), (404, "model 'cnn' has no alias 'production'", 404),
    (422, "signal of 2048 samples at 12000 Hz is shorter than one window", 422),
    (409, "version 2 is broken: artefact missing", 409), (503, "warming up", 503), (500, "boom", 503),
])
async def test_deploy_refusals_keep_their_status_and_reason(alice, deploy, status, detail, expected) -> None:
    deploy.status, deploy.body = status, {"detail": detail}
    response = await alice.post("/api/v1/predict", json={"signal": SIGNAL.tolist(), "sample_rate_hz": 12_000,
                                                         "model_name": "cnn"})
    assert response.status_code == expected and detail in response.text


async def test_a_deploy_service_that_is_down_is_a_503_that_says_so(alice, deploy) -> None:
    deploy.down = True
    response = await alice.post("/api/v1/predict", json={"signal": SIGNAL.tolist(), "sample_rate_hz": 12_000,
                                                         "model_name": "cnn"})
    assert response.status_code == 503 and response.json()["detail"] == "the deploy service is not reachable"


async def test_predictions_need_a_signed_in_caller(harness, deploy) -> None:
    async with harness.client() as anonymous:
        response = await anonymous.post("/api/v1/predict", json={"signal": [1.0] * 32, "sample_rate_hz": 1,
                                                                 "model_name": "cnn"})
    assert response.status_code == 401 and deploy.requests == []
