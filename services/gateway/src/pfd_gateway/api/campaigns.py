"""Hyperparameter campaigns: create (the typed search space is validated: 422 with reasons), list, show (trials,
best), stop, resume, promote the best trial to a full experiment, export its config as JSON or YAML."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.experiment_models import ExperimentDetail
from pfd_gateway.campaigns.service import CampaignService
from pfd_gateway.campaigns.space import CampaignSpec
from pfd_gateway.campaigns.views import CampaignDetail, CampaignPublic, ExportFormat, PromoteRequest

router = APIRouter(prefix=f"{API_PREFIX}/campaigns", tags=["campaigns"])


def get_campaigns(gateway: GatewayDep) -> CampaignService:
    return gateway.campaigns


CampaignsDep = Annotated[CampaignService, Depends(get_campaigns)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_campaign(body: CampaignSpec, principal: RequireWrite, campaigns: CampaignsDep) -> CampaignDetail:
    """Validate the space against the model's parameters and the training config, then start the study."""
    return await campaigns.create(principal, body)


@router.get("")
async def list_campaigns(principal: CurrentPrincipal, campaigns: CampaignsDep) -> list[CampaignPublic]:
    return await campaigns.list(principal)


@router.get("/{campaign_id}")
async def show_campaign(campaign_id: str, principal: CurrentPrincipal, campaigns: CampaignsDep) -> CampaignDetail:
    return await campaigns.get(principal, campaign_id)


@router.post("/{campaign_id}/stop")
async def stop_campaign(campaign_id: str, principal: RequireWrite, campaigns: CampaignsDep) -> CampaignDetail:
    """Stop it and cancel its running trials (409 when it is not running)."""
    return await campaigns.stop(principal, campaign_id)


@router.post("/{campaign_id}/resume")
async def resume_campaign(campaign_id: str, principal: RequireWrite, campaigns: CampaignsDep) -> CampaignDetail:
    """Continue a stopped campaign's study."""
    return await campaigns.resume(principal, campaign_id)


@router.post("/{campaign_id}/promote", status_code=status.HTTP_201_CREATED)
async def promote_best_trial(campaign_id: str, body: PromoteRequest, principal: RequireWrite,
                             campaigns: CampaignsDep) -> ExperimentDetail:
    """A full experiment with the best trial's parameters (409 before a trial completed)."""
    return await campaigns.promote(principal, campaign_id, body)  # type: ignore[no-any-return]


@router.get("/{campaign_id}/export")
async def export_best_config(campaign_id: str, principal: CurrentPrincipal, campaigns: CampaignsDep,
                             fmt: Annotated[ExportFormat, Query(alias="format")] = "json") -> Response:
    """The best trial as an experiment request (name, data set, full training config)."""
    text, media_type = await campaigns.export(principal, campaign_id, fmt)
    return Response(text, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign_id}-best.{fmt}"'})
