"""Messaging tables, explainable models and data sets, the explanation cache.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op
from pfd_xai.db import dataset_columns, explanation_columns, model_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_op()
    op.create_table("models", *model_columns())
    op.create_table("datasets", *dataset_columns())
    op.create_table("explanations", *explanation_columns())


def downgrade() -> None:
    op.drop_table("explanations")
    op.drop_table("datasets")
    op.drop_table("models")
    drop_messaging_tables_op()
