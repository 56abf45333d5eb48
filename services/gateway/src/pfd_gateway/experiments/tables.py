"""Tables of the gateway's experiment read model (projected from the training service's events).

Listing stays fast at tens of thousands of experiments: every filter and sort key has an index, metrics are
aggregated per experiment into ``experiment_metrics`` (one row per metric, indexed by (metric, mean)).
"""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData,
                        String, Table, Text, UniqueConstraint)
from sqlalchemy.schema import SchemaItem

RESOURCE_TYPE = "experiment"
ID_LENGTH = 64


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _experiment_fk() -> Column:  # type: ignore[type-arg]
    return Column("experiment_id", String(ID_LENGTH), ForeignKey("experiment_views.experiment_id", ondelete="CASCADE"),
                  nullable=False)


def _run_fk() -> Column:  # type: ignore[type-arg]
    return Column("run_id", String(ID_LENGTH), ForeignKey("run_views.run_id", ondelete="CASCADE"), nullable=False)


def experiment_view_items() -> list[SchemaItem]:
    return [
        Column("experiment_id", String(ID_LENGTH), primary_key=True),
        Column("owner_id", String(64), nullable=False),
        Column("name", String(200), nullable=False),
        Column("dataset_id", String(ID_LENGTH), nullable=False),
        Column("dataset_name", String(200), nullable=False),
        Column("model", String(60), nullable=False),
        Column("preset", String(40), nullable=False),
        Column("status", String(20), nullable=False),
        Column("run_count", Integer, nullable=False),
        Column("runs_done", Integer, nullable=False, default=0),
        Column("config", JSON, nullable=False),
        Column("error", Text, nullable=True),
        _at("created_at"), _at("updated_at"),
        Index("ix_experiment_views_owner_created", "owner_id", "created_at"),
        Index("ix_experiment_views_created", "created_at"),
        Index("ix_experiment_views_model_created", "model", "created_at"),
        Index("ix_experiment_views_dataset_created", "dataset_id", "created_at"),
        Index("ix_experiment_views_status_created", "status", "created_at"),
        Index("ix_experiment_views_name", "name"),
    ]


def run_view_items() -> list[SchemaItem]:
    return [
        Column("run_id", String(ID_LENGTH), primary_key=True),
        _experiment_fk(),
        Column("owner_id", String(64), nullable=False),
        Column("seed", Integer, nullable=False),
        Column("run_index", Integer, nullable=False),
        Column("status", String(20), nullable=False),
        _at("status_at"),
        Column("worker", String(200), nullable=True),
        Column("epoch", Integer, nullable=False, default=0),
        Column("epochs", Integer, nullable=True),
        Column("start_epoch", Integer, nullable=False, default=0),
        Column("train_windows", Integer, nullable=True),
        Column("val_windows", Integer, nullable=True),
        Column("parameters", BigInteger().with_variant(Integer, "sqlite"), nullable=True),
        Column("windows_per_s", Float, nullable=True),
        Column("epoch_seconds", Float, nullable=True),
        Column("metrics", JSON, nullable=True),
        Column("best_epoch", Integer, nullable=True),
        Column("artefacts", JSON, nullable=True),
        Column("checkpoint_key", String(300), nullable=True),
        Column("evaluation", JSON, nullable=True),
        Column("error", Text, nullable=True),
        Column("seconds", Float, nullable=True),
        _at("started_at", nullable=True), _at("finished_at", nullable=True), _at("updated_at"),
        Index("ix_run_views_experiment", "experiment_id", "run_index"),
    ]


def run_epoch_items() -> list[SchemaItem]:
    return [
        _run_fk(),
        Column("epoch", Integer, nullable=False),
        Column("epochs", Integer, nullable=False),
        Column("train_loss", Float, nullable=False),
        Column("train_accuracy", Float, nullable=False),
        Column("val_loss", Float, nullable=False),
        Column("val_accuracy", Float, nullable=False),
        Column("learning_rate", Float, nullable=False),
        Column("seconds", Float, nullable=False),
        Column("windows_per_s", Float, nullable=False),
        UniqueConstraint("run_id", "epoch", name="uq_run_epochs_run_epoch"),
    ]


def run_log_items() -> list[SchemaItem]:
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        _run_fk(),
        Column("event_id", String(36), nullable=False),
        _at("at"),
        Column("level", String(20), nullable=False),
        Column("line", Text, nullable=False),
        Index("ix_run_logs_run_id", "run_id", "id"),
        Index("ix_run_logs_event_id", "event_id"),
    ]


def experiment_metric_items() -> list[SchemaItem]:
    return [
        _experiment_fk(),
        Column("metric", String(80), nullable=False),
        Column("mean", Float, nullable=False),
        Column("std", Float, nullable=False),
        Column("count", Integer, nullable=False),
        Column("run_values", JSON, nullable=False),
        UniqueConstraint("experiment_id", "metric", name="uq_experiment_metrics_metric"),
        Index("ix_experiment_metrics_metric_mean", "metric", "mean"),
    ]


def experiment_tag_items() -> list[SchemaItem]:
    return [
        _experiment_fk(),
        Column("tag", String(60), nullable=False),
        UniqueConstraint("experiment_id", "tag", name="uq_experiment_tags_tag"),
        Index("ix_experiment_tags_tag", "tag", "experiment_id"),
    ]


def saved_search_items() -> list[SchemaItem]:
    return [
        Column("search_id", String(36), primary_key=True),
        Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        Column("name", String(100), nullable=False),
        Column("query", JSON, nullable=False),
        _at("created_at"),
        UniqueConstraint("user_id", "name", name="uq_experiment_searches_name"),
    ]


TABLES = {
    "experiment_views": experiment_view_items,
    "run_views": run_view_items,
    "run_epochs": run_epoch_items,
    "run_logs": run_log_items,
    "experiment_metrics": experiment_metric_items,
    "experiment_tags": experiment_tag_items,
    "experiment_searches": saved_search_items,
}


class ExperimentTables:
    """The experiment read model's tables on one metadata."""

    def __init__(self, metadata: MetaData) -> None:
        self.experiments = Table("experiment_views", metadata, *experiment_view_items())
        self.runs = Table("run_views", metadata, *run_view_items())
        self.epochs = Table("run_epochs", metadata, *run_epoch_items())
        self.logs = Table("run_logs", metadata, *run_log_items())
        self.metrics = Table("experiment_metrics", metadata, *experiment_metric_items())
        self.tags = Table("experiment_tags", metadata, *experiment_tag_items())
        self.searches = Table("experiment_searches", metadata, *saved_search_items())
