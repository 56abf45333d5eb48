"""The training contract shared by the gateway (request-time validation) and the training service (no torch)."""

from pfd_shared.training.catalogue import MODEL_CATALOGUE, ModelInfo, ModelDoesNotFit, ParamSpec, model_info
from pfd_shared.training.config import TrainingConfig, validate_for_dataset

__all__ = [
    "MODEL_CATALOGUE",
    "ModelDoesNotFit",
    "ModelInfo",
    "ParamSpec",
    "TrainingConfig",
    "model_info",
    "validate_for_dataset",
]
