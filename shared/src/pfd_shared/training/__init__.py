"""The training contract shared by the gateway (request-time validation) and the training service (no torch)."""

from pfd_shared.training.catalogue import MODEL_CATALOGUE, ModelInfo, ModelDoesNotFit, ParamSpec, model_info
from pfd_shared.training.config import TrainingConfig, validate_for_dataset
from pfd_shared.training.spec import ARTEFACT_FORMAT, ModelSpec
from pfd_shared.training.stats import McNemarResult, MeanStd, aggregate, mcnemar, mean_std

__all__ = [
    "ARTEFACT_FORMAT",
    "McNemarResult",
    "MeanStd",
    "ModelSpec",
    "MODEL_CATALOGUE",
    "ModelDoesNotFit",
    "ModelInfo",
    "ParamSpec",
    "TrainingConfig",
    "aggregate",
    "mcnemar",
    "mean_std",
    "model_info",
    "validate_for_dataset",
]
