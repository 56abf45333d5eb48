"""The deployment and model-registry read model: deployments, models, versions (variants, benchmarks, notes),
aliases and the alias history.

Revision ID: 0007_deployments
Revises: 0006_explanations
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.deployments.tables import TABLES

revision = "0007_deployments"
down_revision = "0006_explanations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, items in TABLES.items():
        op.create_table(name, *items())


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
