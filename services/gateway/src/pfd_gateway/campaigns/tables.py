"""Tables of the gateway's campaign read model (Optuna's own tables are apart: see ``campaigns.study``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.schema import SchemaItem

ID_LENGTH = 64


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def campaign_view_items() -> list[SchemaItem]:
    return [
        Column("campaign_id", String(ID_LENGTH), primary_key=True),
        Column("owner_id", String(64), nullable=False),
        Column("owner_role", String(20), nullable=False),
        Column("name", String(200), nullable=False),
        Column("dataset_id", String(ID_LENGTH), nullable=False),
        Column("model", String(60), nullable=False),
        Column("objective", String(40), nullable=False),
        Column("sampler", String(20), nullable=False),
        Column("pruner", String(20), nullable=False),
        Column("spec", JSON, nullable=False),
        Column("epochs", Integer, nullable=False),
        Column("status", String(20), nullable=False),
        Column("budget", Integer, nullable=False),
        Column("parallelism", Integer, nullable=False),
        Column("active", Integer, nullable=False, default=0),
        Column("spent", Integer, nullable=False, default=0),
        Column("best_trial", Integer, nullable=True),
        Column("best_value", Float, nullable=True),
        Column("best_params", JSON, nullable=True),
        Column("error", Text, nullable=True),
        _at("created_at"), _at("updated_at"),
        Index("ix_campaign_views_owner_created", "owner_id", "created_at"),
        Index("ix_campaign_views_created", "created_at"),
    ]


def campaign_trial_items() -> list[SchemaItem]:
    return [
        Column("campaign_id", String(ID_LENGTH), ForeignKey("campaign_views.campaign_id", ondelete="CASCADE"),
               primary_key=True),
        Column("trial_number", Integer, primary_key=True),
        Column("experiment_id", String(ID_LENGTH), nullable=True, unique=True),
        Column("status", String(20), nullable=False),
        Column("params", JSON, nullable=False),
        Column("value", Float, nullable=True),
        Column("test_accuracy", Float, nullable=True),
        Column("epoch", Integer, nullable=False, default=0),
        Column("reason", Text, nullable=True),
        _at("started_at"), _at("finished_at", nullable=True),
    ]


VIEWS = {"campaign_views": campaign_view_items, "campaign_trials": campaign_trial_items}


class CampaignTables:
    def __init__(self, metadata: MetaData) -> None:
        self.campaigns = Table("campaign_views", metadata, *campaign_view_items())
        self.trials = Table("campaign_trials", metadata, *campaign_trial_items())
