"""Messaging tables and the data-set catalogue.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

from pfd_datagen.db import dataset_columns
from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_op()
    op.create_table("datasets", *dataset_columns())


def downgrade() -> None:
    op.drop_table("datasets")
    drop_messaging_tables_op()
