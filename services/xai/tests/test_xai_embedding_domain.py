"""The embedding core: window sampling evenly per class, the head's input captured by a hook on every
registered architecture, 2-D projections and the class alignment of labels and predictions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pfd_shared.models import build_model, embed, registered_models
from pfd_shared.training.catalogue import model_info

from pfd_xai.domain import (
    EmbeddingImpossible,
    MethodDoesNotApply,
    align_classes,
    class_quotas,
    embed_windows,
    project_2d,
    sample_windows,
    windows_per_record,
)
from pfd_xai.domain import projection as projection_module

WINDOW, N_CLASSES = 256, 3


def _model(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(name, model_info(name).resolve("small"), N_CLASSES, WINDOW).eval()


def test_windows_per_record_leaves_out_the_short_tail() -> None:
    assert windows_per_record(1000, 256) == 3 and windows_per_record(255, 256) == 0


def test_quotas_share_the_budget_evenly_and_pass_on_what_a_small_class_cannot_fill() -> None:
    assert class_quotas({0: 100, 1: 100, 2: 100}, 10) == {0: 3, 1: 3, 2: 4}
    assert class_quotas({0: 2, 1: 100, 2: 100}, 12) == {0: 2, 1: 5, 2: 5}
    assert class_quotas({0: 2, 1: 3}, 50) == {0: 2, 1: 3}


def test_sampling_is_even_per_class_reproducible_and_in_reading_order() -> None:
    labels = np.array([0] * 10 + [1] * 2 + [2] * 6)
    sample = sample_windows(labels, per_record=4, max_windows=24, seed=7)
    assert len(sample) == 24
    assert np.bincount(sample.labels).tolist() == [8, 8, 8]
    assert (labels[sample.records] == sample.labels).all() and (sample.windows < 4).all()
    flat = sample.records * 4 + sample.windows
    assert (np.diff(flat) > 0).all()  # sorted, no window twice
    again = sample_windows(labels, per_record=4, max_windows=24, seed=7)
    other = sample_windows(labels, per_record=4, max_windows=24, seed=8)
    assert np.array_equal(again.records, sample.records) and np.array_equal(again.windows, sample.windows)
    assert not (np.array_equal(other.records, sample.records) and np.array_equal(other.windows, sample.windows))


def test_a_small_data_set_is_sampled_whole() -> None:
    sample = sample_windows(np.array([1, 0, 1]), per_record=2, max_windows=100, seed=0)
    assert sample.records.tolist() == [0, 0, 1, 1, 2, 2] and sample.windows.tolist() == [0, 1] * 3


def test_records_shorter_than_a_window_cannot_be_sampled() -> None:
    with pytest.raises(EmbeddingImpossible, match="shorter than one window"):
        sample_windows(np.array([0, 1]), per_record=0, max_windows=10, seed=0)
    with pytest.raises(EmbeddingImpossible, match="no records"):
        sample_windows(np.array([], dtype=int), per_record=3, max_windows=10, seed=0)


@pytest.mark.parametrize("name", registered_models())
def test_the_hook_captures_the_penultimate_features_of_every_registered_model(name: str) -> None:
    model = _model(name)
    windows = np.random.default_rng(0).normal(size=(10, WINDOW)).astype(np.float32)
    done: list[int] = []
    parts = [windows[:3], windows[3:4], windows[4:]]  # streamed in uneven parts, re-batched by 4
    result = embed_windows(model, parts, batch_size=4, on_batch=done.append)
    assert result.features.shape == (10, model.embed_dim) and result.dim == model.embed_dim
    assert done == [4, 8, 10]
    with torch.no_grad():
        expected = embed(model, windows)
        logits = model(torch.from_numpy(windows).unsqueeze(1))
    np.testing.assert_allclose(result.features, expected.numpy(), rtol=1e-4, atol=1e-5)
    assert result.predicted.tolist() == logits.argmax(dim=1).tolist()
    assert not model.head._forward_pre_hooks  # the hook is removed again


def test_embedding_needs_windows_of_the_models_channels() -> None:
    with pytest.raises(MethodDoesNotApply, match="1 channel"):
        embed_windows(_model("cnn1d"), [np.zeros((2, 2, WINDOW), dtype=np.float32)])
    with pytest.raises(EmbeddingImpossible, match="no window"):
        embed_windows(_model("cnn1d"), [])


def _clusters(per_cluster: int = 15, dim: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    rows = np.vstack([rng.normal(0, 0.1, (per_cluster, dim)), rng.normal(0, 0.1, (per_cluster, dim)) + 5])
    return rows, np.repeat([0, 1], per_cluster)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_projections_are_2d_reproducible_and_keep_clusters_apart(method: str) -> None:
    rows, clusters = _clusters()
    first = project_2d(rows, method, seed=3)
    assert first.xy.shape == (30, 2) and first.xy.dtype == np.float32
    assert np.array_equal(project_2d(rows, method, seed=3).xy, first.xy)
    centres = [first.xy[clusters == c].mean(axis=0) for c in (0, 1)]
    spread = max(first.xy[clusters == c].std(axis=0).max() for c in (0, 1))
    assert np.linalg.norm(centres[0] - centres[1]) > 3 * spread


def test_pca_reports_the_variance_of_its_axes_and_handles_a_1d_embedding() -> None:
    rows, _ = _clusters()
    projected = project_2d(rows, "pca")
    assert len(projected.explained_variance) == 2 and 0.9 < sum(projected.explained_variance) <= 1 + 1e-9
    flat = project_2d(rows[:, :1], "pca")
    assert flat.xy.shape == (30, 2) and (flat.xy[:, 1] == 0).all()


def test_projection_rejects_too_few_windows_and_unavailable_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    rows, _ = _clusters()
    with pytest.raises(EmbeddingImpossible, match="at least 4"):
        project_2d(rows[:3], "tsne")
    with pytest.raises(MethodDoesNotApply, match="unknown projection"):
        project_2d(rows, "isomap")
    monkeypatch.setattr(projection_module, "umap_available", lambda: False)
    with pytest.raises(MethodDoesNotApply, match="UMAP is not installed"):
        project_2d(rows, "umap")


def test_labels_and_predictions_share_one_list_of_class_names() -> None:
    aligned = align_classes(("healthy", "outer"), ("outer", "inner", "healthy"), np.array([0, 1, 1]),
                            np.array([2, 0, 1]))
    assert aligned.names == ("healthy", "outer", "inner")
    assert aligned.labels.tolist() == [0, 1, 1] and aligned.predicted.tolist() == [0, 1, 2]
