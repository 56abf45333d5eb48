"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pfd_gateway.bootstrap import Gateway

API_PREFIX = "/api/v1"
from pfd_gateway.settings import GatewaySettings
from pfd_gateway.system_status import SystemStatusService


def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def get_status_service(gateway: GatewayDep) -> SystemStatusService:
    return gateway.status


def get_settings(gateway: GatewayDep) -> GatewaySettings:
    return gateway.settings


StatusServiceDep = Annotated[SystemStatusService, Depends(get_status_service)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
