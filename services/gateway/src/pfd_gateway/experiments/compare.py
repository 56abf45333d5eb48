"""Comparing experiments (pure): metrics side by side, config diff, curves and McNemar on shared test records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from pfd_shared.training.stats import mcnemar

from pfd_gateway.experiments.views import ComparisonPublic, EpochPublic, ExperimentPublic, McNemarPublic

# The full report's per-test-record lists (same order): record rows and whether the vote was right.
REPORT_RECORDS, REPORT_CORRECT = "test_records", "correct"


def comparison(experiments: Sequence[ExperimentPublic], curves: dict[str, dict[str, list[EpochPublic]]],
               reports: Mapping[str, dict[str, Any] | None]) -> ComparisonPublic:
    """The comparison of ``experiments``; ``reports`` holds each one's first evaluated run's full report."""
    names = sorted({name for experiment in experiments for name in experiment.metrics})
    return ComparisonPublic(experiments=list(experiments), metric_names=names,
                            config_diff=config_diff(experiments), curves=curves,
                            mcnemar=[pair(a, b, reports.get(a.experiment_id), reports.get(b.experiment_id))
                                     for a, b in combinations(experiments, 2)])


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys (lists and scalars are leaves)."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
    return flat


def config_diff(experiments: Sequence[ExperimentPublic]) -> dict[str, list[Any]]:
    """Dotted config keys (and the data set) whose values differ: key -> one value per experiment."""
    flats = [flatten(experiment.config) | {"dataset_id": experiment.dataset_id} for experiment in experiments]
    columns = {key: [flat.get(key) for flat in flats] for key in sorted({key for flat in flats for key in flat})}
    return {key: values for key, values in columns.items() if len({repr(value) for value in values}) > 1}


def record_correctness(report: dict[str, Any] | None) -> dict[int, bool] | None:
    """Test record row -> predicted correctly (by vote), from a full evaluation report; None when absent."""
    if not report:
        return None
    records, correct = report.get(REPORT_RECORDS), report.get(REPORT_CORRECT)
    if not isinstance(records, list) or not isinstance(correct, list) or len(records) != len(correct):
        return None
    return {int(record): bool(ok) for record, ok in zip(records, correct, strict=True)
            if isinstance(record, int) and isinstance(ok, bool)}


def pair(a: ExperimentPublic, b: ExperimentPublic, report_a: dict[str, Any] | None,
         report_b: dict[str, Any] | None) -> McNemarPublic:
    """McNemar's test of two experiments (their first evaluated runs) on the test records both predicted."""
    ids = {"a": a.experiment_id, "b": b.experiment_id}
    if a.dataset_id != b.dataset_id:
        return McNemarPublic(**ids, shared_records=0, a_only_correct=0, b_only_correct=0,
                             note="Trained on different data sets: no shared test records.")
    correct_a, correct_b = record_correctness(report_a), record_correctness(report_b)
    if correct_a is None or correct_b is None:
        return McNemarPublic(**ids, shared_records=0, a_only_correct=0, b_only_correct=0,
                             note="Both experiments need an evaluated run with its report.")
    shared = sorted(set(correct_a) & set(correct_b))
    if not shared:
        return McNemarPublic(**ids, shared_records=0, a_only_correct=0, b_only_correct=0,
                             note="No test record was predicted by both.")
    result = mcnemar([correct_a[r] for r in shared], [correct_b[r] for r in shared])
    return McNemarPublic(**ids, shared_records=len(shared), a_only_correct=result.only_a,
                         b_only_correct=result.only_b, statistic=result.statistic, p_value=result.p_value,
                         method=result.method)
