"""Reading what the xai service stored (.npz in the object store) into the page's JSON-able views."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np

from pfd_shared.storage import ObjectStore, StorageError

from pfd_gateway.auth.errors import Conflict
from pfd_gateway.explanations.views import AttributionsPublic, Bands, EmbeddingPointsPublic

ATTRIBUTION_PREFIX = "attr_"
POINT_ARRAYS = ("xy", "labels", "predicted", "records", "windows")


def load_npz(store: ObjectStore, key: str) -> dict[str, np.ndarray]:
    """Every array of the .npz at ``key``; Conflict (the page says why) when it cannot be read."""
    try:
        with np.load(io.BytesIO(store.get_bytes(key)), allow_pickle=False) as found:
            return {name: found[name] for name in found.files}
    except (StorageError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise Conflict(f"The stored arrays cannot be read right now: {exc}") from exc


def _rows(values: np.ndarray) -> list[list[float]]:
    return np.atleast_2d(np.asarray(values, dtype=np.float64)).tolist()  # type: ignore[no-any-return]


def attributions(explanation_id: str, arrays: dict[str, np.ndarray], row: dict[str, Any]) -> AttributionsPublic:
    """The explanation's arrays; the class names come from the request (the run's data set) or the summary."""
    summary = row.get("summary") or {}
    names = list(row.get("class_names") or (summary.get("probabilities") or {}).keys())
    bands = None
    if "band_drop" in arrays:
        bands = Bands(low_hz=arrays["band_low_hz"].astype(float).tolist(),
                      high_hz=arrays["band_high_hz"].astype(float).tolist(),
                      drop=arrays["band_drop"].astype(float).tolist())
    return AttributionsPublic(
        explanation_id=explanation_id, sample_rate_hz=row.get("sample_rate_hz"), class_names=names,
        probabilities=np.asarray(arrays.get("probabilities", []), dtype=float).ravel().tolist(),
        signal=_rows(arrays["signal"]) if "signal" in arrays else [],
        attributions={name.removeprefix(ATTRIBUTION_PREFIX): _rows(values) for name, values in arrays.items()
                      if name.startswith(ATTRIBUTION_PREFIX)},
        bands=bands)


def points(embedding_id: str, arrays: dict[str, np.ndarray], class_names: list[str]) -> EmbeddingPointsPublic:
    missing = [name for name in POINT_ARRAYS if name not in arrays]
    if missing:
        raise Conflict(f"The stored embedding lacks {', '.join(missing)}.")
    xy = np.asarray(arrays["xy"], dtype=float).reshape(-1, 2)
    ints = {name: np.asarray(arrays[name]).astype(int).ravel().tolist() for name in POINT_ARRAYS[1:]}
    return EmbeddingPointsPublic(embedding_id=embedding_id, class_names=class_names, x=xy[:, 0].tolist(),
                                 y=xy[:, 1].tolist(), **ints)
