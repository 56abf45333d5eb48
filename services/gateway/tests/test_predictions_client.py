"""The deploy client: what it sends, and every deploy failure mapped to the gateway's own 422/404/409/503 errors
with the deploy service's reason (httpx.MockTransport stands in for the deploy service)."""

import json

import httpx
import numpy as np
import pytest

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from pfd_gateway.predictions.client import UNREACHABLE, DeployClient, DeployServiceError, Target
from pfd_gateway.settings import PredictSettings

ANSWER = {"probabilities": {"healthy": 0.9, "inner_race": 0.1}, "predicted_class": "healthy", "model_name": "m",
          "version": 3, "alias": "production", "variant": "fp32", "windows": 4, "latency_ms": 1.5}
SETTINGS = PredictSettings(deploy_url="http://deploy.test/", request_timeout_s=2.0, connect_timeout_s=1.0)


def client_for(handler) -> DeployClient:
    return DeployClient(SETTINGS, transport=httpx.MockTransport(handler))


async def test_the_signal_goes_as_float32_with_the_rate_and_alias() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    signal = np.linspace(-1, 1, 64)
    answer = await client_for(handler).predict(Target("bearing.cnn", alias="production"), signal, 12_000.0, 29.5)
    assert answer == ANSWER
    request = seen[0]
    assert request.url.path == "/v1/models/bearing.cnn/predict" and request.url.host == "deploy.test"
    assert dict(request.url.params) == {"alias": "production", "sample_rate_hz": "12000.0", "shaft_speed_hz": "29.5"}
    assert request.headers["content-type"] == "application/octet-stream"
    np.testing.assert_allclose(np.frombuffer(request.content, dtype="<f4"), signal, rtol=1e-6)


async def test_a_version_is_asked_for_by_number() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["version"] == "7" and "alias" not in request.url.params
        return httpx.Response(200, json=ANSWER)

    await client_for(handler).predict(Target("m", version=7), np.ones(32), 1000.0)


@pytest.mark.parametrize("status, body, error, message", [
    (422, {"detail": "signal of 100 samples is shorter than one window (2048)"}, InvalidInput, "shorter than one window"),
    (422, {"detail": [{"loc": ["query", "sample_rate_hz"], "msg": "Field required"}]}, InvalidInput, "Field required"),
    (404, {"detail": "no model named 'nope'"}, NotFound, "no model named 'nope'"),
    (404, {"detail": "model 'm' has no alias 'staging'"}, NotFound, "no alias 'staging'"),
    (409, {"detail": "version 2 is broken: artefact missing"}, Conflict, "version 2 is broken"),
    (503, {"detail": "loading the model"}, ServiceUnavailable, "cannot serve this model now: loading the model"),
    (500, {"detail": "boom"}, DeployServiceError, r"failed \(500\): boom"),
    (502, "<html>bad gateway</html>", DeployServiceError, r"failed \(502\): <html>bad gateway"),
])
async def test_deploy_refusals_become_gateway_errors_with_the_reason(status, body, error, message) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body) if isinstance(body, dict) else httpx.Response(status, text=body)

    with pytest.raises(error, match=message):
        await client_for(handler).predict(Target("m", alias="production"), np.ones(32), 1000.0)


@pytest.mark.parametrize("failure, message", [
    (httpx.ConnectError("connection refused"), f"^{UNREACHABLE}$"),
    (httpx.ReadTimeout("slow"), f"{UNREACHABLE}: no answer within 2s"),
    (httpx.RemoteProtocolError("reset"), f"^{UNREACHABLE}$"),
])
async def test_a_deploy_service_that_is_down_or_slow_is_a_503(failure, message) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(ServiceUnavailable, match=message):
        await client_for(handler).predict(Target("m", alias="production"), np.ones(32), 1000.0)


async def test_nothing_listening_is_a_503() -> None:
    client = DeployClient(PredictSettings(deploy_url="http://127.0.0.1:9", connect_timeout_s=1.0))
    with pytest.raises(ServiceUnavailable, match=UNREACHABLE):
        await client.predict(Target("m", alias="production"), np.ones(32), 1000.0)
    await client.aclose()


@pytest.mark.parametrize("content", ["not json", json.dumps({"predicted_class": "x"})])
async def test_an_answer_outside_the_contract_is_a_503(content) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=content)

    with pytest.raises(DeployServiceError, match="not JSON|lacks probabilities"):
        await client_for(handler).predict(Target("m", alias="production"), np.ones(32), 1000.0)


@pytest.mark.parametrize("alias, version", [(None, None), ("production", 2)])
def test_a_target_is_an_alias_or_a_version(alias, version) -> None:
    with pytest.raises(InvalidInput, match="either an alias"):
        Target("m", alias, version)
    with pytest.raises(InvalidInput, match="Name the model"):
        Target(" ", "production")
