"""training settings (env prefix PFD_TRAINING_)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_TRAINING_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "training"
    torch_threads: int = Field(default=1, ge=1, le=256, description="Torch threads of one training job.")
    max_concurrent_jobs: int = Field(default=1, ge=1, le=64, description="Runs one worker process trains at once.")
    checkpoint_every_epochs: int = Field(default=1, ge=1, description="Checkpoint cadence in epochs.")
    lease_s: float = Field(default=30.0, gt=0, description="A run's lease; another worker takes over when it expires.")
    heartbeat_s: float = Field(default=5.0, gt=0, description="How often a worker renews its leases (< lease_s).")
    queue_poll_s: float = Field(default=2.0, gt=0, description="Idle workers look for runs at least this often.")
    max_attempts: int = Field(default=3, ge=1, description="Starts of one run (crashed workers) before it fails.")
    log_interval_s: float = Field(default=1.0, gt=0, description="Least time between TrainingLog events of a run.")
    log_max_lines: int = Field(default=50, ge=1, description="Lines per TrainingLog event at most.")
    hook_timeout_s: float = Field(default=30.0, gt=0, description="Longest a training thread waits for a commit.")
    stop_timeout_s: float = Field(default=1.5, gt=0, description="Shutdown waits this long for runs to stop.")

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> TrainingSettings:
        if self.heartbeat_s >= self.lease_s:
            raise ValueError(f"heartbeat_s ({self.heartbeat_s}) must be shorter than lease_s ({self.lease_s})")
        return self
