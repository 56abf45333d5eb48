"""System status: the latest answer of every running service, and on-demand status rounds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, status

from pfd_gateway.api.deps import API_PREFIX, StatusServiceDep, current_principal
from pfd_gateway.api.models import ServicePublic, StatusRoundCreate, StatusRoundPublic, services_public

router = APIRouter(prefix=f"{API_PREFIX}/system", tags=["system"], dependencies=[Depends(current_principal)])


@router.get("/services")
async def list_services(service: StatusServiceDep) -> list[ServicePublic]:
    """Every live service with its instances, version, uptime, consumer lag and DLQ count."""
    return services_public(service.services())


@router.post("/status-rounds", status_code=status.HTTP_201_CREATED)
async def run_status_round(service: StatusServiceDep,
                           body: Annotated[StatusRoundCreate, Body()] = StatusRoundCreate()) -> StatusRoundPublic:
    """Ask every service for its status now and return the answers received in time."""
    request_id = await service.request_round("api")
    answers = await service.wait_for_answers(request_id, body.timeout_s, body.expected or 10**6)
    return StatusRoundPublic(request_id=request_id, answered=services_public(answers))
