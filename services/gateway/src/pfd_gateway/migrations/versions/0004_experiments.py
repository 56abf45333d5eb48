"""The experiment read model: experiments, runs, epochs, logs, metrics, tags, saved searches.

Revision ID: 0004_experiments
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.experiments.tables import TABLES

revision = "0004_experiments"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, items in TABLES.items():  # parents first: runs reference experiments, epochs and logs runs
        op.create_table(name, *items())


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
