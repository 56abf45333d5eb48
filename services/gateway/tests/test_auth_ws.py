"""/ws: refused without credentials (4401), accepted with the session cookie or an API key; owned frames."""

import asyncio
import json

import pytest
import websockets

from pfd_gateway.auth.credentials import SESSION_COOKIE
from pfd_gateway.live.hub import LiveHub


async def _close_code(url: str, **kwargs) -> int:
    async with websockets.connect(url, **kwargs) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    return closed.value.rcvd.code


async def _first_frame(url: str, **kwargs) -> dict:
    async with websockets.connect(url, **kwargs) as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_unauthenticated_sockets_are_closed_with_4401(served) -> None:
    assert await _close_code(f"{served}/ws") == 4401
    assert await _close_code(f"{served}/ws?api_key=pfd_00000000_nope") == 4401


async def test_cookie_and_api_keys_are_accepted(harness, admin, served) -> None:
    cookie = {"Cookie": f"{SESSION_COOKIE}={admin.cookies[SESSION_COOKIE]}"}
    assert (await _first_frame(f"{served}/ws", additional_headers=cookie))["type"] == "system.snapshot"
    key = await harness.api_key(admin, ["read"])
    assert (await _first_frame(f"{served}/ws?api_key={key}"))["type"] == "system.snapshot"
    assert (await _first_frame(f"{served}/ws", additional_headers={"X-API-Key": key}))["type"] == "system.snapshot"


async def test_a_session_cookie_from_a_foreign_origin_is_refused(admin, served) -> None:
    headers = {"Cookie": f"{SESSION_COOKIE}={admin.cookies[SESSION_COOKIE]}", "Origin": "https://evil.example"}
    assert await _close_code(f"{served}/ws", additional_headers=headers) == 4403


async def test_an_open_socket_closes_once_its_key_is_revoked(harness, admin, served) -> None:
    harness.gateway.settings.auth.ws_recheck_s = 0.1
    created = (await admin.post("/api/v1/api-keys", json={"name": "ws"})).json()
    async with websockets.connect(f"{served}/ws?api_key={created['key']}") as ws:
        assert json.loads(await ws.recv())["type"] == "system.snapshot"
        await admin.delete(f"/api/v1/api-keys/{created['id']}")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4401


def test_members_get_their_own_and_system_frames_admins_all() -> None:
    hub = LiveHub(queue_size=10)
    ann, bob, admin = hub.subscribe(owner="ann"), hub.subscribe(owner="bob"), hub.subscribe(owner="root", sees_all=True)
    hub.publish("dataset.ready", {"id": 1}, owner="ann")
    hub.publish("system.status_reported", {})
    assert (ann.queue.qsize(), bob.queue.qsize(), admin.queue.qsize()) == (2, 1, 2)


async def test_a_client_that_vanishes_is_not_an_error(harness, admin, served, caplog) -> None:
    """Regression: closing a socket whose client already dropped raised and was logged as an unhandled error."""
    key = await harness.api_key(admin, ["read"])
    async with websockets.connect(f"{served}/ws?api_key={key}") as ws:
        await asyncio.wait_for(ws.recv(), 5)
        ws.transport.abort()  # no close frame: the TCP connection just ends
    await asyncio.sleep(0.5)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records]
