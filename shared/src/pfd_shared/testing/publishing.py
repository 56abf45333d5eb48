"""Publish domain events on the real broker from synchronous test code (e.g. Playwright's sync API)."""

from __future__ import annotations

import asyncio
import threading

from faststream.kafka import KafkaBroker

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.envelope import EventPayload


def publish_events(bootstrap: str, *events: EventPayload, owner: str, producer: str = "browser-test") -> None:
    """Wrap each payload in an envelope owned by ``owner`` and publish it keyed by its aggregate id.

    Runs in a thread of its own: a caller such as Playwright's sync API already keeps an event loop in this one.
    """

    async def send() -> None:
        broker = KafkaBroker(bootstrap)
        await broker.start()
        try:
            for event in events:
                envelope = new_envelope(event, producer=producer, owner=owner)
                await broker.publish(encode_event(envelope), topic=event.topic.name, key=envelope.key())
        finally:
            await broker.stop()

    worker = threading.Thread(target=asyncio.run, args=(send(),))
    worker.start()
    worker.join()
