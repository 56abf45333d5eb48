"""xai settings (env prefix PFD_XAI_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import ServiceSettings


class XaiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_XAI_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "xai"
    torch_threads: int = Field(default=1, ge=1, le=256, description="Torch threads of one explanation.")
    progress_interval_s: float = Field(default=0.5, gt=0, description="Least time between progress events.")
    cancel_memory_s: float = Field(default=3600.0, gt=0, description="How long a cancel request is remembered.")
    model_cache_size: int = Field(default=4, ge=1, le=256, description="Loaded models kept in memory.")
    block_bytes: int = Field(default=1 << 20, ge=4096, description="Ranged-read block of data-set objects.")
    embedding_batch: int = Field(default=32, ge=1, le=4096, description="Windows per forward pass of an embedding.")
