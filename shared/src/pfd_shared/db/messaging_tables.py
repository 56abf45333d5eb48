"""Tables every event-driven service owns: processed events (idempotency) and the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint

PROCESSED_EVENTS = "processed_events"
OUTBOX = "outbox"


@dataclass(frozen=True)
class MessagingTables:
    processed_events: Table
    outbox: Table


def processed_events_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("consumer_group", String(200), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("consumer_group", "event_id", name="uq_processed_events_group_event"),
    ]


def outbox_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", LargeBinary, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    ]


def add_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare both tables on a service's own metadata."""
    return MessagingTables(
        processed_events=Table(PROCESSED_EVENTS, metadata, *processed_events_columns()),
        outbox=Table(OUTBOX, metadata, *outbox_columns()),
    )


def create_messaging_tables_op() -> None:
    """Alembic operation for a service's initial migration."""
    from alembic import op

    op.create_table(PROCESSED_EVENTS, *processed_events_columns())
    op.create_table(OUTBOX, *outbox_columns())


def drop_messaging_tables_op() -> None:
    from alembic import op

    op.drop_table(OUTBOX)
    op.drop_table(PROCESSED_EVENTS)
