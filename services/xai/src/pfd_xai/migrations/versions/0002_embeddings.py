"""The embedding cache: 2-D projections of a run's penultimate-layer embedding over a data set.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

from pfd_xai.db import embedding_columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("embeddings", *embedding_columns())


def downgrade() -> None:
    op.drop_table("embeddings")
