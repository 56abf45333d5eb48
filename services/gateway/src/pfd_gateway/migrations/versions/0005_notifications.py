"""The notification read models (in-app notifications, preferences, webhooks and their deliveries, SMTP
configuration, email log, digest queue and history).

Revision ID: 0005_notifications
Revises: 0004_experiments
Create Date: 2026-12-01
"""

from alembic import op

from pfd_gateway.notifications.tables import VIEWS

revision = "0005_notifications"
down_revision = "0004_experiments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, columns in VIEWS.items():
        op.create_table(name, *columns())


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.drop_table(name)
