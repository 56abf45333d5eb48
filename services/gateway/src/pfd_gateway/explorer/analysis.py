"""What the explorer shows of a selection of records (pure: arrays and row numbers in, plain results out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pfd_shared.exploration.arrays import ExplorerArrays
from pfd_shared.exploration.models import OPERATING_NAMES, SPLIT_NAMES
from pfd_shared.generation.config import NOMINAL, SEVERITY_LEVELS

from pfd_gateway.signals.analysis import group_features

SEVERITY_ORDER = (NOMINAL, *SEVERITY_LEVELS)
NO_LEVEL = "—"


@dataclass(frozen=True)
class Description:
    """What a data set offers to filter on and to look at."""

    records: int
    class_names: tuple[str, ...]
    severity_levels: tuple[str, ...]
    splits: tuple[str, ...]
    ranges: dict[str, tuple[float, float]]  # operating condition -> (min, max) of its finite values
    feature_groups: dict[str, list[str]]  # group -> feature names, as the spec groups them
    kind: str = ""
    name: str = ""


@dataclass(frozen=True)
class ClassSummary:
    name: str
    records: int
    share: float
    splits: dict[str, int]
    operating_means: dict[str, float | None]
    mean_severity: float | None


@dataclass(frozen=True)
class Overview:
    selected: int
    total: int
    classes: list[ClassSummary]
    severity_levels: tuple[str, ...]
    severity_counts: dict[str, dict[str, int]]  # class -> level -> records


@dataclass(frozen=True)
class ClassValues:
    name: str
    values: np.ndarray  # a deterministic sample of at most ``max_points`` values (for box / violin)
    count: int
    median: float | None


@dataclass(frozen=True)
class Distribution:
    feature: str
    classes: list[ClassValues]
    edges: np.ndarray  # shared histogram bin edges
    counts: dict[str, np.ndarray]  # class -> records per bin


@dataclass(frozen=True)
class Correlation:
    names: list[str]
    matrix: np.ndarray  # Pearson r; NaN where a feature does not vary


@dataclass(frozen=True)
class Ranking:
    names: list[str]  # most informative first
    scores: list[float]  # mutual information with the class (nats)
    records: int
    note: str = ""
    groups: dict[str, str] = field(default_factory=dict)  # feature -> group


def feature_groups(names: Sequence[str]) -> dict[str, list[str]]:
    return {group: list(values) for group, values in group_features({name: 0.0 for name in names}).items()}


def _finite_range(values: np.ndarray) -> tuple[float, float] | None:
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else None


def ordered_levels(levels: Sequence[str]) -> tuple[str, ...]:
    known = [level for level in SEVERITY_ORDER if level in set(levels)]
    return (*known, *sorted(set(levels) - set(known)))


def describe(arrays: ExplorerArrays) -> Description:
    ranges = {name: found for name in OPERATING_NAMES if name in arrays.operating
              if (found := _finite_range(arrays.operating[name])) is not None}
    levels = ordered_levels(np.unique(arrays.severity_levels).tolist()) if arrays.severity_levels is not None else ()
    splits = tuple(name for number, name in enumerate(SPLIT_NAMES) if (arrays.split == number).any())
    return Description(arrays.records, arrays.class_names, levels, splits, ranges,
                       feature_groups(arrays.feature_names), str(arrays.attrs.get("kind", "")),
                       str(arrays.attrs.get("name", "")))


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def overview(arrays: ExplorerArrays, rows: np.ndarray) -> Overview:
    """Per-class summary of the selected rows, classes in the data set's order (absent classes left out)."""
    labels = arrays.labels[rows]
    levels = arrays.severity_levels[rows] if arrays.severity_levels is not None else None
    shown_levels = ordered_levels(np.unique(levels).tolist()) if levels is not None else ()
    classes, severity_counts = [], {}
    for number, name in enumerate(arrays.class_names):
        members = rows[labels == number]
        if not members.size:
            continue
        split = arrays.split[members]
        classes.append(ClassSummary(
            name=name, records=int(members.size), share=members.size / max(1, rows.size),
            splits={split_name: int((split == index).sum()) for index, split_name in enumerate(SPLIT_NAMES)},
            operating_means={key: _mean(values[members]) for key, values in arrays.operating.items()},
            mean_severity=_mean(arrays.severities[members]) if arrays.severities is not None else None))
        if levels is not None:
            found, counts = np.unique(levels[labels == number], return_counts=True)
            severity_counts[name] = {str(level): int(count) for level, count in zip(found, counts, strict=True)}
    return Overview(int(rows.size), arrays.records, classes, shown_levels, severity_counts)


