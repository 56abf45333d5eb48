"""training's own tables: experiments and their runs (the job queue), plus the messaging tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, MetaData, String, Table, Text

from pfd_shared.db.messaging_tables import add_messaging_tables

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def experiment_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("experiment_id", String(64), primary_key=True),
        Column("owner", String(64), nullable=True),
        Column("dataset_id", String(64), nullable=False),
        Column("name", String(200), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("deleted_at", DateTime(timezone=True), nullable=True),
    ]


def run_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("run_id", String(64), primary_key=True),
        Column("experiment_id", String(64), nullable=False, index=True),
        Column("dataset_id", String(64), nullable=False),
        Column("owner", String(64), nullable=True),
        Column("name", String(200), nullable=False),
        Column("config", JSON, nullable=False),
        Column("seed", Integer, nullable=False),
        Column("run_index", Integer, nullable=False),
        Column("run_count", Integer, nullable=False),
        Column("state", String(20), nullable=False, index=True),
        Column("phase", String(20), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("lease_owner", String(200), nullable=True),
        Column("lease_expires_at", DateTime(timezone=True), nullable=True, index=True),
        Column("cancel_requested", Boolean, nullable=False),
        Column("epochs_done", Integer, nullable=False),
        Column("checkpoint_epoch", Integer, nullable=False),
        Column("checkpoint_key", String(300), nullable=True),
        Column("artefacts", JSON, nullable=True),
        Column("error", Text, nullable=True),
        Column("correlation_id", String(36), nullable=False),
        Column("request_event_id", String(36), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


experiments = Table("experiments", metadata, *experiment_columns())
runs = Table("runs", metadata, *run_columns())
