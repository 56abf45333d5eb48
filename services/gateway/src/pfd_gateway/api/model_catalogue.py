"""What can be trained and who trains it: the model catalogue (presets, parameter ranges) and live workers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from pfd_shared.training import ModelInfo

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep
from pfd_gateway.api.experiment_models import WorkerAvailability
from pfd_gateway.experiments.service import ExperimentService

router = APIRouter(prefix=API_PREFIX, tags=["training"])


def get_experiments(gateway: GatewayDep) -> ExperimentService:
    return gateway.experiments


ExperimentsDep = Annotated[ExperimentService, Depends(get_experiments)]


@router.get("/models/catalogue")
async def model_catalogue(_: CurrentPrincipal, experiments: ExperimentsDep) -> list[ModelInfo]:
    """Every trainable model: family, input, presets, parameter ranges and the shortest window it accepts."""
    return experiments.catalogue()


@router.get("/training/workers")
async def training_workers(_: CurrentPrincipal, experiments: ExperimentsDep) -> WorkerAvailability:
    """Live training workers; when there are none, queued runs wait and ``message`` says so."""
    return experiments.workers()