def _sample(values: np.ndarray, max_points: int, seed: int) -> np.ndarray:
    if values.size <= max_points:
        return values
    picked = np.random.default_rng(seed).choice(values.size, size=max_points, replace=False)
    return values[np.sort(picked)]


def distribution(arrays: ExplorerArrays, rows: np.ndarray, feature: str, *, bins: int, max_points: int,
                 seed: int) -> Distribution:
    """One feature per class: a sample for box/violin plots and histogram counts on bins shared by every class."""
    column = arrays.feature_names.index(feature)
    values = arrays.features[rows, column].astype(np.float64)
    labels = arrays.labels[rows]
    finite = np.isfinite(values)
    span = _finite_range(values) or (0.0, 1.0)
    edges = np.histogram_bin_edges(values[finite], bins=bins, range=span if span[0] < span[1] else None)
    classes, counts = [], {}
    for number, name in enumerate(arrays.class_names):
        own = values[(labels == number) & finite]
        if not ((labels == number).any()):
            continue
        classes.append(ClassValues(name, _sample(own, max_points, seed), int(own.size),
                                   float(np.median(own)) if own.size else None))
        counts[name] = np.histogram(own, bins=edges)[0]
    return Distribution(feature, classes, edges, counts)


def standardised(features: np.ndarray) -> np.ndarray:
    """Z-scores per column; non-finite values become the column mean (0), constant columns stay 0."""
    values = np.asarray(features, dtype=np.float64)
    finite = np.isfinite(values)
    counts = finite.sum(axis=0)
    means = np.where(counts > 0, np.where(finite, values, 0.0).sum(axis=0) / np.maximum(counts, 1), 0.0)
    centred = np.where(finite, values - means, 0.0)
    std = np.sqrt((centred ** 2).sum(axis=0) / np.maximum(counts, 1))
    return np.divide(centred, std, out=np.zeros_like(centred), where=std > 0)


def correlation(arrays: ExplorerArrays, rows: np.ndarray) -> Correlation:
    """Pearson correlation of every feature pair over the selection, features ordered by group."""
    names = [name for group in feature_groups(arrays.feature_names).values() for name in group]
    order = [arrays.feature_names.index(name) for name in names]
    z = standardised(arrays.features[np.ix_(rows, order)])
    varying = z.std(axis=0) > 0
    matrix = (z.T @ z) / max(1, len(rows))
    matrix[~varying, :] = np.nan
    matrix[:, ~varying] = np.nan
    np.fill_diagonal(matrix, np.where(varying, 1.0, np.nan))
    return Correlation(names, np.clip(matrix, -1.0, 1.0))


def ranking(arrays: ExplorerArrays, rows: np.ndarray, *, neighbours: int, max_records: int, seed: int) -> Ranking:
    """Mutual information of each feature with the class (scikit-learn's k-NN estimator), highest first.

    Above ``max_records`` a deterministic sample is used (the note says so)."""
    from sklearn.feature_selection import mutual_info_classif

    groups = {name: group for group, names in feature_groups(arrays.feature_names).items() for name in names}
    labels = arrays.labels[rows]
    if np.unique(labels).size < 2:
        return Ranking([], [], int(rows.size), "Mutual information needs at least two classes in the selection.")
    picked = _sample(np.arange(rows.size), max_records, seed)
    note = f"Estimated on a sample of {picked.size:,} of {rows.size:,} records." if picked.size < rows.size else ""
    scores = mutual_info_classif(standardised(arrays.features[rows[picked]]), labels[picked],
                                 n_neighbors=min(neighbours, max(1, picked.size - 1)), random_state=seed)
    order = np.argsort(-scores, kind="stable")
    return Ranking([arrays.feature_names[i] for i in order], [float(scores[i]) for i in order], int(rows.size),
                   note, groups)
