"""Columns of the gateway's batch-prediction read model (requested here, projected from the deploy service's
Batch* events; migration 0008)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, Text

TABLE = "batch_prediction_views"


def batch_prediction_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("batch_id", String(64), primary_key=True),
        Column("owner_id", String(64), nullable=False, index=True),
        Column("model_name", String(64), nullable=False),
        Column("alias", String(32), nullable=True),
        Column("version", Integer, nullable=True, doc="The version asked for (None: the alias)."),
        Column("source", String(10), nullable=False, doc="dataset or upload"),
        Column("dataset_id", String(64), nullable=True),
        Column("source_name", String(200), nullable=False, doc="Data-set name or uploaded file name."),
        Column("signals_key", String(300), nullable=True),
        Column("sample_rate_hz", Float, nullable=True),
        Column("status", String(20), nullable=False),
        Column("done", Integer, nullable=False, default=0),
        Column("total", Integer, nullable=True),
        Column("served_version", Integer, nullable=True, doc="The version that predicted (from the outcome)."),
        Column("results_key", String(300), nullable=True),
        Column("rows", Integer, nullable=True),
        Column("summary", JSON, nullable=True),
        Column("seconds", Float, nullable=True),
        Column("error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]
