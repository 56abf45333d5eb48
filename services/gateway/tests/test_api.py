"""The gateway API over the in-memory broker (TestKafkaBroker): status projection and status rounds."""

from datetime import UTC, datetime

import httpx
import pytest

from pfd_shared.events import new_envelope
from pfd_shared.events.system import ServiceStatusReported, ServiceStopped


@pytest.fixture
async def gateway_client(harness, admin):
    """The gateway and a client authenticated with an admin's read+write API key."""
    key = await harness.api_key(admin, ["read", "write"])
    harness.gateway.app = harness.app
    async with harness.client(headers={"X-API-Key": key}) as client:
        yield harness.gateway, client


def _report(service: str) -> ServiceStatusReported:
    return ServiceStatusReported(service=service, instance_id=f"{service}-1", version="9", host="h", pid=7,
                                 started_at=datetime.now(UTC), uptime_s=3, ready=True, dlq_count=2, handled_count=5)


async def test_reports_are_projected_and_served(gateway_client) -> None:
    gateway, client = gateway_client
    frames = gateway.hub.subscribe()
    await gateway.runtime.bus.publish(new_envelope(_report("trainer"), producer="trainer"))
    body = (await client.get("/api/v1/system/services")).json()
    assert [s["name"] for s in body] == ["trainer"]
    assert body[0]["dlq_count"] == 2 and body[0]["instances"][0]["version"] == "9"
    assert '"system.status_reported"' in frames.queue.get_nowait()


async def test_a_stopped_service_disappears(gateway_client) -> None:
    gateway, client = gateway_client
    await gateway.runtime.bus.publish(new_envelope(_report("xai"), producer="xai"))
    stopped = ServiceStopped(service="xai", instance_id="xai-1", stopped_at=datetime.now(UTC))
    await gateway.runtime.bus.publish(new_envelope(stopped, producer="xai"))
    assert (await client.get("/api/v1/system/services")).json() == []


async def test_a_status_round_collects_the_answers(gateway_client) -> None:
    _, client = gateway_client
    response = await client.post("/api/v1/system/status-rounds", json={"timeout_s": 1, "expected": 1})
    assert response.status_code == 201
    answered = response.json()["answered"]
    assert [s["name"] for s in answered] == ["gateway"]
    assert answered[0]["instances"][0]["instance_id"] == "gw-test"


@pytest.mark.parametrize("body", [{"timeout_s": "soon"}, {"timeout_s": -1}, {"expected": 0}])
async def test_invalid_bodies_get_422_with_field_errors(gateway_client, body) -> None:
    _, client = gateway_client
    response = await client.post("/api/v1/system/status-rounds", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


async def test_malformed_json_gets_422(gateway_client) -> None:
    _, client = gateway_client
    response = await client.post("/api/v1/system/status-rounds", content=b"{nope",
                                  headers={"content-type": "application/json"})
    assert response.status_code == 422


async def test_health_metrics_and_correlation_header(gateway_client) -> None:
    _, client = gateway_client
    assert (await client.get("/health/live")).json() == {"status": "alive"}
    response = await client.get("/api/v1/system/services", headers={"X-Correlation-ID": "not-a-uuid"})
    assert len(response.headers["X-Correlation-ID"]) == 36
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_total{handler="/api/v1/system/services",method="GET",status="2xx"}' in metrics


async def test_unexpected_errors_show_a_correlation_id_not_a_trace(gateway_client, monkeypatch) -> None:
    gateway, client = gateway_client

    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(gateway.status, "services", broken)
    transport = httpx.ASGITransport(app=gateway.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=client.headers) as safe_client:
        response = await safe_client.get("/api/v1/system/services")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert response.json()["correlation_id"]
