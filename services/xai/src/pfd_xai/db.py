"""xai's own tables: the trained models and data sets it can explain (from their events) and the explanation
cache, the embedding cache, plus the messaging tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, DateTime, Float, Integer, MetaData, String, Table

from pfd_shared.db.messaging_tables import add_messaging_tables

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def model_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("run_id", String(64), primary_key=True),
        Column("experiment_id", String(64), nullable=False, index=True),
        Column("model_key", String(300), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    ]


def dataset_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("dataset_id", String(64), primary_key=True),
        Column("object_key", String(300), nullable=False),
        Column("records", Integer, nullable=False),
        Column("sample_rate_hz", Float, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    ]


def explanation_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("cache_key", String(64), primary_key=True),
        Column("explanation_id", String(64), nullable=False, index=True),
        Column("experiment_id", String(64), nullable=False),
        Column("run_id", String(64), nullable=False, index=True),
        Column("attributions_key", String(300), nullable=False),
        Column("summary_key", String(300), nullable=False),
        Column("summary", JSON, nullable=False),
        Column("seconds", Float, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]


def embedding_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("cache_key", String(64), primary_key=True),
        Column("embedding_id", String(64), nullable=False, index=True),
        Column("experiment_id", String(64), nullable=False, index=True),
        Column("run_id", String(64), nullable=False),
        Column("dataset_id", String(64), nullable=False, index=True),
        Column("method", String(16), nullable=False),
        Column("points_key", String(300), nullable=False),
        Column("points", Integer, nullable=False),
        Column("embedding_dim", Integer, nullable=False),
        Column("class_names", JSON, nullable=False),
        Column("seconds", Float, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]


models = Table("models", metadata, *model_columns())
datasets = Table("datasets", metadata, *dataset_columns())
explanations = Table("explanations", metadata, *explanation_columns())
embeddings = Table("embeddings", metadata, *embedding_columns())
