"""Columns of the gateway's data-set read model (projected from data-gen's events)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Float, Integer, String, Text

RESOURCE_TYPE = "dataset"


def dataset_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("dataset_id", String(64), primary_key=True),
        Column("owner_id", String(64), nullable=False, index=True),
        Column("name", String(200), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("status", String(20), nullable=False),
        Column("stage", String(60), nullable=True),
        Column("done", Integer, nullable=True),
        Column("total", Integer, nullable=True),
        Column("records", Integer, nullable=True),
        Column("samples_per_record", Integer, nullable=True),
        Column("sample_rate_hz", Float, nullable=True),
        Column("class_names", JSON, nullable=True),
        Column("class_counts", JSON, nullable=True),
        Column("split_counts", JSON, nullable=True),
        Column("feature_names", JSON, nullable=True),
        Column("size_bytes", BigInteger().with_variant(Integer, "sqlite"), nullable=True),
        Column("object_key", String(300), nullable=True),
        Column("request", JSON, nullable=True),
        Column("cached", Boolean, nullable=False, default=False),
        Column("error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]
