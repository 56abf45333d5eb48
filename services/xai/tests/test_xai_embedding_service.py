"""Embeddings through the xai service on fakes (the ``xai`` fixture of conftest): projected once and stored,
answered from the cache on repeat, computed again when what it depends on changes; bad input fails with the
reason."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetDeleted, DatasetReady
from pfd_shared.events.xai import EmbeddingRequested

from pfd_xai.domain import projection as projection_module


def embedding(embedding_id: str = "em-1", **changes: Any) -> Any:
    fields: dict[str, Any] = {"embedding_id": embedding_id, "experiment_id": "exp-1", "run_id": "run-1",
                              "dataset_id": "ds-1", "method": "pca", "max_windows": 10, "seed": 0}
    return new_envelope(EmbeddingRequested(**{**fields, **changes}), producer="test", owner="u1")


async def outcome(app: Any, published: list[Any], request: Any) -> Any:
    await app.embeddings.embed(request)
    return published[-1]


async def test_an_embedding_is_projected_once_then_answered_from_the_cache(xai: Any, world: Any) -> None:
    app, store, published = xai
    ready = await outcome(app, published, embedding())
    assert ready.type == "xai.embedding_ready" and not ready.payload.cached, ready.payload
    assert ready.key() == b"em-1" and ready.owner == "u1"
    event = ready.payload
    assert event.points_key == "embeddings/em-1/points.npz" and event.points == 10 and event.method == "pca"
    assert event.class_names == ["healthy", "outer_race", "inner", "outer"]  # the data set's, then the model's
    points = np.load(io.BytesIO(store.get_bytes(event.points_key)))
    assert points["xy"].shape == (10, 2) and points["xy"].dtype == np.float32
    per_record = world.record_samples // world.window
    assert (points["windows"] < per_record).all() and (points["records"] < world.records).all()
    assert np.bincount(points["labels"]).tolist() == [5, 5]  # evenly per class
    assert (points["labels"] == points["records"] % 2).all()  # the test file's labels alternate
    assert set(points["predicted"].tolist()) <= {0, 2, 3}  # the model's classes healthy, inner, outer
    assert event.embedding_dim > 1 and len(points["explained_variance"]) == 2
    objects = sorted(info.key for info in store.list("embeddings/"))
    again = await outcome(app, published, embedding("em-2"))
    assert again.type == "xai.embedding_ready" and again.payload.cached and again.payload.embedding_id == "em-2"
    assert again.payload.points_key == event.points_key and again.payload.class_names == event.class_names
    assert sorted(info.key for info in store.list("embeddings/")) == objects


@pytest.mark.parametrize("changes", [{"seed": 1}, {"max_windows": 12}, {"method": "tsne"}])
async def test_another_sample_or_projection_is_computed_anew(xai: Any, changes: dict[str, Any]) -> None:
    app, _, published = xai
    await outcome(app, published, embedding())
    other = await outcome(app, published, embedding("em-other", **changes))
    assert other.type == "xai.embedding_ready" and not other.payload.cached, other.payload
    assert other.payload.points_key == "embeddings/em-other/points.npz"


async def test_a_deleted_data_set_forgets_its_embeddings(xai: Any, world: Any) -> None:
    app, _, published = xai
    await outcome(app, published, embedding())
    await app.service.forget_dataset(new_envelope(DatasetDeleted(dataset_id="ds-1"), producer="test"))
    gone = await outcome(app, published, embedding("em-2"))
    assert gone.type == "xai.embedding_failed" and "unknown data set" in gone.payload.reason


async def _record_dataset(app: Any, world: Any, dataset_id: str, rate_hz: float) -> None:
    await app.service.record_dataset(new_envelope(DatasetReady(
        dataset_id=dataset_id, name="other", kind="synthetic", object_key=world.dataset_key, size_bytes=1,
        sha256="0" * 64, records=world.records, samples_per_record=world.record_samples, sample_rate_hz=rate_hz,
        class_names=world.dataset_classes, class_counts=(2, 2), feature_names=(), split_counts={}, seconds=0.0),
        producer="test"))


@pytest.mark.parametrize("changes, reason", [
    ({"run_id": "run-404"}, "unknown model"),
    ({"dataset_id": "ds-404"}, "unknown data set"),
    ({"run_id": "run-classical"}, "classical model"),
    ({"dataset_id": "ds-slow"}, "sampled at 6000 Hz"),
])
async def test_bad_input_fails_with_the_reason(xai: Any, world: Any, changes: dict[str, Any], reason: str) -> None:
    app, store, published = xai
    await _record_dataset(app, world, "ds-slow", world.rate_hz / 2)
    failed = await outcome(app, published, embedding(**changes))
    assert failed.type == "xai.embedding_failed" and reason in failed.payload.reason, failed.payload.reason
    assert not list(store.list("embeddings/"))


async def test_umap_is_refused_with_the_reason_when_it_is_not_installed(xai: Any,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app, _, published = xai
    monkeypatch.setattr(projection_module, "umap_available", lambda: False)
    failed = await outcome(app, published, embedding(method="umap"))
    assert failed.type == "xai.embedding_failed" and "UMAP is not installed" in failed.payload.reason
