"""deploy's database: the model registry (registry/tables.py), the trained runs it can export (from
training's events) and the messaging tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, DateTime, String, Table

from pfd_shared.db.messaging_tables import add_messaging_tables

from pfd_deploy.registry.tables import metadata

messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def run_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("run_id", String(64), primary_key=True),
        Column("experiment_id", String(64), nullable=False, index=True),
        Column("dataset_id", String(64), nullable=True),
        Column("architecture", String(64), nullable=True),
        Column("model_key", String(300), nullable=True),
        Column("metrics", JSON, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    ]


runs = Table("runs", metadata, *run_columns())

__all__ = ["MIGRATIONS", "messaging_tables", "metadata", "runs"]
