"""Tables of the gateway's explanation read model (requested by the gateway, projected from the xai service's
events): one row per explanation and one per embedding projection, each owned by the user who asked."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.schema import SchemaItem

ID_LENGTH = 64
HASH_LENGTH = 64
KEY_LENGTH = 300


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _common(id_column: str) -> list[SchemaItem]:
    """Identity, ownership, the explained run, the status and the outcome columns both tables share."""
    return [
        Column(id_column, String(ID_LENGTH), primary_key=True),
        Column("owner_id", String(64), nullable=False),
        Column("experiment_id", String(ID_LENGTH), nullable=False),
        Column("run_id", String(ID_LENGTH), nullable=False),
        Column("request_hash", String(HASH_LENGTH), nullable=False),
        Column("status", String(20), nullable=False),
        Column("cached", Boolean, nullable=False, default=False),
        Column("seconds", Float, nullable=True),
        Column("error", Text, nullable=True),
        _at("created_at"), _at("updated_at"), _at("finished_at", nullable=True),
    ]


def explanation_view_items() -> list[SchemaItem]:
    return [
        *_common("explanation_id"),
        Column("dataset_id", String(ID_LENGTH), nullable=True),
        Column("record", Integer, nullable=True),
        Column("window", Integer, nullable=False, default=0),
        Column("input", JSON, nullable=False),
        Column("methods", JSON, nullable=False),
        Column("target", Integer, nullable=True),
        Column("randomisation_check", Boolean, nullable=False, default=False),
        Column("sample_rate_hz", Float, nullable=True),
        Column("class_names", JSON, nullable=True),
        Column("stage", String(80), nullable=True),
        Column("done", Integer, nullable=False, default=0),
        Column("total", Integer, nullable=False, default=0),
        Column("summary", JSON, nullable=True),
        Column("cache_key", String(HASH_LENGTH), nullable=True),
        Column("attributions_key", String(KEY_LENGTH), nullable=True),
        Column("summary_key", String(KEY_LENGTH), nullable=True),
        Index("ix_explanation_views_owner_created", "owner_id", "created_at"),
        Index("ix_explanation_views_request_hash", "request_hash"),
        Index("ix_explanation_views_experiment", "experiment_id"),
    ]


def embedding_view_items() -> list[SchemaItem]:
    return [
        *_common("embedding_id"),
        Column("dataset_id", String(ID_LENGTH), nullable=False),
        Column("method", String(20), nullable=False),
        Column("max_windows", Integer, nullable=False),
        Column("seed", Integer, nullable=False, default=0),
        Column("points", Integer, nullable=True),
        Column("embedding_dim", Integer, nullable=True),
        Column("class_names", JSON, nullable=True),
        Column("points_key", String(KEY_LENGTH), nullable=True),
        Index("ix_embedding_views_owner_created", "owner_id", "created_at"),
        Index("ix_embedding_views_request_hash", "request_hash"),
        Index("ix_embedding_views_experiment", "experiment_id"),
    ]


TABLES = {"explanation_views": explanation_view_items, "embedding_views": embedding_view_items}


class ExplanationTables:
    """The explanation read model's tables on one metadata."""

    def __init__(self, metadata: MetaData) -> None:
        self.explanations = Table("explanation_views", metadata, *explanation_view_items())
        self.embeddings = Table("embedding_views", metadata, *embedding_view_items())
