"""Messaging tables: processed events and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_op()


def downgrade() -> None:
    drop_messaging_tables_op()
