"""A tiny ASGI app for services without an API: /health/live, /health/ready, /metrics, with lifespan."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from pfd_shared.runtime.service import ServiceRuntime

Scope = dict[str, Any]


class HealthApp:
    """ASGI application whose lifespan starts and stops the runtime."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope.get("path", "")
        if path == "/health/live":
            await _respond(send, 200, "application/json", json.dumps({"status": "alive"}).encode())
        elif path == "/health/ready":
            ready = await self.runtime.is_ready()
            body = json.dumps({"status": "ready" if ready else "not ready", "service": self.runtime.service})
            await _respond(send, 200 if ready else 503, "application/json", body.encode())
        elif path == "/metrics":
            await _respond(send, 200, CONTENT_TYPE_LATEST, self.runtime.metrics.exposition())
        else:
            await _respond(send, 404, "application/json", b'{"detail":"not found"}')

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.runtime.start()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
                    await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send: Any, status: int, content_type: str, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
