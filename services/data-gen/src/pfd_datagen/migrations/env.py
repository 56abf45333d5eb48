"""Alembic environment of data-gen's database."""

from pfd_shared.db.migrate import run_env

from pfd_datagen.db import metadata

run_env(metadata)
