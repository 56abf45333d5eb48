"""Embeddings projected to 2-D: PCA (exact, with the share of variance of each axis), t-SNE (scikit-learn) or
UMAP (umap-learn, when it is installed). Deterministic for a given seed; the embedding is not rescaled (its
dimensions share one scale: the features the head reads)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from pfd_xai.domain.errors import EmbeddingImpossible, MethodDoesNotApply

PLANE = 2
MIN_POINTS = {"pca": 2, "tsne": 4, "umap": 4}
TSNE_PERPLEXITY = 30.0
PERPLEXITY_POINTS = 3.0
"""t-SNE's perplexity is capped at (n - 1) / 3: each point needs about three times as many neighbours."""
UMAP_NEIGHBOURS = 15
UMAP_MIN_DIST = 0.1


@dataclass(frozen=True)
class Projection2d:
    """(n, 2) float32 coordinates; for PCA the share of the embedding's variance each axis explains."""

    xy: np.ndarray
    explained_variance: tuple[float, ...] = ()


def projection_methods() -> tuple[str, ...]:
    return tuple(MIN_POINTS)


def umap_available() -> bool:
    return importlib.util.find_spec("umap") is not None


def project_2d(features: np.ndarray, method: str, seed: int = 0) -> Projection2d:
    """The 2-D projection of ``features`` (n, d); EmbeddingImpossible for too few windows, MethodDoesNotApply for
    an unknown or unavailable method."""
    if method not in MIN_POINTS:
        raise MethodDoesNotApply(f"unknown projection {method!r}: choose one of {', '.join(MIN_POINTS)}")
    if method == "umap" and not umap_available():
        raise MethodDoesNotApply("UMAP is not installed in this xai service: choose pca or tsne")
    if features.ndim != 2 or features.shape[0] < MIN_POINTS[method]:
        raise EmbeddingImpossible(f"{method} needs at least {MIN_POINTS[method]} windows, got {len(features)}")
    values = np.asarray(features, dtype=np.float64)
    if method == "pca":
        return _pca(values)
    if method == "tsne":
        return Projection2d(_tsne(values, seed))
    return Projection2d(_umap(values, seed))


def _pca(values: np.ndarray) -> Projection2d:
    from sklearn.decomposition import PCA

    axes = min(PLANE, *values.shape)
    pca = PCA(n_components=axes, svd_solver="full")
    xy = pca.fit_transform(values)
    largest = np.abs(pca.components_).argmax(axis=1)
    orientation = np.where(pca.components_[np.arange(axes), largest] < 0, -1.0, 1.0)
    xy = np.pad(xy * orientation, ((0, 0), (0, PLANE - axes)))  # a 1-D embedding lies on the first axis
    ratios = np.nan_to_num(pca.explained_variance_ratio_, nan=0.0)  # constant embeddings explain nothing
    return Projection2d(xy.astype(np.float32), tuple(float(r) for r in np.pad(ratios, (0, PLANE - axes))))


def _tsne(values: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE

    perplexity = min(TSNE_PERPLEXITY, (len(values) - 1) / PERPLEXITY_POINTS)
    return TSNE(n_components=PLANE, perplexity=perplexity, init="pca", random_state=seed).fit_transform(
        values).astype(np.float32)


def _umap(values: np.ndarray, seed: int) -> np.ndarray:
    """One thread with a random state: that is what makes UMAP reproducible."""
    from umap import UMAP

    neighbours = min(UMAP_NEIGHBOURS, len(values) - 1)
    spectral = len(values) > neighbours + 1
    reducer = UMAP(n_components=PLANE, n_neighbors=neighbours, min_dist=UMAP_MIN_DIST, random_state=seed, n_jobs=1,
                   init="spectral" if spectral else "random")
    return np.asarray(reducer.fit_transform(values), dtype=np.float32)
