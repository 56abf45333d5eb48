"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from pfd_gateway.api.deps import GatewayDep

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/health/ready")
async def ready(gateway: GatewayDep) -> JSONResponse:
    is_ready = await gateway.runtime.is_ready()
    body = {"status": "ready" if is_ready else "not ready", "service": gateway.settings.service_name}
    return JSONResponse(body, status_code=200 if is_ready else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(gateway: GatewayDep) -> Response:
    return Response(gateway.runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
