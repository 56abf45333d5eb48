"""Time-domain attributions through captum: Integrated Gradients, GradientSHAP, Occlusion, Saliency, Grad-CAM.

Every method takes the raw window (1, channels, samples), explains the target-class probability of the
normalised window (see ``target``) and returns one attribution per channel and sample.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import GradientShap, IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion, Saliency

from pfd_shared.models import NoConvolution, SignalClassifier, last_conv
from pfd_shared.training.catalogue import Scalar
from pfd_shared.xai import method_info, resolve_params

from pfd_xai.domain.errors import MethodDoesNotApply
from pfd_xai.domain.target import ProbabilityOfNormalised, normalise

MS_PER_S = 1000.0
IG_METHOD = "gausslegendre"


@dataclass(frozen=True)
class TimeAttribution:
    """Attributions (channels, samples) of one window for one class; ``output_delta`` is f(x) - f(baseline)."""

    method: str
    target: int
    values: np.ndarray
    output_delta: float | None = None


Runner = Callable[[ProbabilityOfNormalised, torch.Tensor, int, dict[str, Scalar], float], np.ndarray]


def _ig(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, params: dict[str, Scalar],
        _rate: float) -> np.ndarray:
    attr = IntegratedGradients(forward).attribute(
        z, baselines=torch.zeros_like(z), target=target, n_steps=int(params["n_steps"]), method=IG_METHOD,
        internal_batch_size=int(params["internal_batch_size"]),
    )
    return attr.detach()[0].numpy()


def _gradient_shap(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, params: dict[str, Scalar],
                   _rate: float) -> np.ndarray:
    generator = torch.Generator().manual_seed(int(params["seed"]))
    torch.manual_seed(int(params["seed"]))  # captum draws the path points and input noise from the global generator
    spread = float(params["stdevs"])
    baselines = spread * torch.randn((int(params["n_baselines"]), *z.shape[1:]), generator=generator, dtype=z.dtype)
    attr = GradientShap(forward).attribute(z, baselines=baselines, target=target,
                                           n_samples=int(params["n_samples"]), stdevs=spread)
    return attr.detach()[0].numpy()


def _occlusion(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, params: dict[str, Scalar],
               rate: float) -> np.ndarray:
    samples = z.shape[-1]
    window = max(1, round(float(params["window_ms"]) * rate / MS_PER_S))
    stride = max(1, round(float(params["stride_ms"]) * rate / MS_PER_S))
    if window > samples:
        raise MethodDoesNotApply(f"the occlusion patch ({window} samples) is longer than the window ({samples})")
    with torch.no_grad():
        attr = Occlusion(forward).attribute(z, sliding_window_shapes=(z.shape[1], window),
                                            strides=(z.shape[1], stride), baselines=0.0, target=target)
    return attr.detach()[0].numpy()


def _saliency(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, _params: dict[str, Scalar],
              _rate: float) -> np.ndarray:
    return Saliency(forward).attribute(z.clone().requires_grad_(), target=target, abs=True).detach()[0].numpy()


def _grad_cam(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, _params: dict[str, Scalar],
              _rate: float) -> np.ndarray:
    try:
        layer = last_conv(forward.model)
    except NoConvolution as exc:
        raise MethodDoesNotApply(f"Grad-CAM needs a 1-D convolution: {exc}") from exc
    cam = LayerGradCam(forward, layer).attribute(z, target=target, relu_attributions=True)
    upsampled = LayerAttribution.interpolate(cam.detach(), (z.shape[-1],), interpolate_mode="linear")
    return upsampled[0].expand(z.shape[1], -1).numpy().copy()


RUNNERS: dict[str, Runner] = {
    "integrated_gradients": _ig,
    "gradient_shap": _gradient_shap,
    "occlusion": _occlusion,
    "saliency": _saliency,
    "grad_cam": _grad_cam,
}


def time_methods() -> tuple[str, ...]:
    return tuple(RUNNERS)


def attribute(model: SignalClassifier, x: torch.Tensor, method: str, target: int, sample_rate_hz: float,
              params: dict[str, Scalar] | None = None, *, target_output: float | None = None) -> TimeAttribution:
    """Attributions of the raw window ``x`` (1, channels, samples) for class ``target``.

    For Integrated Gradients ``output_delta`` = f(x) - f(baseline) is computed too: pass ``target_output`` (the
    target-class probability of ``x``, when the caller has it already) to spare that forward pass.
    UnknownMethod / ParameterOutOfRange / MethodDoesNotApply before any work when the request cannot run.
    """
    info = method_info(method)
    if method not in RUNNERS:
        raise MethodDoesNotApply(f"{info.label} is not a time-domain attribution")
    resolved = resolve_params(method, params)
    forward = ProbabilityOfNormalised(model).eval()
    z = normalise(model, x)
    values = RUNNERS[method](forward, z, target, resolved, sample_rate_hz)
    delta = _output_delta(forward, z, target, target_output) if method == "integrated_gradients" else None
    return TimeAttribution(method=method, target=target, values=values, output_delta=delta)


def _output_delta(forward: ProbabilityOfNormalised, z: torch.Tensor, target: int, target_output: float | None) -> float:
    """f(z) - f(0) for the target class: one forward pass (of the baseline alone when f(z) is known)."""
    with torch.inference_mode():
        if target_output is not None:
            return target_output - float(forward(torch.zeros_like(z))[0, target])
        both = forward(torch.cat([z, torch.zeros_like(z)]))[:, target]
    return float(both[0] - both[1])
