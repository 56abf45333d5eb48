"""The model zoo (extra ``pfd-shared[torch]``): torch architectures registered under their catalogue names,
classical scikit-learn baselines, artefacts (spec + weights) and the hooks xai and deploy need.

Importing the package registers every architecture.
"""

from pfd_shared.models import cnn, resnet, transformer  # noqa: F401  (registration side effect)
from pfd_shared.models.artefact import (
    InvalidArtefact,
    is_classical_artefact,
    load_artefact,
    load_classical_artefact,
    save_artefact,
    save_classical_artefact,
)
from pfd_shared.models.classical import build_classical, registered_classical, size_param
from pfd_shared.models.introspect import NoConvolution, embed, last_conv, predict_proba
from pfd_shared.models.layers import SignalClassifier, WindowNorm
from pfd_shared.models.registry import build_model, count_parameters, register_model, registered_models
from pfd_shared.training.spec import ModelSpec

__all__ = [
    "InvalidArtefact",
    "ModelSpec",
    "NoConvolution",
    "SignalClassifier",
    "WindowNorm",
    "build_classical",
    "build_model",
    "count_parameters",
    "embed",
    "is_classical_artefact",
    "last_conv",
    "load_artefact",
    "load_classical_artefact",
    "predict_proba",
    "register_model",
    "registered_classical",
    "registered_models",
    "save_artefact",
    "save_classical_artefact",
    "size_param",
]
