"""Experiments: create, list (paged, filtered, sorted by any metric), show, runs, curves, logs, results, compare,
cancel, resume, tags, clone, delete. Another user's experiment answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from pfd_gateway.api import experiment_searches, model_catalogue
from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.experiment_models import (
    ComparisonPublic,
    EpochPublic,
    ExperimentClonePublic,
    ExperimentCreate,
    ExperimentDetail,
    ExperimentPage,
    ExperimentPublic,
    ExperimentTagsUpdate,
    LogLinePublic,
    ResultsPublic,
    RunPublic,
)
from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.service import ExperimentService

router = APIRouter(prefix=f"{API_PREFIX}/experiments", tags=["experiments"])


def get_experiments(gateway: GatewayDep) -> ExperimentService:
    return gateway.experiments


ExperimentsDep = Annotated[ExperimentService, Depends(get_experiments)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_experiment(body: ExperimentCreate, principal: RequireWrite,
                            experiments: ExperimentsDep) -> ExperimentDetail:
    """Validate the config against the model catalogue and the data set, then request one run per seed."""
    return await experiments.create(principal, body.name, body.dataset_id, body.config, body.tags)


@router.get("")
async def list_experiments(query: Annotated[ExperimentQuery, Query()], principal: CurrentPrincipal,
                           experiments: ExperimentsDep) -> ExperimentPage:
    """One page; ``sort`` is a column (created_at, name, model, status, ...) or any metric (record_accuracy...)."""
    return await experiments.list(principal, query)


@router.get("/facets")
async def experiment_facets(principal: CurrentPrincipal, experiments: ExperimentsDep) -> dict[str, list[str]]:
    """Filter choices: the models, data sets, statuses, tags and owners of the experiments you can see."""
    return await experiments.facets(principal)


@router.get("/compare")
async def compare_experiments(ids: Annotated[list[str], Query(description="2-5 ids, repeated or comma-separated")],
                              principal: CurrentPrincipal, experiments: ExperimentsDep) -> ComparisonPublic:
    """Metrics (mean ± std) side by side, config diff, curves, McNemar on the shared test records."""
    return await experiments.compare(principal, [i for item in ids for i in item.split(",") if i])


@router.get("/{experiment_id}")
async def show_experiment(experiment_id: str, principal: CurrentPrincipal,
                          experiments: ExperimentsDep) -> ExperimentDetail:
    return await experiments.get(principal, experiment_id)


@router.delete("/{experiment_id}", status_code=status.HTTP_202_ACCEPTED)
async def delete_experiment(experiment_id: str, principal: RequireWrite, experiments: ExperimentsDep) -> dict[str, str]:
    """Cancel its runs and delete its artefacts (the experiment shows 'deleting' until the training service is done)."""
    await experiments.delete(principal, experiment_id)
    return {"status": "deleting"}


@router.get("/{experiment_id}/runs")
async def list_runs(experiment_id: str, principal: CurrentPrincipal, experiments: ExperimentsDep) -> list[RunPublic]:
    return await experiments.runs(principal, experiment_id)


@router.get("/{experiment_id}/runs/{run_id}/epochs")
async def run_epochs(experiment_id: str, run_id: str, principal: CurrentPrincipal,
                     experiments: ExperimentsDep) -> list[EpochPublic]:
    return await experiments.epochs(principal, experiment_id, run_id)


@router.get("/{experiment_id}/runs/{run_id}/logs")
async def run_logs(experiment_id: str, run_id: str, principal: CurrentPrincipal, experiments: ExperimentsDep,
                   after_id: Annotated[int | None, Query(ge=0)] = None,
                   limit: Annotated[int | None, Query(ge=1)] = None) -> list[LogLinePublic]:
    """The newest lines (bounded), oldest first; ``after_id``: only lines after one already shown."""
    return await experiments.logs(principal, experiment_id, run_id, after_id=after_id, limit=limit)


@router.get("/{experiment_id}/results")
async def experiment_results(experiment_id: str, principal: CurrentPrincipal, experiments: ExperimentsDep,
                             run_id: str | None = None) -> ResultsPublic:
    """Test results of every evaluated run, mean ± std, and one run's full report (default: the first)."""
    return await experiments.results(principal, experiment_id, run_id)


@router.post("/{experiment_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_experiment(experiment_id: str, principal: RequireWrite,
                            experiments: ExperimentsDep) -> ExperimentDetail:
    return await experiments.cancel(principal, experiment_id)


@router.post("/{experiment_id}/resume", status_code=status.HTTP_202_ACCEPTED)
async def resume_experiment(experiment_id: str, principal: RequireWrite,
                            experiments: ExperimentsDep) -> ExperimentDetail:
    return await experiments.resume(principal, experiment_id)


@router.post("/{experiment_id}/tags")
async def update_tags(experiment_id: str, body: ExperimentTagsUpdate, principal: RequireWrite,
                      experiments: ExperimentsDep) -> ExperimentPublic:
    return await experiments.set_tags(principal, experiment_id, body.add, body.remove)


@router.get("/{experiment_id}/clone")
async def clone_experiment(experiment_id: str, principal: CurrentPrincipal,
                           experiments: ExperimentsDep) -> ExperimentClonePublic:
    """Name, data set, tags and config to start a new experiment from this one."""
    return ExperimentClonePublic.model_validate(await experiments.clone_config(principal, experiment_id))


routers: tuple[Any, ...] = (router, experiment_searches.router, model_catalogue.router)
