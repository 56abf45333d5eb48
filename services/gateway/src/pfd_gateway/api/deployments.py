"""Deployments: export an evaluated neural run to ONNX with its variants (request, list, show, cancel). Another
user's deployment answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from pfd_gateway.api.deployment_models import DeploymentCreate, DeploymentPublic, DeploymentView
from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.deployments.service import DeploymentService

router = APIRouter(prefix=f"{API_PREFIX}/deployments", tags=["deployments"])


def get_deployments(gateway: GatewayDep) -> DeploymentService:
    return gateway.deployments.service


DeploymentsDep = Annotated[DeploymentService, Depends(get_deployments)]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_deployment(body: DeploymentCreate, principal: RequireWrite,
                             deployments: DeploymentsDep) -> DeploymentPublic:
    """Check the experiment (yours, evaluated, neural), the run and the model name, then request the export."""
    return await deployments.request(principal, body.experiment_id, body.model_name, run_id=body.run_id,
                                     variants=body.variants, description=body.description)


@router.get("")
async def list_deployments(principal: CurrentPrincipal, deployments: DeploymentsDep,
                           limit: Annotated[int | None, Query(ge=1)] = None) -> list[DeploymentPublic]:
    """Your deployments, newest first (bounded by the settings)."""
    return await deployments.list(principal, limit)


@router.get("/{deployment_id}")
async def show_deployment(deployment_id: str, principal: CurrentPrincipal,
                          deployments: DeploymentsDep) -> DeploymentView:
    """The deployment and, once exported, its version with the variants' benchmarks."""
    return await deployments.view(principal, deployment_id)


@router.post("/{deployment_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_deployment(deployment_id: str, principal: RequireWrite,
                            deployments: DeploymentsDep) -> DeploymentPublic:
    return await deployments.cancel(principal, deployment_id)
