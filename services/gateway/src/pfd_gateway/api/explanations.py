"""Explanations of trained models' decisions (xai service) and embedding projections: request, list, show,
attributions, cancel. Only the owner (or an admin) sees them; another user's answer 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from pfd_shared.xai import METHOD_CATALOGUE

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.explanation_models import (
    AttributionsPublic,
    EmbeddingCreate,
    EmbeddingPointsPublic,
    EmbeddingPublic,
    ExplainableExperiment,
    ExplanationCreate,
    ExplanationPublic,
    MethodInfo,
)
from pfd_gateway.explanations.embeddings import EmbeddingService
from pfd_gateway.explanations.service import ExplanationService

router = APIRouter(prefix=f"{API_PREFIX}/explanations", tags=["explanations"])
embedding_router = APIRouter(prefix=f"{API_PREFIX}/embeddings", tags=["explanations"])


def get_explanations(gateway: GatewayDep) -> ExplanationService:
    return gateway.explanations.explanations


def get_embeddings(gateway: GatewayDep) -> EmbeddingService:
    return gateway.explanations.embeddings


ExplanationsDep = Annotated[ExplanationService, Depends(get_explanations)]
EmbeddingsDep = Annotated[EmbeddingService, Depends(get_embeddings)]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_explanation(body: ExplanationCreate, principal: RequireWrite,
                              explanations: ExplanationsDep) -> ExplanationPublic:
    """Validate (404 unknown run; 422 classical model, method that does not apply, parameter or window out of
    range), then request it; the same question asked again answers with the earlier explanation."""
    return await explanations.request(principal, body.experiment_id, body.run_id, body.input, body.methods,
                                      body.target, body.randomisation_check)


@router.get("")
async def list_explanations(principal: CurrentPrincipal, explanations: ExplanationsDep,
                            experiment_id: str | None = None, run_id: str | None = None) -> list[ExplanationPublic]:
    """Your explanations, newest first (optionally of one experiment or run)."""
    return await explanations.list(principal, experiment_id, run_id)


@router.get("/methods")
async def explanation_methods(_: CurrentPrincipal) -> list[MethodInfo]:
    """The explanation methods, their parameters (ranges) and defaults."""
    return list(METHOD_CATALOGUE.values())


@router.get("/explainable")
async def explainable_runs(principal: CurrentPrincipal, explanations: ExplanationsDep) -> list[ExplainableExperiment]:
    """The experiments you can see that have evaluated neural runs."""
    return await explanations.explainable(principal)


@router.get("/{explanation_id}")
async def show_explanation(explanation_id: str, principal: CurrentPrincipal,
                           explanations: ExplanationsDep) -> ExplanationPublic:
    return await explanations.get(principal, explanation_id)


@router.get("/{explanation_id}/attributions")
async def explanation_attributions(explanation_id: str, principal: CurrentPrincipal,
                                   explanations: ExplanationsDep) -> AttributionsPublic:
    """The window, the attributions per method (channels x samples) and the band drops (409 until ready)."""
    return await explanations.attributions(principal, explanation_id)


@router.post("/{explanation_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_explanation(explanation_id: str, principal: RequireWrite,
                             explanations: ExplanationsDep) -> ExplanationPublic:
    return await explanations.cancel(principal, explanation_id)


@embedding_router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_embedding(body: EmbeddingCreate, principal: RequireWrite,
                            embeddings: EmbeddingsDep) -> EmbeddingPublic:
    """Project the run's penultimate-layer embedding of the data set's windows to 2-D."""
    return await embeddings.request(principal, body.experiment_id, body.run_id, body.dataset_id, body.method,
                                    body.max_windows, body.seed)


@embedding_router.get("")
async def list_embeddings(principal: CurrentPrincipal, embeddings: EmbeddingsDep,
                          experiment_id: str | None = None, run_id: str | None = None) -> list[EmbeddingPublic]:
    return await embeddings.list(principal, experiment_id, run_id)


@embedding_router.get("/{embedding_id}")
async def show_embedding(embedding_id: str, principal: CurrentPrincipal, embeddings: EmbeddingsDep) -> EmbeddingPublic:
    return await embeddings.get(principal, embedding_id)


@embedding_router.get("/{embedding_id}/points")
async def embedding_points(embedding_id: str, principal: CurrentPrincipal,
                           embeddings: EmbeddingsDep) -> EmbeddingPointsPublic:
    """The 2-D points with true and predicted classes (409 until ready)."""
    return await embeddings.points(principal, embedding_id)


routers: tuple[Any, ...] = (router, embedding_router)
