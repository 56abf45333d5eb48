"""The campaign read model (campaigns and their trials). Optuna's own tables are not migrated here: Optuna
creates them itself, in their own schema (PostgreSQL) or file (SQLite), see ``pfd_gateway.campaigns.study``.

Revision ID: 0009_campaigns
Revises: 0008_batch_predictions
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.campaigns.tables import VIEWS

revision = "0009_campaigns"
down_revision = "0008_batch_predictions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, columns in VIEWS.items():
        op.create_table(name, *columns())


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.drop_table(name)
