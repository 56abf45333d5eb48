"""Alembic environment of the gateway's database."""

from pfd_shared.db.migrate import run_env

from pfd_gateway.db import metadata

run_env(metadata)
