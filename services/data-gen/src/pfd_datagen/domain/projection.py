"""2-D projections of feature vectors (PCA, t-SNE, UMAP): pure numpy / scikit-learn / openTSNE / umap-learn.

Features are standardised first (non-finite values replaced by the column median, constant columns dropped).
Long methods report progress through ``progress(stage, done, total)`` and stop when ``should_stop()`` turns
true: t-SNE checks it every ``TSNE_CALLBACK_EVERY`` iterations, UMAP between its stages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pfd_shared.exploration.models import ProjectionSpec

Progress = Callable[[str, int, int], None]
StopCheck = Callable[[], bool]
DIMENSIONS = 2
TSNE_EARLY_ITERATIONS = 250  # early exaggeration phase (openTSNE's default)
TSNE_ITERATIONS = 500  # then the normal phase: 750 in all, enough for a converged map of a few thousand points
TSNE_CALLBACK_EVERY = 25
MIN_RECORDS = {"pca": 2, "tsne": 4, "umap": 4}


class ProjectionCancelled(Exception):
    """``should_stop`` turned true during the computation."""


class ProjectionImpossible(ValueError):
    """The selection cannot be projected (too few records, no varying feature); the message says why."""


@dataclass(frozen=True)
class Projection:
    coordinates: np.ndarray  # (n, 2) float32
    explained_variance: tuple[float, ...] = ()  # PCA only: share of the variance of each axis
    features_used: int = 0


def standardise(features: np.ndarray) -> np.ndarray:
    """Z-scores per column (float64); non-finite values become the column median, constant columns go."""
    values = np.array(features, dtype=np.float64, copy=True)
    finite = np.isfinite(values)
    if not finite.all():
        medians = np.array([np.median(col[ok]) if ok.any() else 0.0 for col, ok in zip(values.T, finite.T)])
        values = np.where(finite, values, medians[None, :])
    std = values.std(axis=0)
    varying = std > np.finfo(np.float64).eps * np.maximum(1.0, np.abs(values).max(axis=0))
    return (values[:, varying] - values[:, varying].mean(axis=0)) / std[varying]


def project(features: np.ndarray, spec: ProjectionSpec, *, workers: int = 1, progress: Progress | None = None,
            should_stop: StopCheck | None = None) -> Projection:
    """The 2-D projection of ``features`` (records x features) by ``spec``; deterministic for a given seed."""
    report = progress or (lambda stage, done, total: None)
    stop = should_stop or (lambda: False)
    records = features.shape[0]
    if records < MIN_RECORDS[spec.method]:
        raise ProjectionImpossible(f"{spec.method} needs at least {MIN_RECORDS[spec.method]} records; "
                                   f"the selection has {records}")
    values = standardise(features)
    if values.shape[1] == 0:
        raise ProjectionImpossible("no feature varies across the selected records")
    if spec.method == "pca":
        coordinates, explained = _pca(values)
        return Projection(coordinates, explained, values.shape[1])
    if spec.method == "tsne":
        return Projection(_tsne(values, spec, workers, report, stop), (), values.shape[1])
    return Projection(_umap(values, spec, report, stop), (), values.shape[1])


def _pca(values: np.ndarray) -> tuple[np.ndarray, tuple[float, ...]]:
    from sklearn.decomposition import PCA

    components = min(DIMENSIONS, values.shape[1])
    model = PCA(n_components=components, svd_solver="full")
    coordinates = model.fit_transform(values)
    signs = np.sign(model.components_[np.arange(components), np.abs(model.components_).argmax(axis=1)])
    coordinates = coordinates * signs  # a fixed orientation: the largest loading of each axis is positive
    if components < DIMENSIONS:
        coordinates = np.column_stack([coordinates, np.zeros(len(values))])
    return coordinates.astype(np.float32), tuple(float(v) for v in model.explained_variance_ratio_)


def _tsne(values: np.ndarray, spec: ProjectionSpec, workers: int, report: Progress, stop: StopCheck) -> np.ndarray:
    from openTSNE import TSNE
    from openTSNE.callbacks import Callback

    total = TSNE_EARLY_ITERATIONS + TSNE_ITERATIONS
    offsets = iter((0, TSNE_EARLY_ITERATIONS))  # openTSNE counts the iterations of each phase from 1
    phase = {"offset": 0, "stopped": False}

    class Watch(Callback):  # type: ignore[misc]
        def optimization_about_to_start(self) -> None:
            phase["offset"] = next(offsets, TSNE_EARLY_ITERATIONS)

        def __call__(self, iteration: int, error: float, embedding: object) -> bool:
            report("t-SNE", min(phase["offset"] + iteration, total), total)
            phase["stopped"] = stop()
            return phase["stopped"]  # True ends the optimisation (openTSNE then returns what it has)

    perplexity = min(spec.perplexity, (len(values) - 1) / 3)
    report("t-SNE", 0, total)
    model = TSNE(n_components=DIMENSIONS, perplexity=perplexity, initialization="pca", metric="euclidean",
                 early_exaggeration_iter=TSNE_EARLY_ITERATIONS, n_iter=TSNE_ITERATIONS, n_jobs=max(1, workers),
                 random_state=spec.seed, callbacks=Watch(), callbacks_every_iters=TSNE_CALLBACK_EVERY,
                 negative_gradient_method="bh", verbose=False)
    embedding = model.fit(values)
    if phase["stopped"]:
        raise ProjectionCancelled("t-SNE stopped on request")
    report("t-SNE", total, total)
    return np.asarray(embedding, dtype=np.float32)


def _umap(values: np.ndarray, spec: ProjectionSpec, report: Progress, stop: StopCheck) -> np.ndarray:
    """With a random state UMAP runs on one thread: that is what makes it reproducible."""
    report("loading UMAP", 0, 2)
    if stop():
        raise ProjectionCancelled("UMAP stopped on request")
    from umap import UMAP

    report("UMAP", 1, 2)
    if stop():
        raise ProjectionCancelled("UMAP stopped on request")
    neighbours = min(spec.n_neighbors, len(values) - 1)
    model = UMAP(n_components=DIMENSIONS, n_neighbors=neighbours, min_dist=spec.min_dist, random_state=spec.seed,
                 n_jobs=1, init="spectral" if len(values) > neighbours + 1 else "random")
    coordinates = model.fit_transform(values)
    if stop():
        raise ProjectionCancelled("UMAP stopped on request")
    report("UMAP", 2, 2)
    return np.asarray(coordinates, dtype=np.float32)
