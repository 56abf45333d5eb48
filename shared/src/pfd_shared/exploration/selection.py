"""Which rows of a data set a ``RecordFilter`` keeps (the gateway and data-gen select the same records)."""

from __future__ import annotations

import numpy as np

from pfd_shared.exploration.arrays import ExplorerArrays
from pfd_shared.exploration.models import SPLIT_NAMES, RecordFilter


def record_mask(arrays: ExplorerArrays, record_filter: RecordFilter) -> np.ndarray:
    """A boolean mask over the records; a field the data set does not have (e.g. severities of an import)
    keeps nothing when it is restricted, and a NaN operating value never falls inside a range."""
    mask = np.ones(arrays.records, dtype=bool)
    if record_filter.classes is not None:
        wanted = [number for number, name in enumerate(arrays.class_names) if name in set(record_filter.classes)]
        mask &= np.isin(arrays.labels, wanted)
    if record_filter.severities is not None:
        levels = arrays.severity_levels
        mask &= np.isin(levels, list(record_filter.severities)) if levels is not None else False
    if record_filter.splits is not None:
        mask &= np.isin(arrays.split, [SPLIT_NAMES.index(name) for name in record_filter.splits])
    for name, bounds in record_filter.ranges.items():
        values = arrays.operating.get(name)
        if values is None:
            mask &= bounds.low is None and bounds.high is None
            continue
        if bounds.low is not None:
            mask &= values >= bounds.low
        if bounds.high is not None:
            mask &= values <= bounds.high
    return mask


def select_rows(arrays: ExplorerArrays, record_filter: RecordFilter) -> np.ndarray:
    """Row numbers (int64, ascending) of the records the filter keeps."""
    return np.flatnonzero(record_mask(arrays, record_filter))
