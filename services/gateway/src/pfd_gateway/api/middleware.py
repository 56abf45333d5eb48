"""Request context: correlation ids, a server span and metrics per request, errors without stack traces."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.sdk.trace import TracerProvider

from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.api.http_metrics import HttpMetrics
from pfd_gateway.auth.credentials import credentials_from
from pfd_gateway.auth.tokens import parse_api_key

log = logging.getLogger(__name__)
CORRELATION_HEADER = "X-Correlation-ID"


class RequestContextMiddleware:
    """Pure ASGI middleware: correlation id, the request's server span, and per-endpoint metrics."""

    def __init__(self, app: Any, tracer_provider: TracerProvider, metrics: HttpMetrics) -> None:
        self.app = app
        self.tracer = tracer_provider.get_tracer("pfd.gateway.http")
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        correlation_id = _valid_uuid(headers.get(CORRELATION_HEADER.lower())) or str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        status = [0]

        async def send_with_header(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", []).append((CORRELATION_HEADER.encode(), correlation_id.encode()))
            await send(message)

        method = scope.get("method", "WS")
        started = time.perf_counter()
        try:
            with self.tracer.start_as_current_span(f"{method} {scope.get('path', '')}", context=extract(headers),
                                                   kind=trace.SpanKind.SERVER):
                await self.app(scope, receive, send_with_header)
        except Exception:
            log.exception("unhandled error on %s %s", method, scope.get("path", ""))
            if scope["type"] != "http" or status[0]:
                raise
            await _send_error(send_with_header, correlation_id)
        finally:
            correlation_id_var.reset(token)
            if scope["type"] == "http":
                route = scope.get("route")
                handler = getattr(route, "path", "unmatched")
                self.metrics.observe(handler, method, status[0], time.perf_counter() - started)
                key_prefix = _api_key_prefix(scope, method, headers)
                if key_prefix is not None:
                    self.metrics.observe_key(key_prefix, status[0])


def _api_key_prefix(scope: dict[str, Any], method: str, headers: dict[str, str]) -> str | None:
    """The visible prefix of the API key that authenticated the request (``_authenticate`` left its principal in
    the request state), else None; the key id when the key is not in a header (never the secret)."""
    principal = scope.get("state", {}).get("principal")
    if principal is None or principal.via != "api_key":
        return None
    key = credentials_from(method, headers, {}).api_key
    parts = parse_api_key(key) if key else None
    return parts.prefix if parts else principal.api_key_id


def _valid_uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


async def _send_error(send: Any, correlation_id: str) -> None:
    body = json.dumps({"detail": "Internal error. Quote the correlation id when reporting it.",
                       "correlation_id": correlation_id}).encode()
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
