"""Results in the object store: explanations (explanations/{explanation_id}/: arrays as .npz, summary as .json)
and embedding projections (embeddings/{embedding_id}/points.npz), with the cache keys that identify each by
what it was computed from."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np

from pfd_shared.storage import ObjectStore

from pfd_xai.domain import Explanation, Projection2d, WindowSample

PREFIX = "explanations"
EMBEDDINGS_PREFIX = "embeddings"
POINTS_FILE = "points.npz"
ARRAYS_FILE = "attributions.npz"
SUMMARY_FILE = "summary.json"
CACHE_VERSION = 1
"""Bump when a change of the core changes what the same request computes (old cache entries then miss)."""


def explanation_key(explanation_id: str, name: str) -> str:
    return f"{PREFIX}/{explanation_id}/{name}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_key(model_sha: str, window: np.ndarray, methods: dict[str, dict[str, Any]], target: int | None,
              randomisation_check: bool) -> str:
    """Hash of (model artefact, input samples, resolved methods and parameters, target, sanity options)."""
    document = {"version": CACHE_VERSION, "model": model_sha, "input": sha256(np.ascontiguousarray(window).tobytes()),
                "shape": list(window.shape), "methods": methods, "target": target,
                "randomisation_check": randomisation_check}
    return sha256(json.dumps(document, sort_keys=True).encode())


def store_explanation(store: ObjectStore, explanation_id: str, window: np.ndarray, result: Explanation,
                      summary: dict[str, Any]) -> tuple[str, str]:
    """Arrays first, then the summary; returns (attributions_key, summary_key)."""
    arrays: dict[str, np.ndarray] = {"signal": window.astype(np.float32),
                                     "probabilities": result.probabilities.astype(np.float64)}
    arrays.update({f"attr_{name}": values.astype(np.float32) for name, values in result.attributions.items()})
    if result.bands is not None:
        arrays.update({"band_low_hz": result.bands.low_hz, "band_high_hz": result.bands.high_hz,
                       "band_drop": result.bands.drop})
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    arrays_key, summary_key = explanation_key(explanation_id, ARRAYS_FILE), explanation_key(explanation_id, SUMMARY_FILE)
    store.put_bytes(arrays_key, buffer.getvalue())
    store.put_bytes(summary_key, json.dumps(summary, sort_keys=True, allow_nan=False).encode(),
                    content_type="application/json")
    return arrays_key, summary_key


def embedding_cache_key(model_sha: str, dataset_id: str, dataset_object: dict[str, Any], method: str,
                        max_windows: int, seed: int) -> str:
    """Hash of (model artefact, data set and its object's identity, projection, sample size, seed)."""
    document = {"version": CACHE_VERSION, "kind": "embedding", "model": model_sha, "dataset": dataset_id,
                "object": dataset_object, "method": method, "max_windows": max_windows, "seed": seed}
    return sha256(json.dumps(document, sort_keys=True).encode())


def store_points(store: ObjectStore, embedding_id: str, projection: Projection2d, sample: WindowSample,
                 labels: np.ndarray, predicted: np.ndarray) -> str:
    """Points (.npz: xy, labels, predicted, records, windows, explained_variance); returns their key."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, xy=projection.xy.astype(np.float32), labels=labels.astype(np.int64),
                        predicted=predicted.astype(np.int64), records=sample.records.astype(np.int64),
                        windows=sample.windows.astype(np.int64),
                        explained_variance=np.asarray(projection.explained_variance, dtype=np.float64))
    key = f"{EMBEDDINGS_PREFIX}/{embedding_id}/{POINTS_FILE}"
    store.put_bytes(key, buffer.getvalue())
    return key
