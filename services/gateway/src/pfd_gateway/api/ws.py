"""/ws: a WebSocket of live domain events as the gateway projects them."""

from __future__ import annotations

import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from pfd_gateway.api.models import services_public

router = APIRouter()


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    """Sends a snapshot of the system status, then every projected event as ``{"type", "data"}`` frames."""
    gateway = websocket.app.state.gateway
    await websocket.accept()
    subscription = gateway.hub.subscribe()
    try:
        snapshot = [s.model_dump(mode="json") for s in services_public(gateway.status.services())]
        await websocket.send_text(json.dumps({"type": "system.snapshot", "data": snapshot}))
        while True:
            await websocket.send_text(await subscription.queue.get())
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        gateway.hub.unsubscribe(subscription)
        with contextlib.suppress(RuntimeError):
            await websocket.close()
