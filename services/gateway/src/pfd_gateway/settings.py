"""Gateway settings (env prefix PFD_GATEWAY_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import HttpSettings, ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_GATEWAY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "gateway"
    http: HttpSettings = HttpSettings(port=8000)
    status_interval_s: float = Field(default=2.0, gt=0, description="How often a status round is requested.")
    status_ttl_s: float = Field(default=6.0, gt=0, description="A service silent this long disappears.")
    projection_batch_size: int = Field(default=500, ge=1, description="Most events projected per batch.")
    ws_queue_size: int = Field(default=2_000, ge=10, description="Frames buffered per WebSocket client.")
    cors_origins: list[str] = Field(default_factory=list, description="JSON list; default: none (same origin only)")
