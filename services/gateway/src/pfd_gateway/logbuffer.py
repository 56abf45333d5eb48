"""A bounded in-memory ring of recent log records, for the dashboard's System page."""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from pfd_shared.telemetry.logging import correlation_id_var

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: datetime
    level: str
    levelno: int
    logger: str
    message: str
    correlation_id: str | None


class LogBuffer(logging.Handler):
    """Keeps the last ``capacity`` records (thread-safe: records arrive from any thread)."""

    def __init__(self, capacity: int, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not lose the record
            message = str(record.msg)
        entry = LogEntry(datetime.fromtimestamp(record.created, UTC), record.levelname, record.levelno, record.name,
                         message, correlation_id_var.get())
        with self._guard:
            self._entries.append(entry)

    def recent(self, min_level: str = "DEBUG", limit: int | None = None) -> list[LogEntry]:
        """Newest first, at or above ``min_level``."""
        threshold = logging.getLevelName(min_level.upper())
        if not isinstance(threshold, int):
            raise ValueError(f"unknown log level {min_level!r}; expected one of {', '.join(LEVELS)}")
        with self._guard:
            entries = list(self._entries)
        selected = [entry for entry in reversed(entries) if entry.levelno >= threshold]
        return selected[:limit] if limit is not None else selected

    def install(self, logger: logging.Logger | None = None) -> None:
        """Attach to the root logger (after ``configure_logging``, which replaces the root handlers)."""
        target = logger or logging.getLogger()
        if self not in target.handlers:
            target.addHandler(self)

    def uninstall(self, logger: logging.Logger | None = None) -> None:
        (logger or logging.getLogger()).removeHandler(self)
