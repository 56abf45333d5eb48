"""Messaging tables, experiments and runs (the training job queue).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op
from pfd_training.db import experiment_columns, run_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_op()
    op.create_table("experiments", *experiment_columns())
    op.create_table("runs", *run_columns())


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("experiments")
    drop_messaging_tables_op()
