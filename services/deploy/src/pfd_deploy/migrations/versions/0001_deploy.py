"""Messaging tables, the model registry (models, versions, variants, aliases and their history, deployments) and
the trained runs deploy can export.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

from pfd_deploy.db import run_columns
from pfd_deploy.registry.tables import (
    alias_columns,
    alias_history_columns,
    deployment_columns,
    model_columns,
    variant_columns,
    version_columns,
)
from pfd_shared.db.messaging_tables import create_messaging_tables_op, drop_messaging_tables_op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
TABLES = {"models": model_columns, "versions": version_columns, "variants": variant_columns,
          "aliases": alias_columns, "alias_history": alias_history_columns, "deployments": deployment_columns,
          "runs": run_columns}


def upgrade() -> None:
    create_messaging_tables_op()
    for name, columns in TABLES.items():
        op.create_table(name, *columns())


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
    drop_messaging_tables_op()
