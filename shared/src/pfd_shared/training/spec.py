"""What a trained model artefact declares about itself (torch-free, so every service can read it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.training.catalogue import Scalar

ARTEFACT_FORMAT = "pfd-model/1"
Normalisation = Literal["per_window_zscore", "none"]
PER_WINDOW_ZSCORE: Normalisation = "per_window_zscore"


class ModelSpec(BaseModel):
    """Everything needed to rebuild a model and feed it exactly as in training.

    ``normalisation`` is applied inside neural models (each window minus its mean, divided by its standard
    deviation), so deploy and xai get identical preprocessing by calling the model on raw windows.
    Classical models take ``feature_names`` (in that order) instead of windows.
    """

    model_config = ConfigDict(frozen=True)

    format: str = ARTEFACT_FORMAT
    name: str
    params: dict[str, Scalar] = Field(default_factory=dict)
    class_names: tuple[str, ...] = Field(min_length=2)
    window_length: int = Field(ge=1)
    sample_rate_hz: float = Field(gt=0)
    normalisation: Normalisation = PER_WINDOW_ZSCORE
    in_channels: int = Field(default=1, ge=1)
    feature_names: tuple[str, ...] = ()

    @property
    def n_classes(self) -> int:
        return len(self.class_names)
