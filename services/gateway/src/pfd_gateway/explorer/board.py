"""Where each projection stands, as this gateway instance has heard (pure read model, bounded).

Fed by the requests this instance publishes and by data-gen's projection events (every instance consumes them);
remembers who asked, so progress is pushed to each of them (a projection shared by two users reaches both).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pfd_shared.events.projections import ProjectionCancelled, ProjectionFailed, ProjectionProgress, ProjectionReady

Status = Literal["requested", "running", "ready", "failed", "cancelled"]
REQUESTED, RUNNING, READY, FAILED, CANCELLED = "requested", "running", "ready", "failed", "cancelled"
WAITING = (REQUESTED, RUNNING)


@dataclass(frozen=True)
class ProjectionState:
    projection_id: str
    dataset_id: str
    status: Status
    updated: float
    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    watchers: frozenset[str] = field(default_factory=frozenset)

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None


class ProjectionBoard:
    def __init__(self, max_entries: int, request_ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries, self.request_ttl_s, self.clock = max_entries, request_ttl_s, clock
        self._states: OrderedDict[str, ProjectionState] = OrderedDict()

    def get(self, projection_id: str) -> ProjectionState | None:
        return self._states.get(projection_id)

    def needs_request(self, projection_id: str) -> bool:
        """No request in flight: never asked, failed, cancelled, or silent for longer than the request TTL."""
        state = self._states.get(projection_id)
        if state is None or state.status not in WAITING:
            return True
        return self.clock() - state.updated > self.request_ttl_s

    def requested(self, projection_id: str, dataset_id: str, user_id: str) -> ProjectionState:
        previous = self._states.get(projection_id)
        watchers = (previous.watchers if previous else frozenset()) | {user_id}
        return self._put(ProjectionState(projection_id, dataset_id, REQUESTED, self.clock(), watchers=watchers))

    def watch(self, projection_id: str, user_id: str) -> None:
        state = self._states.get(projection_id)
        if state is not None and user_id not in state.watchers:
            self._states[projection_id] = replace(state, watchers=state.watchers | {user_id})

    def apply(self, event: Any) -> ProjectionState | None:
        """Apply one of data-gen's projection events; the new state (None: the event changed nothing)."""
        state = self._states.get(event.projection_id)
        if state is None:
            state = ProjectionState(event.projection_id, event.dataset_id, REQUESTED, self.clock())
        now = self.clock()
        if isinstance(event, ProjectionProgress):
            if state.status not in WAITING:  # progress can arrive after the outcome (other topic): ignored
                return None
            return self._put(replace(state, status=RUNNING, stage=event.stage, done=event.done, total=event.total,
                                     updated=now))
        if isinstance(event, ProjectionReady):
            return self._put(replace(state, status=READY, done=state.total, message="", updated=now))
        if isinstance(event, ProjectionFailed):
            return self._put(replace(state, status=FAILED, message=event.reason, updated=now))
        if isinstance(event, ProjectionCancelled):
            return self._put(replace(state, status=CANCELLED, message="Cancelled.", updated=now))
        return None

    def _put(self, state: ProjectionState) -> ProjectionState:
        self._states[state.projection_id] = state
        self._states.move_to_end(state.projection_id)
        while len(self._states) > self.max_entries:
            self._states.popitem(last=False)
        return state
