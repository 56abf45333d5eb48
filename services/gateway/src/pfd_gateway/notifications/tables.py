"""Columns of the gateway's notification read models (projected from the notifier's events; migration 0004)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text


def _at(name: str, *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _user(name: str = "user_id", *, nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(name, String(64), nullable=nullable, index=True)


def notification_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("notification_id", String(64), primary_key=True), _user(),
        Column("source_event_type", String(100), nullable=False),
        Column("title", String(300), nullable=False), Column("body", Text, nullable=False),
        Column("level", String(10), nullable=False), Column("link", String(300), nullable=True),
        _at("created_at"), _at("read_at", nullable=True),
    ]


def preference_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("user_id", String(64), primary_key=True),
        Column("email", String(320), nullable=True), Column("digest_frequency", String(10), nullable=False),
        Column("rules", JSON, nullable=False), Column("status", String(10), nullable=False), _at("updated_at"),
    ]


def webhook_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("webhook_id", String(64), primary_key=True), _user(),
        Column("name", String(100), nullable=False), Column("url", String(2000), nullable=False),
        Column("event_types", JSON, nullable=False), Column("enabled", Boolean, nullable=False),
        Column("status", String(10), nullable=False), Column("secret_prefix", String(16), nullable=True),
        Column("consecutive_failures", Integer, nullable=False, default=0),
        Column("disabled_reason", Text, nullable=True),
        _at("created_at"), _at("updated_at"),
    ]


def webhook_delivery_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("attempt_id", String(80), primary_key=True), Column("delivery_id", String(64), nullable=False),
        Column("webhook_id", String(64), nullable=False, index=True), _user(),
        Column("source_event_type", String(100), nullable=False), Column("attempt", Integer, nullable=False),
        Column("ok", Boolean, nullable=False), Column("status_code", Integer, nullable=True),
        Column("latency_ms", Float, nullable=True), Column("error", Text, nullable=True),
        Column("test", Boolean, nullable=False), _at("next_attempt_at", nullable=True), _at("at"),
    ]


def smtp_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("config_id", String(10), primary_key=True),
        Column("host", String(255), nullable=False), Column("port", Integer, nullable=False),
        Column("tls_mode", String(10), nullable=False), Column("username", String(255), nullable=True),
        Column("password_set", Boolean, nullable=False), Column("from_address", String(320), nullable=False),
        Column("status", String(10), nullable=False), _at("updated_at"),
    ]


def email_log_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("attempt_id", String(80), primary_key=True), Column("email_id", String(64), nullable=False),
        _user(nullable=True), Column("to", String(320), nullable=False), Column("subject", Text, nullable=False),
        Column("kind", String(20), nullable=False), Column("digest_id", String(64), nullable=True),
        Column("attempt", Integer, nullable=False), Column("ok", Boolean, nullable=False),
        Column("error", Text, nullable=True), _at("next_attempt_at", nullable=True), _at("at"),
    ]


def digest_queue_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("item_id", String(64), primary_key=True), _user(),
        Column("source_event_type", String(100), nullable=False), Column("title", String(300), nullable=False),
        _at("queued_at"),
    ]


def digest_history_view_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("digest_id", String(64), primary_key=True), _user(),
        Column("to", String(320), nullable=False), Column("frequency", String(10), nullable=False),
        Column("item_count", Integer, nullable=False), _at("sent_at"),
        Column("email_status", String(10), nullable=False), Column("email_error", Text, nullable=True),
    ]


VIEWS = {
    "notification_views": notification_view_columns,
    "notification_preference_views": preference_view_columns,
    "webhook_views": webhook_view_columns,
    "webhook_delivery_views": webhook_delivery_view_columns,
    "smtp_config_views": smtp_view_columns,
    "email_log_views": email_log_view_columns,
    "digest_queue_views": digest_queue_view_columns,
    "digest_history_views": digest_history_view_columns,
}


class NotificationTables:
    """The notification read models on one metadata."""

    def __init__(self, metadata: MetaData) -> None:
        self.notifications = Table("notification_views", metadata, *notification_view_columns())
        self.preferences = Table("notification_preference_views", metadata, *preference_view_columns())
        self.webhooks = Table("webhook_views", metadata, *webhook_view_columns())
        self.deliveries = Table("webhook_delivery_views", metadata, *webhook_delivery_view_columns())
        self.smtp = Table("smtp_config_views", metadata, *smtp_view_columns())
        self.emails = Table("email_log_views", metadata, *email_log_view_columns())
        self.digest_queue = Table("digest_queue_views", metadata, *digest_queue_view_columns())
        self.digests = Table("digest_history_views", metadata, *digest_history_view_columns())
