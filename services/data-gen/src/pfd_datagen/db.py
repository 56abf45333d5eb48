"""data-gen's own tables: the data-set catalogue (plus the messaging tables)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

from pfd_shared.db.messaging_tables import add_messaging_tables

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def dataset_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("dataset_id", String(64), primary_key=True),
        Column("owner", String(64), nullable=True),
        Column("name", String(200), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("cache_key", String(80), nullable=True, index=True),
        Column("object_key", String(300), nullable=True, index=True),
        Column("size_bytes", BigInteger().with_variant(Integer, "sqlite"), nullable=True),
        Column("sha256", String(64), nullable=True),
        Column("summary", JSON, nullable=True),
        Column("error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


datasets = Table("datasets", metadata, *dataset_columns())
