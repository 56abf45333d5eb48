"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pfd_gateway.auth.credentials import credentials_from
from pfd_gateway.auth.errors import Forbidden
from pfd_gateway.auth.service import AuthService
from pfd_gateway.bootstrap import Gateway
from pfd_gateway.domain.access import Principal, Scope
from pfd_gateway.settings import GatewaySettings
from pfd_gateway.system_status import SystemStatusService

API_PREFIX = "/api/v1"


def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def get_status_service(gateway: GatewayDep) -> SystemStatusService:
    return gateway.status


def get_settings(gateway: GatewayDep) -> GatewaySettings:
    return gateway.settings


StatusServiceDep = Annotated[SystemStatusService, Depends(get_status_service)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]


def get_auth(gateway: GatewayDep) -> AuthService:
    return gateway.auth


AuthDep = Annotated[AuthService, Depends(get_auth)]


async def _authenticate(request: Request, auth: AuthService, scope: Scope | None = None) -> Principal:
    principal = await auth.authenticate(credentials_from(request.method, request.headers, request.cookies), scope)
    request.state.principal = principal
    return principal


async def current_principal(request: Request, auth: AuthDep) -> Principal:
    """Session cookie (CSRF-checked on unsafe methods) or API key, with the scope the method needs."""
    return await _authenticate(request, auth)


async def require_write(request: Request, auth: AuthDep) -> Principal:
    """Write scope whatever the method."""
    return await _authenticate(request, auth, Scope.WRITE)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def require_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Admins only.")
    return principal


RequireWrite = Annotated[Principal, Depends(require_write)]
RequireAdmin = Annotated[Principal, Depends(require_admin)]


def client_ip(request: Request) -> str | None:
    """The peer address (uvicorn already applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else None
