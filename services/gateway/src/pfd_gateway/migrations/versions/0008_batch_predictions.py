"""The batch-prediction read model (requested by the gateway, projected from the deploy service's Batch* events).

Revision ID: 0008_batch_predictions
Revises: 0007_deployments
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.predictions.tables import TABLE, batch_prediction_columns

revision = "0008_batch_predictions"
down_revision = "0007_deployments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(TABLE, *batch_prediction_columns())


def downgrade() -> None:
    op.drop_table(TABLE)
