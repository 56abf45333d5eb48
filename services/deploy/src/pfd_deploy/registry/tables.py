"""The model registry's tables: models, versions, their variant files, aliases with their history, and the
deployments that create versions. Column lists are functions so the migration creates exactly these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
NAME, ID, KEY, SHA = 64, 64, 300, 64

RUNNING, SUCCEEDED, FAILED, CANCELLED = "running", "succeeded", "failed", "cancelled"
"""Deployment statuses (a redelivered request of a finished deployment is not run again)."""


def model_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("name", String(NAME), primary_key=True),
        Column("owner_id", String(ID), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]


def version_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("model_name", String(NAME), nullable=False),
        Column("version", Integer, nullable=False),
        Column("deployment_id", String(ID), nullable=False, unique=True),
        Column("experiment_id", String(ID), nullable=False, index=True),
        Column("run_id", String(ID), nullable=False),
        Column("architecture", String(NAME), nullable=False),
        Column("dataset_id", String(ID), nullable=False),
        Column("class_names", JSON, nullable=False),
        Column("window_length", Integer, nullable=False),
        Column("sample_rate_hz", Float, nullable=False),
        Column("metrics", JSON, nullable=False),
        Column("parity", JSON, nullable=False),
        Column("description", Text, nullable=False),
        Column("served_variant", String(NAME), nullable=False),
        Column("status", String(16), nullable=False),
        Column("status_reason", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("model_name", "version", name="pk_versions"),
    ]


def variant_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("model_name", String(NAME), nullable=False),
        Column("version", Integer, nullable=False),
        Column("variant", String(NAME), nullable=False),
        Column("object_key", String(KEY), nullable=False),
        Column("size_bytes", BigInteger, nullable=False),
        Column("sha256", String(SHA), nullable=False),
        Column("benchmark", JSON, nullable=False),
        PrimaryKeyConstraint("model_name", "version", "variant", name="pk_variants"),
    ]


def alias_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("model_name", String(NAME), nullable=False),
        Column("alias", String(32), nullable=False),
        Column("version", Integer, nullable=False),
        Column("changed_by", String(ID), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("model_name", "alias", name="pk_aliases"),
    ]


def alias_history_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("model_name", String(NAME), nullable=False, index=True),
        Column("alias", String(32), nullable=False),
        Column("from_version", Integer, nullable=True),
        Column("to_version", Integer, nullable=True),
        Column("actor", String(ID), nullable=False),
        Column("reason", Text, nullable=False),
        Column("event_id", String(ID), nullable=False, unique=True),
        Column("changed_at", DateTime(timezone=True), nullable=False),
    ]


def deployment_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("deployment_id", String(ID), primary_key=True),
        Column("model_name", String(NAME), nullable=False, index=True),
        Column("experiment_id", String(ID), nullable=False),
        Column("run_id", String(ID), nullable=False),
        Column("owner_id", String(ID), nullable=False),
        Column("status", String(16), nullable=False),
        Column("stage", String(NAME), nullable=False),
        Column("done", Integer, nullable=False),
        Column("total", Integer, nullable=False),
        Column("version", Integer, nullable=True, comment="Reserved once the artefacts are about to be stored."),
        Column("error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("model_name", "version", name="uq_deployments_version"),
    ]


models = Table("models", metadata, *model_columns())
versions = Table("versions", metadata, *version_columns())
variants = Table("variants", metadata, *variant_columns())
aliases = Table("aliases", metadata, *alias_columns())
alias_history = Table("alias_history", metadata, *alias_history_columns())
deployments = Table("deployments", metadata, *deployment_columns())
