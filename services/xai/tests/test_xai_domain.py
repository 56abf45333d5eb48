"""The xai core on real registered architectures (tiny, float64) and on toy models with known behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pfd_shared.models import ModelSpec, build_model, registered_models
from pfd_shared.training.catalogue import model_info

from pfd_xai.domain import (
    ExplainOptions,
    ExplanationCancelled,
    MethodDoesNotApply,
    ParameterOutOfRange,
    UnknownMethod,
    attribute,
    band_occlusion,
    completeness,
    explain_window,
    randomisation_check,
    spearman,
    time_methods,
)

WINDOW = 256
RATE_HZ = 12_000.0
N_CLASSES = 3
COMPLETENESS_LIMIT = 0.01


def _model(name: str, dtype: torch.dtype = torch.float64) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(name, model_info(name).resolve("small"), N_CLASSES, WINDOW).eval().to(dtype)


def _window(seed: int = 1, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(1, 1, WINDOW, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _spec(name: str = "cnn1d", **changes: object) -> ModelSpec:
    fields = {"name": name, "params": model_info(name).resolve("small"), "class_names": ("a", "b", "c"),
              "window_length": WINDOW, "sample_rate_hz": RATE_HZ}
    return ModelSpec(**{**fields, **changes})


@pytest.mark.parametrize("name", registered_models())
def test_integrated_gradients_is_complete_on_every_registered_model(name: str) -> None:
    model = _model(name)
    result = attribute(model, _window(), "integrated_gradients", 1, RATE_HZ, {"n_steps": 256})
    assert result.output_delta is not None and abs(result.output_delta) > 1e-6
    check = completeness(result.values, result.output_delta)
    assert check.relative_error < COMPLETENESS_LIMIT, check


@pytest.mark.parametrize("name", registered_models())
def test_grad_cam_covers_the_window_and_is_non_negative(name: str) -> None:
    values = attribute(_model(name), _window(), "grad_cam", 0, RATE_HZ).values
    assert values.shape == (1, WINDOW)
    assert np.isfinite(values).all() and (values >= 0).all()


@pytest.mark.parametrize("method", time_methods())
def test_every_time_method_attributes_every_sample(method: str) -> None:
    values = attribute(_model("cnn1d"), _window(), method, 2, RATE_HZ).values
    assert values.shape == (1, WINDOW) and np.isfinite(values).all()
    assert np.abs(values).sum() > 0 or method == "grad_cam"  # Grad-CAM's ReLU may silence a class entirely


def test_grad_cam_without_convolution_is_rejected(band_toy: torch.nn.Module) -> None:
    with pytest.raises(MethodDoesNotApply, match="convolution"):
        attribute(band_toy, torch.randn(1, 1, 512), "grad_cam", 1, 8_000.0)


def test_bad_requests_are_rejected_with_the_reason() -> None:
    model = _model("cnn1d")
    with pytest.raises(UnknownMethod, match="lime"):
        attribute(model, _window(), "lime", 0, RATE_HZ)
    with pytest.raises(ParameterOutOfRange, match="n_steps"):
        attribute(model, _window(), "integrated_gradients", 0, RATE_HZ, {"n_steps": 2})
    with pytest.raises(ParameterOutOfRange, match="no parameter"):
        attribute(model, _window(), "saliency", 0, RATE_HZ, {"steps": 3})
    with pytest.raises(MethodDoesNotApply, match="longer than the window"):
        attribute(model, _window(), "occlusion", 0, RATE_HZ, {"window_ms": 1000.0})
    with pytest.raises(MethodDoesNotApply, match="classical"):
        explain_window(model, _spec("random_forest", params={}, feature_names=("rms",)), np.zeros(WINDOW),
                       {"saliency": {}})
    with pytest.raises(ParameterOutOfRange, match="target class"):
        explain_window(model, _spec(), np.zeros(WINDOW), {"saliency": {}}, ExplainOptions(target=7))
    with pytest.raises(ParameterOutOfRange, match="256 samples"):
        explain_window(model, _spec(), np.zeros(WINDOW + 1), {"saliency": {}})


def test_band_occlusion_finds_the_band_the_model_depends_on(band_toy: torch.nn.Module) -> None:
    rate, samples = 8_000.0, 2_048
    t = np.arange(samples) / rate
    x = np.sin(2 * np.pi * 1_200.0 * t) + np.sin(2 * np.pi * 3_100.0 * t)
    bands = band_occlusion(band_toy, torch.tensor(x, dtype=torch.float32).view(1, 1, -1), 1, rate,
                           {"n_bands": 16})
    best = bands.top(1)[0]
    assert best["low_hz"] <= 1_200.0 < best["high_hz"]
    others = np.delete(np.abs(bands.drop), int(np.argmax(bands.drop)))
    assert best["drop"] > 10 * others.max() and bands.high_hz[-1] == rate / 2


def test_bands_narrower_than_the_frequency_resolution_are_rejected(band_toy: torch.nn.Module) -> None:
    with pytest.raises(MethodDoesNotApply, match="resolution"):
        band_occlusion(band_toy, torch.randn(1, 1, 64), 1, 8_000.0, {"n_bands": 64})


def test_randomisation_check_flags_an_explanation_that_ignores_the_weights(weight_blind_toy: torch.nn.Module) -> None:
    x = torch.randn(1, 1, 512, generator=torch.Generator().manual_seed(3))

    def explain(model: torch.nn.Module) -> np.ndarray:
        return attribute(model, x, "integrated_gradients", 0, 8_000.0).values

    check = randomisation_check(weight_blind_toy, explain, explain(weight_blind_toy), seed=4)
    assert check.flagged and check.spearman > 0.99


def test_randomisation_check_passes_a_network_whose_attributions_change() -> None:
    model, x = _model("cnn1d"), _window()

    def explain(candidate: torch.nn.Module) -> np.ndarray:
        return attribute(candidate, x, "integrated_gradients", 0, RATE_HZ).values

    check = randomisation_check(model, explain, explain(model), seed=5)
    assert not check.flagged and check.spearman < check.threshold


def test_spearman_handles_ties_and_order() -> None:
    a = np.array([1.0, 2.0, 2.0, 4.0])
    assert spearman(a, a * 3 + 1) == pytest.approx(1.0)
    assert spearman(a, -a) == pytest.approx(-1.0)
    assert spearman(a, np.ones(4)) == 0.0


def test_explain_window_runs_methods_side_by_side_with_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    methods = {"integrated_gradients": {"n_steps": 32}, "saliency": {}, "band_occlusion": {"n_bands": 8}}
    result = explain_window(_model("cnn1d", torch.float32), _spec(), _window(dtype=torch.float32)[0, 0].numpy(),
                            methods, ExplainOptions(randomisation_check=True),
                            on_progress=lambda *args: seen.append(args))
    assert [s[0] for s in seen] == ["integrated_gradients", "saliency", "band_occlusion",
                                    "randomisation:integrated_gradients", "randomisation:saliency"]
    assert seen[-1][1:] == (5, 5)
    assert result.target == int(np.argmax(result.probabilities))
    summary = result.summary(("a", "b", "c"))
    assert summary["completeness"]["relative_error"] < COMPLETENESS_LIMIT
    assert len(summary["top_bands"]) == 3 and set(summary["randomisation"]) == {"integrated_gradients", "saliency"}


def test_explain_window_stops_when_cancelled() -> None:
    calls: list[str] = []
    with pytest.raises(ExplanationCancelled):
        explain_window(_model("cnn1d", torch.float32), _spec(), np.zeros(WINDOW, dtype=np.float32),
                       {"saliency": {}, "occlusion": {}}, on_progress=lambda stage, *_: calls.append(stage),
                       should_stop=lambda: bool(calls))
    assert calls == ["saliency"]
