"""deploy settings (env prefix PFD_DEPLOY_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import ServiceSettings

from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.monitoring.config import MonitoringSettings


class DeploySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_DEPLOY_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "deploy"
    threads: int = Field(default=1, ge=1, le=256,
                         description="Torch and ONNX Runtime intra-op threads of exports and benchmarks (every "
                                     "variant is measured with the same count).")
    max_check_windows: int = Field(default=2_048, ge=8,
                                   description="Most test windows of the parity check and the accuracy figures.")
    max_calibration_windows: int = Field(default=512, ge=8, description="Most training windows of INT8 calibration.")
    latency_runs: int = Field(default=200, ge=10, description="Batch-1 calls of the latency figures.")
    throughput_runs: int = Field(default=20, ge=3, description="Batch-32 calls of the throughput figures.")
    int8_min_speedup: float = Field(default=1.3, gt=0, description="INT8 pays off from this throughput ratio to FP32.")
    int8_max_accuracy_loss: float = Field(default=0.005, ge=0, description="... and at most this accuracy loss.")
    cancel_memory_s: float = Field(default=3600.0, gt=0, description="How long a cancel request is remembered.")
    block_bytes: int = Field(default=1 << 20, ge=4096, description="Ranged-read block of data-set objects.")
    http: InferenceHttpSettings = InferenceHttpSettings()
    """Health, metrics and the inference API share this one listener."""
    monitoring: MonitoringSettings = MonitoringSettings()
    """Online condition monitoring: which model scores machines' windows, and the alert rule."""
