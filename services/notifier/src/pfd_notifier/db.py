"""The notifier's own tables: preferences, webhooks, in-app notifications, deliveries, SMTP config, digest items.

Deduplication: an event notifies a user at most once per channel and target — unique
(source_event_id, user_id) on notifications and digest items, (source_event_id, user_id, channel, target)
on deliveries — on top of the processed-events record of every consumer.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text, UniqueConstraint

from pfd_shared.db.messaging_tables import add_messaging_tables

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"


def _at(name: str, *, nullable: bool = False, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable, index=index)


def preference_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("user_id", String(64), primary_key=True),
        Column("email", String(320), nullable=True),
        Column("digest_frequency", String(10), nullable=False),
        Column("rules", JSON, nullable=False),
        _at("last_digest_at", nullable=True),
        _at("updated_at"),
    ]


def webhook_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("webhook_id", String(64), primary_key=True),
        Column("user_id", String(64), nullable=False, index=True),
        Column("name", String(100), nullable=False),
        Column("url", String(2000), nullable=False),
        Column("event_types", JSON, nullable=False),
        Column("enabled", Boolean, nullable=False),
        Column("secret_sealed", Text, nullable=True),
        Column("secret_prefix", String(16), nullable=True),
        Column("consecutive_failures", Integer, nullable=False, default=0),
        Column("disabled_reason", Text, nullable=True),
        _at("created_at"), _at("updated_at"),
    ]


def notification_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("notification_id", String(64), primary_key=True),
        Column("user_id", String(64), nullable=False, index=True),
        Column("source_event_id", String(64), nullable=False),
        Column("source_event_type", String(100), nullable=False),
        Column("title", String(300), nullable=False),
        Column("body", Text, nullable=False),
        Column("level", String(10), nullable=False),
        Column("link", String(300), nullable=True),
        _at("created_at"), _at("read_at", nullable=True),
        UniqueConstraint("source_event_id", "user_id", name="uq_notifications_event_user"),
    ]


def delivery_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("delivery_id", String(64), primary_key=True),
        Column("channel", String(10), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("user_id", String(64), nullable=True, index=True),
        Column("owner", String(64), nullable=True),
        Column("target", String(320), nullable=False),
        Column("webhook_id", String(64), nullable=True, index=True),
        Column("digest_id", String(64), nullable=True),
        Column("source_event_id", String(64), nullable=False),
        Column("source_event_type", String(100), nullable=False),
        Column("content", JSON, nullable=False),
        Column("status", String(12), nullable=False, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("max_attempts", Integer, nullable=False),
        _at("next_attempt_at", nullable=True, index=True),
        Column("last_status_code", Integer, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("last_latency_ms", Float, nullable=True),
        _at("created_at"), _at("updated_at"),
        UniqueConstraint("source_event_id", "user_id", "channel", "target", name="uq_deliveries_event_user_channel"),
    ]


def smtp_config_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("config_id", String(10), primary_key=True),
        Column("host", String(255), nullable=False),
        Column("port", Integer, nullable=False),
        Column("tls_mode", String(10), nullable=False),
        Column("username", String(255), nullable=True),
        Column("password_sealed", Text, nullable=True),
        Column("from_address", String(320), nullable=False),
        _at("updated_at"),
    ]


def digest_item_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("item_id", String(64), primary_key=True),
        Column("user_id", String(64), nullable=False, index=True),
        Column("source_event_id", String(64), nullable=False),
        Column("source_event_type", String(100), nullable=False),
        Column("title", String(300), nullable=False),
        Column("body", Text, nullable=False),
        Column("link", String(300), nullable=True),
        _at("queued_at"),
        Column("digest_id", String(64), nullable=True, index=True),
        UniqueConstraint("source_event_id", "user_id", name="uq_digest_items_event_user"),
    ]


TABLES = {"preferences": preference_columns, "webhooks": webhook_columns, "notifications": notification_columns,
          "deliveries": delivery_columns, "smtp_config": smtp_config_columns, "digest_items": digest_item_columns}
preferences = Table("preferences", metadata, *preference_columns())
webhooks = Table("webhooks", metadata, *webhook_columns())
notifications = Table("notifications", metadata, *notification_columns())
deliveries = Table("deliveries", metadata, *delivery_columns())
smtp_config = Table("smtp_config", metadata, *smtp_config_columns())
digest_items = Table("digest_items", metadata, *digest_item_columns())
