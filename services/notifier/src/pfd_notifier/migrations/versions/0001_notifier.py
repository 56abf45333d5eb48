"""Messaging tables and the notifier's tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

from pfd_notifier.db import TABLES
from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_op()
    for name, columns in TABLES.items():
        op.create_table(name, *columns())


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
    drop_messaging_tables_op()
