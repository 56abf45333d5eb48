"""The explanation read model: explanations and embedding projections requested from the xai service.

Revision ID: 0006_explanations
Revises: 0005_notifications
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.explanations.tables import TABLES

revision = "0006_explanations"
down_revision = "0005_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, items in TABLES.items():
        op.create_table(name, *items())


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
