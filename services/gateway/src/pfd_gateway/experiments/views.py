"""What the experiment service returns (the API's XPublic models and the pages' data): typed, JSON-able."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class MetricSummary(_View):
    """One metric across the runs (seeds) of an experiment that have it."""

    mean: float
    std: float = Field(description="Sample standard deviation (ddof=1); 0 with a single run.")
    count: int = Field(ge=0)
    values: list[float] = Field(default_factory=list, description="The value of each run, in run order.")


class RunPublic(_View):
    """One run (one seed) of an experiment."""

    run_id: str
    experiment_id: str
    seed: int
    run_index: int
    status: str
    worker: str | None = None
    epoch: int = 0
    epochs: int | None = None
    start_epoch: int = 0
    train_windows: int | None = None
    val_windows: int | None = None
    parameters: int | None = None
    windows_per_s: float | None = None
    eta_s: float | None = Field(default=None, description="Estimated seconds left (running runs).")
    metrics: dict[str, float] = Field(default_factory=dict)
    best_epoch: int | None = None
    artefacts: dict[str, str] = Field(default_factory=dict)
    checkpoint_key: str | None = None
    error: str | None = None
    seconds: float | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    status_at: datetime | None = Field(default=None, description="When the worker event behind the status happened.")
    updated_at: datetime


class ExperimentPublic(_View):
    """An experiment: one config on one data set, N seeds; ``metrics`` are the mean ± std over its runs."""

    experiment_id: str
    owner_id: str
    name: str
    dataset_id: str
    dataset_name: str
    model: str
    preset: str
    status: str
    run_count: int
    runs_done: int = 0
    config: dict[str, Any]
    tags: list[str] = Field(default_factory=list)
    metrics: dict[str, MetricSummary] = Field(default_factory=dict)
    error: str | None = None
    created_at: datetime
    updated_at: datetime


class ExperimentDetail(ExperimentPublic):
    runs: list[RunPublic] = Field(default_factory=list)
    worker: WorkerAvailability | None = None


class ExperimentPage(_View):
    """One page of the experiments list (server-side paging)."""

    items: list[ExperimentPublic]
    total: int = Field(ge=0, description="Experiments matching the filters (all pages).")
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class EpochPublic(_View):
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    learning_rate: float
    seconds: float
    windows_per_s: float


class LogLinePublic(_View):
    id: int
    at: datetime
    level: str
    line: str


class RunEvaluation(_View):
    """The projected EvaluationCompleted of one run."""

    run_id: str
    seed: int
    class_names: list[str]
    window_accuracy: float
    record_accuracy: float
    macro_f1: float
    ece: float
    per_class: list[dict[str, Any]]
    confusion: list[list[int]]
    robustness: dict[str, float] = Field(default_factory=dict)
    misclassified: list[dict[str, Any]] = Field(default_factory=list)
    report_key: str


class ResultsPublic(_View):
    """An experiment's test results: every evaluated run, the chosen run's full report, mean ± std per metric."""

    experiment_id: str
    dataset_id: str
    runs: list[RunEvaluation]
    run_id: str | None = Field(default=None, description="The run whose full report is included.")
    report: dict[str, Any] | None = Field(default=None, description="The full report JSON (ROC, calibration, ...).")
    report_error: str | None = Field(default=None, description="Why the report could not be read, if it could not.")
    metrics: dict[str, MetricSummary] = Field(default_factory=dict)


class McNemarPublic(_View):
    """McNemar's test of two experiments on the test records both were evaluated on."""

    a: str
    b: str
    shared_records: int
    a_only_correct: int = Field(description="Records A got right and B wrong.")
    b_only_correct: int = Field(description="Records B got right and A wrong.")
    statistic: float | None = None
    p_value: float | None = None
    method: str | None = Field(default=None, description="exact (binomial, few discordant records) or chi2.")
    note: str | None = Field(default=None, description="Why no test was run, if it was not.")


class ComparisonPublic(_View):
    experiments: list[ExperimentPublic]
    metric_names: list[str] = Field(description="Union of the metrics of the compared experiments, sorted.")
    config_diff: dict[str, list[Any]] = Field(
        description="Flattened config keys whose values differ: key -> one value per experiment (None: absent).")
    curves: dict[str, dict[str, list[EpochPublic]]] = Field(
        description="experiment_id -> run_id -> epoch history.")
    mcnemar: list[McNemarPublic] = Field(default_factory=list, description="Every pair of the compared experiments.")


class SavedSearchPublic(_View):
    search_id: str
    name: str
    query: dict[str, Any]
    created_at: datetime


class WorkerAvailability(_View):
    """Whether a training worker is alive to take queued runs (from the status reports)."""

    live_workers: int = Field(ge=0)
    instances: list[str] = Field(default_factory=list)
    slots: int = Field(default=0, ge=0, description="Job slots of the live workers that report them.")
    busy: int = Field(default=0, ge=0, description="Of those, slots running a job now.")
    message: str | None = Field(default=None, description="What the user should know, e.g. no worker is running.")


ExperimentDetail.model_rebuild()
