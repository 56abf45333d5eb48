"""Tables of the gateway's deployment and model-registry read model (projected from the deploy service's events).

``last_event_at`` on a deployment and a model is the time of the newest event projected into it: a browser that
was pushed a newer event than the page it shows asks again (the push and the projection run independently).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text, \
    UniqueConstraint
from sqlalchemy.schema import SchemaItem

ID_LENGTH = 64
NAME_LENGTH = 64
ALIAS_LENGTH = 32
ACTOR_LENGTH = 64


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _model_name(*, primary_key: bool = False) -> Column:  # type: ignore[type-arg]
    return Column("model_name", String(NAME_LENGTH), primary_key=primary_key, nullable=False)


def deployment_items() -> list[SchemaItem]:
    return [
        Column("deployment_id", String(ID_LENGTH), primary_key=True),
        Column("owner_id", String(64), nullable=False),
        Column("experiment_id", String(ID_LENGTH), nullable=False),
        Column("experiment_name", String(200), nullable=False),
        Column("run_id", String(ID_LENGTH), nullable=False),
        _model_name(),
        Column("variants", JSON, nullable=False),
        Column("description", Text, nullable=False, default=""),
        Column("status", String(20), nullable=False),
        Column("stage", String(40), nullable=True),
        Column("done", Integer, nullable=False, default=0),
        Column("total", Integer, nullable=False, default=0),
        Column("message", Text, nullable=True),
        Column("error", Text, nullable=True),
        Column("figures", JSON, nullable=True),
        Column("version", Integer, nullable=True),
        _at("created_at"), _at("updated_at"), _at("last_event_at", nullable=True),
        Index("ix_deployment_views_owner_created", "owner_id", "created_at"),
        Index("ix_deployment_views_model", "model_name"),
    ]


def model_items() -> list[SchemaItem]:
    return [
        _model_name(primary_key=True),
        Column("owner_id", String(64), nullable=False, index=True),
        _at("created_at"), _at("updated_at"), _at("last_event_at", nullable=True),
    ]


def version_items() -> list[SchemaItem]:
    return [
        _model_name(),
        Column("version", Integer, nullable=False),
        Column("deployment_id", String(ID_LENGTH), nullable=False),
        Column("experiment_id", String(ID_LENGTH), nullable=False),
        Column("run_id", String(ID_LENGTH), nullable=False),
        Column("architecture", String(60), nullable=False),
        Column("dataset_id", String(ID_LENGTH), nullable=False),
        Column("class_names", JSON, nullable=False),
        Column("window_length", Integer, nullable=False),
        Column("sample_rate_hz", Float, nullable=False),
        Column("artefacts", JSON, nullable=False),
        Column("parity", JSON, nullable=False),
        Column("metrics", JSON, nullable=False),
        Column("description", Text, nullable=False, default=""),
        Column("status", String(20), nullable=False),
        Column("error", Text, nullable=True),
        _at("created_at"), _at("updated_at"),
        UniqueConstraint("model_name", "version", name="uq_model_versions_version"),
    ]


def benchmark_items() -> list[SchemaItem]:
    """A version's measured variants: its own table, as BenchmarkCompleted may arrive before ModelExported."""
    return [
        _model_name(),
        Column("version", Integer, nullable=False),
        Column("results", JSON, nullable=False),
        Column("torch_throughput_per_s", Float, nullable=True),
        Column("notes", JSON, nullable=False),
        _at("at"),
        UniqueConstraint("model_name", "version", name="uq_model_benchmarks_version"),
    ]


def alias_items() -> list[SchemaItem]:
    return [
        _model_name(),
        Column("alias", String(ALIAS_LENGTH), nullable=False),
        Column("version", Integer, nullable=False),
        _at("updated_at"),
        UniqueConstraint("model_name", "alias", name="uq_model_aliases_alias"),
    ]


def alias_history_items() -> list[SchemaItem]:
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        _model_name(),
        Column("alias", String(ALIAS_LENGTH), nullable=False),
        Column("from_version", Integer, nullable=True),
        Column("to_version", Integer, nullable=True),
        Column("actor", String(ACTOR_LENGTH), nullable=False),
        Column("reason", Text, nullable=False, default=""),
        _at("at"),
        Index("ix_model_alias_history_model_at", "model_name", "at"),
    ]


TABLES = {
    "deployment_views": deployment_items,
    "model_views": model_items,
    "model_version_views": version_items,
    "model_benchmark_views": benchmark_items,
    "model_alias_views": alias_items,
    "model_alias_history": alias_history_items,
}


class DeploymentTables:
    """The deployment read model's tables on one metadata."""

    def __init__(self, metadata: MetaData) -> None:
        self.deployments = Table("deployment_views", metadata, *deployment_items())
        self.models = Table("model_views", metadata, *model_items())
        self.versions = Table("model_version_views", metadata, *version_items())
        self.benchmarks = Table("model_benchmark_views", metadata, *benchmark_items())
        self.aliases = Table("model_alias_views", metadata, *alias_items())
        self.history = Table("model_alias_history", metadata, *alias_history_items())
