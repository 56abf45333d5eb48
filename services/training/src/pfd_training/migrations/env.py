"""Alembic environment of training's database."""

from pfd_shared.db.migrate import run_env

from pfd_training.db import metadata

run_env(metadata)
