"""Alembic environment of the notifier's database."""

from pfd_shared.db.migrate import run_env

from pfd_notifier.db import metadata

run_env(metadata)
