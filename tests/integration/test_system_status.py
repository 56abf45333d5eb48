"""The first real flow, end to end: gateway + a second service process on the real broker and PostgreSQL.

Status rounds reach every service, answers are served at /api/v1/system/services and pushed over /ws;
a killed service disappears after the status TTL and comes back when restarted; a stopped one leaves before the TTL.
"""

import asyncio
import json
import sys
import time
import uuid

import httpx
import pytest
import websockets

from pfd_shared.localstack.processes import free_port
from pfd_shared.settings import DatabaseSettings
from pfd_shared.testing.plugin import service_env, start_service

from pfd_gateway.auth.provisioning import provision_api_key
from pfd_gateway.settings import GatewaySettings

pytestmark = pytest.mark.integration
STATUS_TTL_S = 8  # a silent instance is dropped after this
DISAPPEAR_WITHIN_S = 20.0  # TTL + sweep + a busy machine
GOODBYE_WITHIN_S = STATUS_TTL_S - 2  # a stop announced by the service beats the TTL


def names(base: str, headers: dict[str, str]) -> list[str]:
    return [s["name"] for s in httpx.get(f"{base}/api/v1/system/services", headers=headers, timeout=5).json()]


def wait_for(predicate, timeout_s: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def headers(infra) -> dict[str, str]:
    """An admin's API key, created in the gateway database (migrated first) before any gateway starts."""
    settings = GatewaySettings(database=DatabaseSettings(url=infra.postgres_url))
    return {"X-API-Key": provision_api_key(settings, f"status-{uuid.uuid4().hex[:8]}@pfd.test")}


@pytest.fixture
def gateway(infra, processes, tmp_path):
    port = free_port()
    env = service_env("PFD_GATEWAY_", infra, port=port, var_dir=str(tmp_path), database_url=infra.postgres_url)
    env |= {"PFD_GATEWAY_STATUS_INTERVAL_S": "1", "PFD_GATEWAY_STATUS_TTL_S": str(STATUS_TTL_S)}
    processes.append(start_service("gateway", [sys.executable, "-m", "pfd_gateway"], env, port, tmp_path / "gw.log"))
    return f"http://127.0.0.1:{port}"


def start_probe(infra, processes, tmp_path, name: str):
    port = free_port()
    env = service_env("PFD_RUNTIME_", infra, port=port, var_dir=str(tmp_path))
    proc = start_service(name, [sys.executable, "-m", "pfd_shared.runtime", "--name", name], env, port,
                         tmp_path / f"{name}.log")
    processes.append(proc)
    return proc


def test_services_appear_disappear_and_come_back(infra, gateway, headers, processes, tmp_path, unique) -> None:
    probe_name = f"probe-{unique}"
    probe = start_probe(infra, processes, tmp_path, probe_name)
    wait_for(lambda: {"gateway", probe_name} <= set(names(gateway, headers)), 15)
    services = httpx.get(f"{gateway}/api/v1/system/services", headers=headers).json()
    service = next(s for s in services if s["name"] == probe_name)
    instance = service["instances"][0]
    assert instance["pid"] == probe.pid and instance["ready"] and instance["dlq_count"] == 0

    probe.kill()  # SIGKILL: no goodbye, the TTL must notice
    gone_after = wait_for(lambda: probe_name not in names(gateway, headers), DISAPPEAR_WITHIN_S)
    assert gone_after < DISAPPEAR_WITHIN_S

    start_probe(infra, processes, tmp_path, probe_name)
    wait_for(lambda: probe_name in names(gateway, headers), 15)

    processes[-1].stop()  # SIGTERM: the service announces its stop and leaves at once
    assert wait_for(lambda: probe_name not in names(gateway, headers), GOODBYE_WITHIN_S) < GOODBYE_WITHIN_S


def test_status_round_trip_is_pushed_over_the_websocket(infra, gateway, headers, processes, tmp_path, unique) -> None:
    probe_name = f"ws-{unique}"

    async def scenario() -> list[dict]:
        frames = []
        async with websockets.connect(gateway.replace("http", "ws") + "/ws", additional_headers=headers) as ws:
            frames.append(json.loads(await ws.recv()))
            start_probe(infra, processes, tmp_path, probe_name)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                frames.append(frame)
                if frame["type"] == "system.status_reported" and frame["data"]["payload"]["service"] == probe_name:
                    break
        return frames

    wait_for(lambda: "gateway" in names(gateway, headers), 15)  # its own first report is in the snapshot
    frames = asyncio.run(scenario())
    assert frames[0]["type"] == "system.snapshot"
    assert any(s["name"] == "gateway" for s in frames[0]["data"])
    last = frames[-1]["data"]
    assert last["payload"]["service"] == probe_name
    assert last["producer"] == probe_name and last["type"] == "system.status_reported"


def test_round_via_api_collects_every_live_service(infra, gateway, headers, processes, tmp_path, unique) -> None:
    start_probe(infra, processes, tmp_path, f"api-{unique}")

    def round_collects_both() -> bool:
        # A process that just became ready may still be joining the broadcast topic (slow on a loaded machine):
        # a round that misses it is repeated, but every round must answer 201.
        response = httpx.post(f"{gateway}/api/v1/system/status-rounds", json={"timeout_s": 5, "expected": 2},
                              timeout=10, headers=headers)
        assert response.status_code == 201
        return {"gateway", f"api-{unique}"} <= {s["name"] for s in response.json()["answered"]}

    wait_for(round_collects_both, 60)
