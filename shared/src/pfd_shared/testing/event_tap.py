"""EventTap: what a test sees on the real broker — it publishes envelopes and collects the events of some topics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from faststream.kafka import KafkaBroker, KafkaMessage

from pfd_shared.events import Envelope, decode_event, encode_event
from pfd_shared.topics import TopicSpec

ASSIGNMENT_WAIT_S = 1.0  # a fresh consumer reads from the latest offset once its partitions are assigned
POLL_S = 0.05


class EventTap:
    """``async with EventTap(bootstrap, topics) as tap``: ``tap.events`` fills as events arrive."""

    def __init__(self, bootstrap: str, topics: tuple[TopicSpec, ...]) -> None:
        self.broker = KafkaBroker(bootstrap)
        self.events: list[Envelope[Any]] = []

        @self.broker.subscriber(*(t.name for t in topics), fetch_max_wait_ms=10, auto_offset_reset="latest")
        async def collect(message: KafkaMessage) -> None:
            self.events.append(decode_event(message.body))

    async def __aenter__(self) -> EventTap:
        await self.broker.start()
        await asyncio.sleep(ASSIGNMENT_WAIT_S)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.broker.stop()

    async def publish(self, envelope: Envelope[Any]) -> None:
        await self.broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())

    def matching(self, predicate: Callable[[Envelope[Any]], bool]) -> list[Envelope[Any]]:
        return [event for event in self.events if predicate(event)]

    async def wait_for(self, predicate: Callable[[Envelope[Any]], bool], timeout_s: float) -> Envelope[Any]:
        """The first collected event that matches (waiting up to ``timeout_s``)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if found:
                return found[0]
            await asyncio.sleep(POLL_S)
        seen = [event.type for event in self.events]
        raise AssertionError(f"no matching event within {timeout_s}s; seen: {seen}")
