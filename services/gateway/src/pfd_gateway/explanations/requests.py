"""Checking an explanation or embedding request before it goes out (pure): the run is a trained neural signal
model, every method exists and applies to its architecture with parameters in range, the window exists.

Refusals are InvalidInput naming the field (422 with the reason); unknown runs are NotFound (404).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pfd_shared.training import MODEL_CATALOGUE, ModelInfo
from pfd_shared.xai import ParameterOutOfRange, UnknownMethod, method_info, resolve_params

from pfd_gateway.auth.errors import InvalidInput, NotFound
from pfd_gateway.datasets import states as dataset_states
from pfd_gateway.experiments import states as run_states
from pfd_gateway.experiments.views import ExperimentDetail, RunPublic

TRAINED = frozenset({run_states.COMPLETED, run_states.EVALUATED})
RATE_TOLERANCE = 1e-9


def trained_run(experiment: ExperimentDetail, run_id: str) -> RunPublic:
    """The run, trained (its model exists); NotFound for a run of another experiment, InvalidInput otherwise."""
    run = next((candidate for candidate in experiment.runs if candidate.run_id == run_id), None)
    if run is None:
        raise NotFound("No such run in this experiment.")
    if run.status not in TRAINED:
        raise InvalidInput("run_id", f"the run has no trained model yet (it is {run.status})")
    return run


def neural_model(experiment: ExperimentDetail, catalogue: Mapping[str, ModelInfo] = MODEL_CATALOGUE) -> ModelInfo:
    """The run's architecture; InvalidInput for a classical model on features (nothing to attribute to samples)."""
    info = catalogue.get(experiment.model)
    if info is None:
        raise InvalidInput("run_id", f"the model {experiment.model!r} is not in the model catalogue")
    if info.input != "signal":
        raise InvalidInput("run_id", f"{experiment.model} is a classical model on features: only neural signal "
                                     "models can be explained")
    return info


def resolve_methods(model: ModelInfo, methods: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every method with its defaults applied and its parameters checked; InvalidInput naming the method."""
    if not methods:
        raise InvalidInput("methods", "choose at least one explanation method")
    resolved: dict[str, dict[str, Any]] = {}
    for name, params in methods.items():
        try:
            info = method_info(name)
            resolved[name] = resolve_params(name, dict(params))
        except (UnknownMethod, ParameterOutOfRange) as exc:
            raise InvalidInput(f"methods.{name}", str(exc)) from exc
        if info.needs_conv and not model.has_conv:
            raise InvalidInput(f"methods.{name}", f"{info.label} needs a convolution layer; {model.name} has none")
    return resolved


def window_length(experiment: ExperimentDetail) -> int:
    """The window length the run's model takes (its training config)."""
    length = (experiment.config.get("window") or {}).get("length")
    if not isinstance(length, int) or length <= 0:
        raise InvalidInput("run_id", "the run's training config has no window length")
    return length


def check_dataset(dataset: Mapping[str, Any], sample_rate_hz: float | None, field: str = "input.dataset_id") -> None:
    """A ready data set sampled at the model's rate (``sample_rate_hz``; None: unknown, not checked)."""
    if dataset["status"] != dataset_states.READY or not dataset.get("object_key"):
        raise InvalidInput(field, f"the data set {dataset['name']!r} is not ready (it is {dataset['status']})")
    rate = dataset.get("sample_rate_hz")
    if sample_rate_hz is not None and rate is not None and abs(rate - sample_rate_hz) > RATE_TOLERANCE * sample_rate_hz:
        raise InvalidInput(field, f"the data set is sampled at {rate:g} Hz, the model at {sample_rate_hz:g} Hz")


def check_window(dataset: Mapping[str, Any], record: int, window: int, length: int) -> None:
    """The record and its ``window``-th non-overlapping window of ``length`` samples exist."""
    records = int(dataset.get("records") or 0)
    if not 0 <= record < records:
        raise InvalidInput("input.record", f"the data set has {records} records (0 to {records - 1}); "
                                           f"record {record} does not exist")
    windows = int(dataset.get("samples_per_record") or 0) // length
    if not 0 <= window < windows:
        raise InvalidInput("input.window", f"a record has {windows} window(s) of {length} samples (0 to "
                                           f"{windows - 1}); window {window} does not exist")


def check_target(target: int | None, class_names: list[str]) -> None:
    if target is not None and class_names and not 0 <= target < len(class_names):
        raise InvalidInput("target", f"target class must be between 0 and {len(class_names) - 1}, not {target}")


def request_hash(**request: Any) -> str:
    """Identifies what a request asks (run, input, resolved methods, options): the same question twice hashes alike."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
