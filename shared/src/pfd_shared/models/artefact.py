"""Model artefacts as bytes: a torch model is its spec plus state_dict (loaded with ``weights_only``), a
classical one its spec plus the fitted scikit-learn estimator."""

from __future__ import annotations

import io
import pickle
from typing import Any

import torch
from torch import nn

from pfd_shared.models.registry import build_model
from pfd_shared.training.spec import ARTEFACT_FORMAT, ModelSpec

CLASSICAL_MAGIC = b"PFD-SKLEARN/1\n"


class InvalidArtefact(ValueError):
    """The bytes are not a PFD model artefact (or not one this version reads)."""


def save_artefact(model: nn.Module, spec: ModelSpec) -> bytes:
    """Bytes of ``spec`` + the model's state_dict (tensors copied to CPU)."""
    state = {key: value.detach().cpu() for key, value in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save({"format": ARTEFACT_FORMAT, "spec": spec.model_dump(mode="json"), "state_dict": state}, buffer)
    return buffer.getvalue()


def load_artefact(blob: bytes, *, map_location: str | torch.device = "cpu") -> tuple[nn.Module, ModelSpec]:
    """The model (in eval mode) and its spec. Safe: only tensors and plain containers are unpickled."""
    if blob.startswith(CLASSICAL_MAGIC):
        raise InvalidArtefact("this is a classical (scikit-learn) artefact: use load_classical_artefact")
    try:
        payload = torch.load(io.BytesIO(blob), map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        raise InvalidArtefact(f"not a PFD model artefact: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != ARTEFACT_FORMAT:
        raise InvalidArtefact(f"unsupported artefact format {payload.get('format') if isinstance(payload, dict) else None!r}")
    spec = ModelSpec.model_validate(payload["spec"])
    model = build_model(spec.name, spec.params, spec.n_classes, spec.window_length, in_channels=spec.in_channels)
    model.load_state_dict(payload["state_dict"])
    return model.eval(), spec


def save_classical_artefact(estimator: Any, spec: ModelSpec) -> bytes:
    """Bytes of a fitted scikit-learn estimator and its spec (``feature_names`` set)."""
    return CLASSICAL_MAGIC + pickle.dumps({"spec": spec.model_dump(mode="json"), "estimator": estimator},
                                          protocol=pickle.HIGHEST_PROTOCOL)


def load_classical_artefact(blob: bytes) -> tuple[Any, ModelSpec]:
    """The estimator and its spec. Unpickles arbitrary objects: only for artefacts from the platform's own
    results store, never for uploaded files."""
    if not blob.startswith(CLASSICAL_MAGIC):
        raise InvalidArtefact("not a classical PFD model artefact")
    payload = pickle.loads(blob[len(CLASSICAL_MAGIC):])  # noqa: S301 - platform-written artefacts only
    return payload["estimator"], ModelSpec.model_validate(payload["spec"])


def is_classical_artefact(blob: bytes) -> bool:
    return blob.startswith(CLASSICAL_MAGIC)
