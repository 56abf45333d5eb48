"""Wiring of the campaigns slice into the gateway: the service, the runner's subscriber, the live push."""

from __future__ import annotations

from typing import Any

from pfd_shared.events.campaigns import (
    CampaignCompleted,
    CampaignRequested,
    CampaignStopped,
    TrialCompleted,
    TrialPruned,
    TrialStarted,
)
from pfd_shared.events.envelope import Envelope
from pfd_shared.events.training import (
    EpochCompleted,
    EvaluationCompleted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingFailed,
)
from pfd_shared.runtime.service import ServiceRuntime

from pfd_gateway.campaigns.service import CampaignService
from pfd_gateway.campaigns.study import Studies, study_storage
from pfd_gateway.db import campaign_tables
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import GatewaySettings

TRIAL_EVENTS = (EpochCompleted, TrainingCompleted, EvaluationCompleted, TrainingFailed, TrainingCancelled)
FACTS = (TrialStarted, TrialCompleted, TrialPruned, CampaignCompleted, CampaignStopped)


def build_campaigns(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub, experiments: Any,
                    datasets: Any, studies: Studies | None = None) -> CampaignService:
    """``experiments`` is the ExperimentService (trials are its experiments), ``datasets`` the DatasetCatalog.
    Optuna's storage connects lazily on the first campaign event (no I/O while the gateway is built)."""
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("campaigns need the gateway's database and outbox relay")
    campaigns = CampaignService(runtime.database.sessions, campaign_tables, runtime.database.outbox,
                                runtime.outbox_relay, studies or Studies(lambda: study_storage(settings),
                                                                         settings.campaigns),
                                experiments, datasets, settings.campaigns, producer=settings.service_name)

    @runtime.bus.subscribe(CampaignRequested, group_id=settings.service_name)
    async def on_campaign_requested(envelope: Envelope[CampaignRequested]) -> None:
        """Start the campaign (or continue its study): fill its free trial slots."""
        await campaigns.runner.start(envelope.payload.campaign_id)

    @runtime.bus.subscribe_batch(*TRIAL_EVENTS, group_id=settings.service_name, name="campaign_runner",
                                 max_records=settings.projection_batch_size)
    async def on_trial_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Report epochs to the trials' studies (pruning), tell them the outcomes, start the next trials."""
        await campaigns.runner.on_batch(batch)

    @runtime.bus.subscribe_batch(*FACTS, group_id=None, name="campaign_push",
                                 max_records=settings.projection_batch_size)
    async def push_campaign_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push the campaigns' facts to their owners' browsers (every gateway instance)."""
        hub.push_events(batch)

    runtime.bus.documents(CampaignRequested)
    for published in FACTS:
        runtime.bus.documents(published)
    return campaigns
