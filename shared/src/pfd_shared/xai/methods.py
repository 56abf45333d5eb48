"""Explanation methods and their parameters (ranges checked before any work starts; the gateway validates
requests with this module, the xai service computes with it).

Time-domain methods attribute the target class's probability to every sample of the window; ``band_occlusion``
attributes it to frequency bands (Hz, from the model's sample rate).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.training.catalogue import ParamSpec, Scalar


class UnknownMethod(ValueError):
    """No explanation method of that name."""


class ParameterOutOfRange(ValueError):
    """A method parameter is unknown, of the wrong type or outside its admissible range."""


def _int(low: int, high: int, description: str) -> ParamSpec:
    return ParamSpec(kind="int", low=low, high=high, description=description)


def _float(low: float, high: float, description: str) -> ParamSpec:
    return ParamSpec(kind="float", low=low, high=high, description=description)


_SEED = _int(0, 2**31 - 1, "seed of the random draws")


class MethodInfo(BaseModel):
    """One explanation method: what it needs from the model, its parameters and their defaults."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    description: str
    domain: str = Field(description="'time' (one attribution per sample) or 'frequency' (one per band).")
    needs_conv: bool = False
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    defaults: dict[str, Scalar] = Field(default_factory=dict)


METHOD_CATALOGUE: dict[str, MethodInfo] = {
    info.name: info
    for info in (
        MethodInfo(
            name="integrated_gradients", label="Integrated Gradients", domain="time",
            description="Path integral of gradients from a silent (constant) window; attributions sum to the "
                        "probability change (completeness is checked and stored).",
            params={"n_steps": _int(8, 1024, "integration steps (Gauss-Legendre)"),
                    "internal_batch_size": _int(1, 1024, "path points per forward pass")},
            defaults={"n_steps": 50, "internal_batch_size": 64},
        ),
        MethodInfo(
            name="gradient_shap", label="GradientSHAP", domain="time",
            description="Expected gradients over random baselines (Gaussian noise around a silent window).",
            params={"n_samples": _int(1, 512, "random baseline/path samples"),
                    "n_baselines": _int(1, 64, "baselines drawn"),
                    "stdevs": _float(0.0, 2.0, "noise added to the input (normalised units)"),
                    "seed": _SEED},
            defaults={"n_samples": 32, "n_baselines": 8, "stdevs": 0.1, "seed": 0},
        ),
        MethodInfo(
            name="occlusion", label="Occlusion", domain="time",
            description="Probability drop when a sliding patch of the window is silenced.",
            params={"window_ms": _float(0.01, 10_000.0, "occluded patch length (ms)"),
                    "stride_ms": _float(0.01, 10_000.0, "patch step (ms)")},
            defaults={"window_ms": 10.0, "stride_ms": 5.0},
        ),
        MethodInfo(
            name="saliency", label="Saliency", domain="time",
            description="Absolute input gradient of the target probability.",
        ),
        MethodInfo(
            name="grad_cam", label="Grad-CAM", domain="time", needs_conv=True,
            description="Gradient-weighted activations of the last 1-D convolution, upsampled to the window.",
        ),
        MethodInfo(
            name="band_occlusion", label="Frequency bands", domain="frequency",
            description="Probability drop when one frequency band is removed from the spectrum (FFT).",
            params={"n_bands": _int(2, 256, "equal-width bands from 0 Hz to max_hz"),
                    "max_hz": _float(0.0, 1e7, "upper edge of the last band (0: Nyquist)")},
            defaults={"n_bands": 16, "max_hz": 0.0},
        ),
    )
}


def method_info(name: str) -> MethodInfo:
    """The method; UnknownMethod listing the known ones."""
    if name not in METHOD_CATALOGUE:
        raise UnknownMethod(f"unknown explanation method {name!r}; choose from {sorted(METHOD_CATALOGUE)}")
    return METHOD_CATALOGUE[name]


def resolve_params(name: str, params: dict[str, Scalar] | None = None) -> dict[str, Scalar]:
    """The method's defaults with validated ``params`` applied (ParameterOutOfRange naming the parameter)."""
    info = method_info(name)
    resolved = dict(info.defaults)
    for key, value in (params or {}).items():
        if key not in info.params:
            raise ParameterOutOfRange(f"{info.label} has no parameter {key!r}; known: {sorted(info.params)}")
        try:
            resolved[key] = info.params[key].check(key, value)
        except ValueError as exc:
            raise ParameterOutOfRange(f"{info.label}: {exc}") from exc
    return resolved
