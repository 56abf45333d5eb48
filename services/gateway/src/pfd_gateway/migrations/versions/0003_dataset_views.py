"""The data-set read model.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

from pfd_gateway.datasets.tables import dataset_view_columns

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("dataset_views", *dataset_view_columns())


def downgrade() -> None:
    op.drop_table("dataset_views")
