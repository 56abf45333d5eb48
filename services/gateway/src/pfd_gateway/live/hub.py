"""WebSocket hub: frames serialized once, fanned out to per-client bounded queues."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import json
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Subscription:
    """One connected client's queue; ``owner`` None sees only public (system) frames; ``sees_all``: every frame."""

    queue: asyncio.Queue[str]
    owner: str | None = None
    dropped: int = field(default=0)
    sees_all: bool = False


class LiveHub:
    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self.frames_sent = 0

    def subscribe(self, owner: str | None = None, sees_all: bool = False) -> Subscription:
        subscription = Subscription(asyncio.Queue(self.queue_size), owner, sees_all=sees_all)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    @property
    def client_count(self) -> int:
        return len(self._subscriptions)

    def publish(self, frame_type: str, data: Any, owner: str | None = None) -> None:
        """Queue a frame for every client allowed to see it; a full queue drops its oldest frame."""
        if self._subscriptions:
            self._fan_out(json.dumps({"type": frame_type, "data": data}, default=str), owner)

    def publish_raw(self, frame_type: str, data_json: bytes, owner: str | None = None) -> None:
        """Same as ``publish`` for data that is already JSON (an event's bytes), without re-encoding it."""
        if self._subscriptions:
            self._fan_out(f'{{"type": {json.dumps(frame_type)}, "data": {data_json.decode()}}}', owner)

    def push_events(self, batch: Iterable[tuple[Any, bytes]]) -> None:
        """Push events as frames of their own type to their owner (and admins); ownerless ones to everyone."""
        for envelope, raw in batch:
            self.publish_raw(envelope.type, raw, owner=envelope.owner)

    def _fan_out(self, text: str, owner: str | None) -> None:
        for subscription in self._subscriptions:
            if owner is not None and subscription.owner != owner and not subscription.sees_all:
                continue
            queue = subscription.queue
            if queue.full():
                queue.get_nowait()
                subscription.dropped += 1
            queue.put_nowait(text)
            self.frames_sent += 1
