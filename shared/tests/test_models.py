"""The model zoo: catalogue <-> registry consistency, window fit, artefacts, introspection, normalisation."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from pfd_shared.models import (
    InvalidArtefact,
    ModelSpec,
    build_classical,
    build_model,
    embed,
    is_classical_artefact,
    last_conv,
    load_artefact,
    load_classical_artefact,
    predict_proba,
    registered_classical,
    registered_models,
    save_artefact,
    save_classical_artefact,
)
from pfd_shared.training import MODEL_CATALOGUE, ModelDoesNotFit, TrainingConfig, model_info

NEURAL = sorted(name for name, info in MODEL_CATALOGUE.items() if info.family == "neural")
CLASSICAL = sorted(name for name, info in MODEL_CATALOGUE.items() if info.family == "classical")
PRESETS = [(name, preset) for name in NEURAL for preset in MODEL_CATALOGUE[name].presets]
N_CLASSES = 5


def _spec(name: str, params: dict, window: int) -> ModelSpec:
    return ModelSpec(name=name, params=params, class_names=tuple(f"c{i}" for i in range(N_CLASSES)),
                     window_length=window, sample_rate_hz=1000.0)


def test_every_catalogue_entry_is_registered_and_nothing_else() -> None:
    assert set(registered_models()) == set(NEURAL)
    assert set(registered_classical()) == set(CLASSICAL)
    assert all(MODEL_CATALOGUE[name].input == "signal" for name in NEURAL)
    assert all(MODEL_CATALOGUE[name].input == "features" for name in CLASSICAL)


@pytest.mark.parametrize(("name", "preset"), PRESETS)
def test_every_preset_builds_and_accepts_its_shortest_window(name: str, preset: str) -> None:
    info = model_info(name)
    params = info.resolve(preset)
    shortest = info.min_window_for(params)
    assert shortest >= info.min_window
    torch.manual_seed(0)
    model = build_model(name, params, N_CLASSES, shortest).eval()
    for length in (shortest, 3 * shortest + 7):
        assert model(torch.randn(3, 1, length)).shape == (3, N_CLASSES)
    with pytest.raises(ModelDoesNotFit, match=str(shortest)):
        build_model(name, params, N_CLASSES, shortest - 1)


@pytest.mark.parametrize("name", NEURAL)
def test_last_conv_and_embed(name: str) -> None:
    info = model_info(name)
    params = info.resolve("small")
    model = build_model(name, params, N_CLASSES, 512).eval()
    assert isinstance(last_conv(model), torch.nn.Conv1d)
    features = embed(model, np.random.default_rng(0).standard_normal((4, 512)).astype(np.float32))
    assert features.shape == (4, model.embed_dim)
    assert info.has_conv


@pytest.mark.parametrize("name", NEURAL)
def test_normalisation_is_inside_the_model(name: str) -> None:
    """Gain and offset of the recording do not change the prediction: deploy and xai feed raw windows."""
    torch.manual_seed(1)
    model = build_model(name, model_info(name).resolve("small"), N_CLASSES, 256).eval()
    x = torch.randn(2, 1, 256)
    with torch.no_grad():
        assert torch.allclose(model(x), model(7.5 * x + 3.0), atol=1e-4)


@pytest.mark.parametrize("name", NEURAL)
def test_artefact_round_trip_gives_the_same_predictions(name: str) -> None:
    params = model_info(name).resolve("small")
    torch.manual_seed(2)
    model = build_model(name, params, N_CLASSES, 256).eval()
    spec = _spec(name, params, 256)
    loaded, loaded_spec = load_artefact(save_artefact(model, spec))
    x = np.random.default_rng(3).standard_normal((6, 256)).astype(np.float32)
    assert loaded_spec == spec and not loaded.training
    np.testing.assert_array_equal(predict_proba(model, x), predict_proba(loaded, x))
    assert np.allclose(predict_proba(loaded, x).sum(axis=1), 1.0)


class _Payload:
    def __reduce__(self):  # pragma: no cover - must never run
        return (print, ("unpickled arbitrary code",))


def test_loading_is_safe_and_rejects_foreign_bytes() -> None:
    buffer = io.BytesIO()
    torch.save({"format": "pfd-model/1", "spec": {}, "state_dict": _Payload()}, buffer)
    with pytest.raises(InvalidArtefact):
        load_artefact(buffer.getvalue())
    with pytest.raises(InvalidArtefact):
        load_artefact(b"not a model")
    buffer = io.BytesIO()
    torch.save({"format": "something-else"}, buffer)
    with pytest.raises(InvalidArtefact, match="format"):
        load_artefact(buffer.getvalue())


def test_window_params_are_checked_at_request_time() -> None:
    """A patch or first kernel longer than the window is rejected by the torch-free config (API 422)."""
    with pytest.raises(ValidationError, match="at least 512"):
        TrainingConfig(model="patch_transformer", model_params={"patch": 256}, window={"length": 300})
    with pytest.raises(ValidationError, match="at least 100"):
        TrainingConfig(model="cnn1d", model_params={"first_kernel": 100}, window={"length": 90})
    with pytest.raises(ValidationError, match="multiple of heads"):
        TrainingConfig(model="patch_transformer", model_params={"dim": 30, "heads": 4}, window={"length": 1024})
    with pytest.raises(ModelDoesNotFit, match="no torch architecture"):
        build_model("random_forest", {}, N_CLASSES, 1024)
    with pytest.raises(ModelDoesNotFit, match="unknown model"):
        build_model("vgg", {}, N_CLASSES, 1024)


@pytest.mark.parametrize("name", CLASSICAL)
def test_classical_models_fit_and_round_trip(name: str) -> None:
    rng = np.random.default_rng(4)
    y = np.arange(60) % 3
    x = rng.standard_normal((60, 6)) + y[:, None]
    estimator = build_classical(name, model_info(name).resolve("small"), seed=0)
    estimator.fit(x, y)
    spec = _spec(name, model_info(name).resolve("small"), 1).model_copy(update={"feature_names": tuple("abcdef")})
    blob = save_classical_artefact(estimator, spec)
    assert is_classical_artefact(blob)
    loaded, loaded_spec = load_classical_artefact(blob)
    assert loaded_spec.feature_names == tuple("abcdef")
    np.testing.assert_array_equal(loaded.predict_proba(x), estimator.predict_proba(x))
    with pytest.raises(InvalidArtefact, match="classical"):
        load_artefact(blob)
    with pytest.raises(ModelDoesNotFit):
        build_classical("cnn1d", {}, seed=0)
