"""Saved experiment searches: each user's own named filters of the experiments list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.experiment_models import SavedSearchCreate, SavedSearchPublic
from pfd_gateway.experiments.service import ExperimentService

router = APIRouter(prefix=f"{API_PREFIX}/experiment-searches", tags=["experiments"])


def get_experiments(gateway: GatewayDep) -> ExperimentService:
    return gateway.experiments


ExperimentsDep = Annotated[ExperimentService, Depends(get_experiments)]


@router.get("")
async def list_searches(principal: CurrentPrincipal, experiments: ExperimentsDep) -> list[SavedSearchPublic]:
    return await experiments.searches(principal)


@router.post("", status_code=status.HTTP_201_CREATED)
async def save_search(body: SavedSearchCreate, principal: RequireWrite,
                      experiments: ExperimentsDep) -> SavedSearchPublic:
    """Save the search under a name (saving a name again replaces it)."""
    return await experiments.save_search(principal, body.name, body.query)


@router.delete("/{search_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_search(search_id: str, principal: RequireWrite, experiments: ExperimentsDep) -> None:
    await experiments.delete_search(principal, search_id)
