"""Campaign and trial statuses (pure)."""

from __future__ import annotations

REQUESTED, RUNNING, COMPLETED, STOPPED = "requested", "running", "completed", "stopped"
CAMPAIGN_STATES = (REQUESTED, RUNNING, COMPLETED, STOPPED)
STOPPABLE = (REQUESTED, RUNNING)

TRIAL_RUNNING, TRIAL_COMPLETED, TRIAL_PRUNED = "running", "completed", "pruned"
TRIAL_FAILED, TRIAL_STOPPED = "failed", "stopped"
TRIAL_STATES = (TRIAL_RUNNING, TRIAL_COMPLETED, TRIAL_PRUNED, TRIAL_FAILED, TRIAL_STOPPED)
