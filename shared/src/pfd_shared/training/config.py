"""The typed, validated training config (hyperparameters and options) carried by TrainingRequested."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfd_shared.training.catalogue import Scalar, model_info

OptimiserName = Literal["adam", "adamw"]
SchedulerName = Literal["none", "cosine", "plateau", "one_cycle"]
MAX_SEEDS = 10
MAX_EPOCHS = 1000


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WindowConfig(_Section):
    """How records are cut into training windows (windows never cross the record-level splits)."""

    length: int = Field(default=2048, ge=16, le=1_048_576, description="Window length in samples.")
    hop: int | None = Field(default=None, ge=1, description="Hop between windows; None: the window length.")

    @property
    def step(self) -> int:
        return self.hop or self.length


class OptimiserConfig(_Section):
    name: OptimiserName = "adamw"
    learning_rate: float = Field(default=1e-3, gt=0, le=1.0)
    weight_decay: float = Field(default=1e-4, ge=0, le=1.0)


class SchedulerConfig(_Section):
    name: SchedulerName = "one_cycle"
    plateau_patience: int = Field(default=3, ge=1, le=100)
    plateau_factor: float = Field(default=0.5, gt=0, lt=1)


class AugmentationConfig(_Section):
    """On-the-fly augmentation of training windows (never of validation or test windows)."""

    shift: bool = True
    scale: float = Field(default=0.1, ge=0, le=1.0, description="Random gain in [1-scale, 1+scale]; 0: off.")
    noise_snr_db: float | None = Field(default=None, ge=-10, le=80, description="Additive white noise; None: off.")


class TrainingConfig(_Section):
    """Everything that defines one training run apart from the data set and the seed."""

    model: str = "cnn1d"
    preset: str = "small"
    model_params: dict[str, Scalar] = Field(default_factory=dict, description="Overrides of the preset.")
    window: WindowConfig = WindowConfig()
    epochs: int = Field(default=20, ge=1, le=MAX_EPOCHS)
    batch_size: int = Field(default=64, ge=1, le=8192)
    optimiser: OptimiserConfig = OptimiserConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    early_stopping_patience: int = Field(default=5, ge=0, le=MAX_EPOCHS, description="0: off.")
    grad_clip_norm: float | None = Field(default=1.0, gt=0)
    class_weights: bool = False
    label_smoothing: float = Field(default=0.0, ge=0, lt=1)
    augmentation: AugmentationConfig = AugmentationConfig()
    mixed_precision: bool = Field(default=True, description="Used only when a GPU is present.")
    seeds: tuple[int, ...] = Field(default=(0,), min_length=1, max_length=MAX_SEEDS)

    @model_validator(mode="after")
    def _check(self) -> TrainingConfig:
        info = model_info(self.model)
        info.check_window(self.window.length, info.resolve(self.preset, self.model_params))
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds has duplicates: {list(self.seeds)}")
        if any(seed < 0 for seed in self.seeds):
            raise ValueError("seeds must be >= 0")
        return self

    def resolved_params(self) -> dict[str, Scalar]:
        return model_info(self.model).resolve(self.preset, self.model_params)


def validate_for_dataset(config: TrainingConfig, *, samples_per_record: int) -> None:
    """ValueError naming the field when the data set's records cannot give one window of the config."""
    if config.window.length > samples_per_record:
        raise ValueError(
            f"window.length {config.window.length} is longer than the data set's records ({samples_per_record} samples)"
        )
