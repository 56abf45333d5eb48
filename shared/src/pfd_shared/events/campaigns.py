"""Hyperparameter campaigns: an Optuna study whose trials are ordinary experiments run by the training workers.

The aggregate is one campaign (``campaign_id``, chosen by the gateway); every event is keyed by it. The gateway
publishes the command (CampaignRequested: start, or resume the same study) and the facts of its runner (a trial
started, completed, was pruned; the campaign completed or was stopped).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}
TrialOutcome = Literal["complete", "failed"]


class _CampaignEvent(EventPayload):
    campaign_id: str = Field(**_ID)

    def key(self) -> str:
        """campaign_id"""
        return self.campaign_id


class CampaignRequested(_CampaignEvent):
    """Start a campaign, or (``resume``) continue its study: the runner fills its free trial slots."""

    event_type = "campaigns.requested"
    topic = topics.CAMPAIGN_REQUESTED

    resume: bool = False


class _TrialEvent(_CampaignEvent):
    trial_number: int = Field(ge=0, description="Optuna's trial number in the campaign's study.")
    experiment_id: str | None = Field(default=None, **_ID)


class TrialStarted(_TrialEvent):
    """A trial's parameters were sampled and its experiment requested."""

    event_type = "campaigns.trial_started"
    topic = topics.CAMPAIGN_TRIAL_STARTED

    params: dict[str, Any]


class TrialCompleted(_TrialEvent):
    """A trial finished (``complete`` with its objective value) or failed (``failed``, with the reason)."""

    event_type = "campaigns.trial_completed"
    topic = topics.CAMPAIGN_TRIAL_COMPLETED

    outcome: TrialOutcome
    value: float | None = None
    reason: str | None = None


class TrialPruned(_TrialEvent):
    """The pruner stopped a trial after ``epoch`` epochs (its experiment is cancelled)."""

    event_type = "campaigns.trial_pruned"
    topic = topics.CAMPAIGN_TRIAL_PRUNED

    epoch: int = Field(ge=1)
    value: float


class CampaignCompleted(_CampaignEvent):
    """The trial budget is spent; the best trial (None when no trial completed) and its value."""

    event_type = "campaigns.completed"
    topic = topics.CAMPAIGN_COMPLETED

    trials: int = Field(ge=0)
    best_trial: int | None = Field(default=None, ge=0)
    best_value: float | None = None
    best_params: dict[str, Any] = Field(default_factory=dict)


class CampaignStopped(_CampaignEvent):
    """The campaign was stopped on request; its running trials were cancelled (resume continues the study)."""

    event_type = "campaigns.stopped"
    topic = topics.CAMPAIGN_STOPPED

    trials_cancelled: int = Field(ge=0)
