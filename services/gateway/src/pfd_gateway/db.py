"""The gateway's own tables (its metadata; migrations under migrations/)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData

from pfd_shared.db.messaging_tables import add_messaging_tables

metadata = MetaData()
messaging_tables = add_messaging_tables(metadata)
MIGRATIONS = Path(__file__).parent / "migrations"
