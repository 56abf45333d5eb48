"""Alembic environment of xai's database."""

from pfd_shared.db.migrate import run_env

from pfd_xai.db import metadata

run_env(metadata)
