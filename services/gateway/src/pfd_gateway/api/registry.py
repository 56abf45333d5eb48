"""The model registry: models, versions, variants and benchmarks, aliases and their history; promote, roll back,
delete a version. Another user's model answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.registry_models import AliasRollback, AliasSet, ModelDetail, ModelPublic, RegistryAccepted
from pfd_gateway.deployments.registry import ModelRegistry

router = APIRouter(prefix=f"{API_PREFIX}/models", tags=["models"])
Version = Annotated[int, Path(ge=1)]


def get_registry(gateway: GatewayDep) -> ModelRegistry:
    return gateway.deployments.registry


RegistryDep = Annotated[ModelRegistry, Depends(get_registry)]


@router.get("")
async def list_models(principal: CurrentPrincipal, registry: RegistryDep) -> list[ModelPublic]:
    return await registry.list(principal)


@router.get("/{model_name}")
async def show_model(model_name: str, principal: CurrentPrincipal, registry: RegistryDep) -> ModelDetail:
    """Versions (newest first, with variants, benchmarks and aliases) and the alias history (newest first)."""
    return await registry.get(principal, model_name)


@router.put("/{model_name}/aliases/{alias}", status_code=status.HTTP_202_ACCEPTED)
async def set_alias(model_name: str, alias: str, body: AliasSet, principal: RequireWrite,
                    registry: RegistryDep) -> RegistryAccepted:
    """Promote: point the alias at a ready version (the history shows it once the deploy service moved it)."""
    return await registry.set_alias(principal, model_name, alias, body.version, body.reason)


@router.post("/{model_name}/aliases/{alias}/rollback", status_code=status.HTTP_202_ACCEPTED)
async def rollback_alias(model_name: str, alias: str, body: AliasRollback, principal: RequireWrite,
                         registry: RegistryDep) -> RegistryAccepted:
    """Point the alias back at the version it served before its last change."""
    return await registry.rollback(principal, model_name, alias, body.reason)


@router.delete("/{model_name}/versions/{version}", status_code=status.HTTP_202_ACCEPTED)
async def delete_version(model_name: str, version: Version, principal: RequireWrite,
                         registry: RegistryDep) -> RegistryAccepted:
    """Delete a version and its artefacts (refused while an alias serves it)."""
    return await registry.delete_version(principal, model_name, version)
