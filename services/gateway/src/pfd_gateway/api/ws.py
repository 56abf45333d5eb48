"""/ws: a WebSocket of live domain events as the gateway projects them, for authenticated clients only.

Authentication: the session cookie (from an allowed Origin) or an API key (Authorization / X-API-Key
header, or the ``api_key`` query parameter since browsers cannot set headers on a WebSocket). Refusals
accept then close with 4401 (4403 for a foreign Origin) so that browsers see the code. An open socket
re-checks its session or key every ``auth.ws_recheck_s`` and closes with 4401 once it is revoked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from pfd_gateway.api.models import services_public
from pfd_gateway.auth.credentials import Credentials, credentials_from
from pfd_gateway.auth.errors import AuthError, Forbidden
from pfd_gateway.domain.access import Principal, Scope
from pfd_gateway.live.hub import Subscription

router = APIRouter()
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    """Sends a snapshot of the system status, then every projected event as ``{"type", "data"}`` frames."""
    credentials = credentials_from("GET", websocket.headers, websocket.cookies, websocket.query_params)
    await websocket.accept()
    try:
        principal = await authenticate(websocket, credentials)
        await stream(websocket, principal, credentials)
    except AuthError as error:
        await websocket.close(CLOSE_FORBIDDEN if isinstance(error, Forbidden) else CLOSE_UNAUTHORIZED, error.message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # the client may already be gone
            await websocket.close()


async def authenticate(websocket: WebSocket, credentials: Credentials) -> Principal:
    """A session cookie counts only from this site or a configured CORS origin (no cross-site hijacking)."""
    gateway = websocket.app.state.gateway
    principal: Principal = await gateway.auth.authenticate(credentials, Scope.READ)
    origin = websocket.headers.get("origin")
    if principal.via == "session" and origin and not origin_allowed(origin, websocket.headers.get("host", ""),
                                                                     gateway.settings.cors_origins):
        raise Forbidden("WebSocket from a foreign origin.")
    return principal


def origin_allowed(origin: str, host: str, allowed: list[str]) -> bool:
    return urlsplit(origin).netloc == host or origin.rstrip("/") in {o.rstrip("/") for o in allowed}


async def stream(websocket: WebSocket, principal: Principal, credentials: Credentials) -> None:
    """The principal's frames (own and system ones; admins all), after a snapshot of the system status."""
    gateway = websocket.app.state.gateway
    subscription = gateway.hub.subscribe(owner=principal.user_id, sees_all=principal.is_admin)
    try:
        snapshot = [s.model_dump(mode="json") for s in services_public(gateway.status.services())]
        await websocket.send_text(json.dumps({"type": "system.snapshot", "data": snapshot}))
        await pump(websocket, subscription, credentials)
    finally:
        gateway.hub.unsubscribe(subscription)


async def pump(websocket: WebSocket, subscription: Subscription, credentials: Credentials) -> None:
    """Forward frames until the client leaves; re-authenticate every ``ws_recheck_s`` (AuthError when revoked)."""
    gateway = websocket.app.state.gateway
    loop = asyncio.get_running_loop()
    interval = gateway.settings.auth.ws_recheck_s
    next_check = loop.time() + interval
    incoming = asyncio.ensure_future(websocket.receive())
    frame = asyncio.ensure_future(subscription.queue.get())
    try:
        while True:
            done, _ = await asyncio.wait({incoming, frame}, timeout=max(next_check - loop.time(), 0),
                                         return_when=asyncio.FIRST_COMPLETED)
            if incoming in done:
                if incoming.result()["type"] == "websocket.disconnect":
                    return
                incoming = asyncio.ensure_future(websocket.receive())  # client messages are ignored
            if frame in done:
                await websocket.send_text(frame.result())
                frame = asyncio.ensure_future(subscription.queue.get())
            if loop.time() >= next_check:
                await gateway.auth.authenticate(credentials, Scope.READ)
                next_check = loop.time() + interval
    finally:
        incoming.cancel()
        frame.cancel()
