"""One explanation of one window: the requested methods side by side, band attribution, sanity checks.

Pure: a model and a window in, arrays and summaries out. ``on_progress(stage, done, total)`` is called after
every stage; ``should_stop()`` is checked before every stage (ExplanationCancelled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from pfd_shared.models import ModelSpec
from pfd_shared.training.catalogue import Scalar
from pfd_shared.xai import ParameterOutOfRange, method_info, resolve_params

from pfd_xai.domain.attributions import attribute
from pfd_xai.domain.bands import BandAttribution, band_occlusion
from pfd_xai.domain.errors import ExplanationCancelled, MethodDoesNotApply
from pfd_xai.domain.sanity import (
    DEFAULT_SPEARMAN_THRESHOLD,
    Completeness,
    RandomisationCheck,
    completeness,
    randomisation_check,
)
from pfd_xai.domain.target import as_window, model_dtype, probabilities, signal_model

TOP_BANDS = 3
BAND_METHOD = "band_occlusion"
IG_METHOD = "integrated_gradients"

Progress = Callable[[str, int, int], None]
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class ExplainOptions:
    """What to compute besides the attributions."""

    target: int | None = None
    randomisation_check: bool = False
    randomisation_seed: int = 0
    spearman_threshold: float = DEFAULT_SPEARMAN_THRESHOLD


@dataclass
class Explanation:
    """Attributions (channels, samples) by method, band attribution, probabilities and the sanity checks."""

    target: int
    probabilities: np.ndarray
    attributions: dict[str, np.ndarray] = field(default_factory=dict)
    bands: BandAttribution | None = None
    completeness: Completeness | None = None
    randomisation: dict[str, RandomisationCheck] = field(default_factory=dict)

    def summary(self, class_names: Sequence[str]) -> dict[str, Any]:
        """Plain JSON-able figures (what ExplanationReady carries)."""
        out: dict[str, Any] = {
            "target": self.target, "target_class": class_names[self.target],
            "probabilities": {name: float(p) for name, p in zip(class_names, self.probabilities)},
            "methods": sorted(self.attributions) + ([BAND_METHOD] if self.bands is not None else []),
            "top_bands": self.bands.top(TOP_BANDS) if self.bands is not None else [],
            "completeness": None, "randomisation": {},
        }
        if self.completeness is not None:
            out["completeness"] = vars(self.completeness).copy()
        out["randomisation"] = {name: vars(check).copy() for name, check in self.randomisation.items()}
        return out


def check_request(spec: ModelSpec, methods: dict[str, dict[str, Scalar]], target: int | None) -> None:
    """Reject what cannot run before any work: unknown method, bad parameter, method that does not apply."""
    if not methods:
        raise ParameterOutOfRange("choose at least one explanation method")
    if spec.feature_names:
        raise MethodDoesNotApply(f"{spec.name} is a classical model on features: only neural signal models can be "
                                 "explained")
    for name, params in methods.items():
        resolve_params(name, params)
        method_info(name)
    if target is not None and not 0 <= target < spec.n_classes:
        raise ParameterOutOfRange(f"target class must be between 0 and {spec.n_classes - 1}, not {target}")


def explain_window(model: torch.nn.Module, spec: ModelSpec, window: np.ndarray,
                   methods: dict[str, dict[str, Scalar]], options: ExplainOptions = ExplainOptions(),
                   on_progress: Progress | None = None, should_stop: StopCheck | None = None) -> Explanation:
    """Explain the raw ``window`` ((samples,) or (channels, samples)) with every method in ``methods``."""
    check_request(spec, methods, options.target)
    net = signal_model(model)
    if window.shape[-1] != spec.window_length:
        raise ParameterOutOfRange(f"the model takes windows of {spec.window_length} samples, not {window.shape[-1]}")
    x = as_window(window, spec.in_channels, model_dtype(net))
    probs = probabilities(net, x)[0].double().numpy()
    target = int(np.argmax(probs)) if options.target is None else options.target
    result = Explanation(target=target, probabilities=probs)
    stages = list(methods) + ([f"randomisation:{m}" for m in methods if m != BAND_METHOD]
                              if options.randomisation_check else [])
    for done, stage in enumerate(stages):
        if should_stop is not None and should_stop():
            raise ExplanationCancelled(f"stopped before {stage}")
        _run_stage(net, spec, x, stage, methods, options, result)
        if on_progress is not None:
            on_progress(stage, done + 1, len(stages))
    return result


def _run_stage(net: torch.nn.Module, spec: ModelSpec, x: torch.Tensor, stage: str,
               methods: dict[str, dict[str, Scalar]], options: ExplainOptions, result: Explanation) -> None:
    rate = spec.sample_rate_hz
    known = float(result.probabilities[result.target])  # f(x): reused, not computed again
    if stage == BAND_METHOD:
        result.bands = band_occlusion(net, x, result.target, rate, methods[stage], base_probability=known)
        return
    if stage.startswith("randomisation:"):
        method = stage.split(":", 1)[1]

        def explain(candidate: torch.nn.Module) -> np.ndarray:
            return attribute(candidate, x, method, result.target, rate, methods[method]).values

        result.randomisation[method] = randomisation_check(
            net, explain, result.attributions[method], seed=options.randomisation_seed,
            threshold=options.spearman_threshold)
        return
    attribution = attribute(net, x, stage, result.target, rate, methods[stage], target_output=known)
    result.attributions[stage] = attribution.values
    if stage == IG_METHOD and attribution.output_delta is not None:
        result.completeness = completeness(attribution.values, attribution.output_delta)
