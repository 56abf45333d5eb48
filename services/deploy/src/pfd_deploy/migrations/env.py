"""Alembic environment of deploy's database."""

from pfd_shared.db.migrate import run_env

from pfd_deploy.db import metadata

run_env(metadata)
