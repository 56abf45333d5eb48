"""Projections: the pure domain (shapes, determinism, standardisation, cancellation, progress) and the service
with fakes (in-memory store, TestKafkaBroker, SQLite): computed once, stored, then answered from the store."""

import io
import json
from uuid import uuid4

import numpy as np
import pytest
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry

from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetGenerationRequested
from pfd_shared.events.projections import ProjectionCancelRequested, ProjectionRequested
from pfd_shared.exploration.reading import load_arrays
from pfd_shared.exploration.models import ProjectionSpec, RecordFilter, projection_id
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_datagen.bootstrap import build_datagen
from pfd_datagen.domain.projection import ProjectionCancelled, ProjectionImpossible, project, standardise
from pfd_datagen.settings import DataGenSettings

TINY = {"record": {"duration_s": 0.25}, "dataset": {"classes": [0, 1, 2], "records_per_class": 8}}


def clusters(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    features = rng.standard_normal((n, 8)) + 6.0 * labels[:, None]
    return features.astype(np.float32), labels


def separated(coordinates: np.ndarray, labels: np.ndarray) -> bool:
    """Each point's nearest neighbour in the map has its class (for well-separated clusters)."""
    distances = np.linalg.norm(coordinates[:, None] - coordinates[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    return bool(np.mean(labels[distances.argmin(axis=1)] == labels) > 0.95)


def test_standardise_replaces_missing_values_and_drops_constant_columns() -> None:
    values = np.array([[1.0, 5.0, np.nan], [2.0, 5.0, 4.0], [3.0, 5.0, 6.0]])
    z = standardise(values)
    assert z.shape == (3, 2) and np.allclose(z.mean(axis=0), 0) and np.allclose(z.std(axis=0), 1)
    assert z[0, 1] == z[1, 1] or np.isfinite(z).all()


@pytest.mark.parametrize("method", ["pca", "tsne", "umap"])
def test_projections_are_2d_deterministic_and_keep_clusters_apart(method) -> None:
    features, labels = clusters()
    spec = ProjectionSpec(method=method, perplexity=20, n_neighbors=10, seed=3)
    first, second = project(features, spec), project(features, spec)
    assert first.coordinates.shape == (len(features), 2) and first.coordinates.dtype == np.float32
    assert np.array_equal(first.coordinates, second.coordinates)
    assert separated(first.coordinates, labels)
    if method == "pca":
        assert len(first.explained_variance) == 2 and first.explained_variance[0] > first.explained_variance[1]


def test_tsne_reports_progress_and_stops_when_asked() -> None:
    features, _ = clusters()
    seen: list[tuple[str, int, int]] = []
    project(features, ProjectionSpec(method="tsne"), progress=lambda *step: seen.append(step))
    done = [step[1] for step in seen]
    assert done == sorted(done) and seen[-1][1] == seen[-1][2] and len(seen) > 10
    calls = {"n": 0}

    def stop_soon() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(ProjectionCancelled):
        project(features, ProjectionSpec(method="tsne"), should_stop=stop_soon)


def test_too_few_records_or_nothing_varying_is_refused() -> None:
    with pytest.raises(ProjectionImpossible, match="at least"):
        project(np.zeros((3, 4)), ProjectionSpec(method="tsne"))
    with pytest.raises(ProjectionImpossible, match="no feature varies"):
        project(np.ones((10, 4)), ProjectionSpec(method="pca"))


@pytest.fixture
async def datagen(tmp_path):
    store = InMemoryObjectStore()
    app = build_datagen(DataGenSettings(var_dir=tmp_path, workers=1), store=store,
                        metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    published = []

    async def capture(envelope) -> None:
        published.append(envelope)

    async with TestKafkaBroker(app.runtime.broker):
        await app.service.generate(new_envelope(DatasetGenerationRequested(
            dataset_id="ds-proj", name="tiny", config=TINY, robustness_snr_db=()), producer="test", owner="u1"))
        app.runtime.bus.publish = capture
        yield app, store, published


def request(spec: ProjectionSpec, record_filter: RecordFilter = RecordFilter(), pid: str | None = None):
    payload = ProjectionRequested(projection_id=pid or projection_id("datasets/ds-proj/dataset.h5", spec,
                                                                     record_filter),
                                  dataset_id="ds-proj", spec=spec, record_filter=record_filter)
    return new_envelope(payload, producer="test", owner="u1")


def outcomes(published):
    return [e for e in published if e.type != "projections.progress"]


async def test_a_projection_is_stored_once_and_then_served_from_the_store(datagen) -> None:
    app, store, published = datagen
    spec, only_two = ProjectionSpec(method="pca"), RecordFilter(classes=("healthy", "misalignment"))
    arrays = load_arrays(store, "datasets/ds-proj/dataset.h5")
    expected = int(np.isin(arrays.labels, [0, 1]).sum())
    await app.projections.project(request(spec, only_two))
    ready = outcomes(published)[-1]
    assert ready.type == "projections.ready" and ready.owner == "u1" and not ready.payload.cached
    coordinates = np.load(io.BytesIO(store.get_bytes(ready.payload.object_key)))
    assert coordinates.shape == (ready.payload.records, 2) and ready.payload.records == expected
    parameters_key = ready.payload.object_key.replace(".npy", ".json")
    assert ready.payload.object_key.startswith("datasets/ds-proj/projections/")
    assert json.loads(store.get_bytes(parameters_key))["record_filter"]["classes"] == ["healthy", "misalignment"]
    objects = sorted(info.key for info in store.list("datasets/ds-proj/"))
    await app.projections.project(request(spec, only_two))  # a repeat (or a redelivery)
    again = outcomes(published)[-1]
    assert again.payload.cached and again.payload.object_key == ready.payload.object_key
    assert sorted(info.key for info in store.list("datasets/ds-proj/")) == objects


async def test_bad_requests_fail_with_a_reason(datagen) -> None:
    app, _, published = datagen
    await app.projections.project(request(ProjectionSpec(method="pca"), pid="0" * 24))
    assert "does not match" in outcomes(published)[-1].payload.reason
    unknown = ProjectionRequested(projection_id="1" * 24, dataset_id="nope", spec=ProjectionSpec())
    await app.projections.project(new_envelope(unknown, producer="test"))
    assert "not ready" in outcomes(published)[-1].payload.reason
    nothing = RecordFilter(classes=("no-such-class",))
    await app.projections.project(request(ProjectionSpec(method="pca"), nothing))
    assert outcomes(published)[-1].type == "projections.failed"
    assert "at least" in outcomes(published)[-1].payload.reason


async def test_a_cancelled_projection_stores_nothing(datagen) -> None:
    app, store, published = datagen
    envelope = request(ProjectionSpec(method="tsne", seed=uuid4().int % 1000))
    app.projections.cancel(new_envelope(ProjectionCancelRequested(
        projection_id=envelope.payload.projection_id, dataset_id="ds-proj"), producer="test"))
    await app.projections.project(envelope)
    assert outcomes(published)[-1].type == "projections.cancelled"
    assert not list(store.list("datasets/ds-proj/projections/"))
