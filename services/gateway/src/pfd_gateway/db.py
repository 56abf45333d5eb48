"""The gateway's own tables (its metadata; migrations under migrations/)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
                        UniqueConstraint)

from pfd_shared.db.messaging_tables import add_messaging_tables

from pfd_gateway.campaigns.tables import CampaignTables
from pfd_gateway.datasets.tables import dataset_view_columns
from pfd_gateway.deployments.tables import DeploymentTables
from pfd_gateway.experiments.tables import ExperimentTables
from pfd_gateway.explanations.tables import ExplanationTables
from pfd_gateway.notifications.tables import NotificationTables
from pfd_gateway.predictions.tables import TABLE as BATCH_PREDICTION_TABLE, batch_prediction_columns

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def _id() -> Column:  # type: ignore[type-arg]
    return Column("id", String(36), primary_key=True)


def _user_fk(name: str = "user_id", *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable, index=True)


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


# Accounts and access (migration 0002). Secrets (session tokens, API keys, recovery codes) are stored hashed.
users = Table(
    "users", metadata, _id(),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("totp_secret", String(64), nullable=True),
    Column("totp_enabled", Boolean, nullable=False, default=False),
    Column("totp_last_step", BigInteger, nullable=True),
    _at("created_at"), _at("password_changed_at"),
)
sessions = Table(
    "sessions", metadata, _id(), _user_fk(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(512), nullable=True),
    _at("created_at"), _at("expires_at"), _at("last_seen_at"), _at("revoked_at", nullable=True),
)
api_keys = Table(
    "api_keys", metadata, _id(), _user_fk(),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(40), nullable=False),
    _at("created_at"), _at("expires_at", nullable=True), _at("revoked_at", nullable=True),
    _at("last_used_at", nullable=True),
)
recovery_codes = Table(
    "recovery_codes", metadata, _id(), _user_fk(),
    Column("code_hash", String(64), nullable=False),
    _at("used_at", nullable=True),
)
login_attempts = Table(
    "login_attempts", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    _user_fk(nullable=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(512), nullable=True),
    Column("succeeded", Boolean, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("counts_as_failure", Boolean, nullable=False),
    _at("at"),
    Index("ix_login_attempts_email_at", "email", "at"),
    Index("ix_login_attempts_ip_at", "ip", "at"),
)
resource_shares = Table(
    "resource_shares", metadata, _id(),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(64), nullable=False),
    _user_fk("owner_id"), _user_fk("shared_with_user_id"),
    _at("created_at"),
    UniqueConstraint("resource_type", "resource_id", "shared_with_user_id", name="uq_resource_shares_target"),
)

dataset_views = Table("dataset_views", metadata, *dataset_view_columns())
experiment_tables = ExperimentTables(metadata)
notification_tables = NotificationTables(metadata)
deployment_tables = DeploymentTables(metadata)
campaign_tables = CampaignTables(metadata)
explanation_tables = ExplanationTables(metadata)
batch_prediction_views = Table(BATCH_PREDICTION_TABLE, metadata, *batch_prediction_columns())
