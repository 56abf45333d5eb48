"""The inference API's response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pfd_deploy.serving.predictor import PredictionResult


class PredictionResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_name: str
    version: int
    alias: str | None = Field(description="The alias asked for (None when a version was asked for).")
    variant: str = Field(description="The served ONNX variant (fp32, int8_static, ...).")
    predicted_class: str
    probabilities: dict[str, float] = Field(description="Per class: the mean of the window probabilities.")
    windows: int = Field(description="Windows of the model's length the signal was cut into.")
    latency_ms: float = Field(description="Resolve, load (first time) and inference, in the service.")
    model_sample_rate_hz: float
    sample_rate_hz: float = Field(description="The signal's rate as given (resampled to the model's).")
    shaft_speed_hz: float | None = None

    @classmethod
    def of(cls, result: PredictionResult) -> PredictionResponse:
        return cls(**vars(result))


class HealthResponse(BaseModel):
    status: str
    sessions: int = Field(description="ONNX Runtime sessions loaded.")
