"""Dead-lettering: poison messages and messages whose handler keeps failing go to the DLQ topic.

The middleware sits inside FastStream's acknowledgement middleware (subscribers use
``AckPolicy.NACK_ON_ERROR``): suppressing an exception acks the message, letting it
through nacks it (Kafka redelivers from the same offset).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faststream import BaseMiddleware
from faststream.exceptions import HandlerException
from pydantic import ValidationError

from pfd_shared import topics
from pfd_shared.events.serializer import InvalidEvent
from pfd_shared.telemetry.metrics import ServiceMetrics

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream.kafka import KafkaBroker

log = logging.getLogger(__name__)

POISON_ERRORS: tuple[type[BaseException], ...] = (ValidationError, InvalidEvent, json.JSONDecodeError, UnicodeDecodeError)
HEADER_PREFIX = "pfd-dlq-"
_MAX_TRACKED = 10_000


class PermanentHandlerError(Exception):
    """Raised by a handler for an event it can never process: dead-lettered without retries."""


@dataclass
class DeadLetterSink:
    """Publishes failed records to the dead-letter topic and counts handler attempts."""

    service: str
    max_attempts: int
    metrics: ServiceMetrics
    broker: KafkaBroker | None = None
    _attempts: OrderedDict[tuple[str, int, int], int] = field(default_factory=OrderedDict)

    def record_failure(self, record: ConsumerRecord) -> int:
        """Count one more failed attempt on this record; returns the count."""
        ident = (record.topic, record.partition, record.offset)
        count = self._attempts.pop(ident, 0) + 1
        self._attempts[ident] = count
        while len(self._attempts) > _MAX_TRACKED:
            self._attempts.popitem(last=False)
        return count

    def forget(self, record: ConsumerRecord) -> None:
        self._attempts.pop((record.topic, record.partition, record.offset), None)

    async def send(self, record: ConsumerRecord, reason: str, error: BaseException, attempts: int) -> None:
        """Publish the original bytes with the reason in headers (awaits the broker's acknowledgement)."""
        if self.broker is None:
            raise RuntimeError("dead-letter sink used before the broker was attached")
        headers = {f"{HEADER_PREFIX}{k}": v for k, v in {
            "reason": reason,
            "error-type": type(error).__name__,
            "error": str(error)[:2000],
            "source-topic": record.topic,
            "source-partition": str(record.partition),
            "source-offset": str(record.offset),
            "service": self.service,
            "attempts": str(attempts),
        }.items()}
        for name, value in record.headers or ():
            headers.setdefault(name, value.decode(errors="replace") if isinstance(value, bytes) else str(value))
        await self.broker.publish(record.value or b"", topic=topics.DEAD_LETTER.name, key=record.key, headers=headers)
        self.metrics.dead_lettered.labels(record.topic, reason).inc()
        log.warning("dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason,
                    extra={"error_type": type(error).__name__})


def classify(error: BaseException) -> str | None:
    """'invalid' for poison messages, 'permanent' for declared permanent failures, None for retryable."""
    if isinstance(error, POISON_ERRORS):
        return "invalid"
    if isinstance(error, PermanentHandlerError):
        return "permanent"
    return None


def dead_letter_middleware(sink: DeadLetterSink) -> Any:
    """A FastStream broker middleware class bound to ``sink``."""

    class DeadLetterMiddleware(BaseMiddleware):
        async def after_processed(self, exc_type: Any = None, exc_val: BaseException | None = None,
                                  exc_tb: Any = None) -> bool | None:
            record = self.msg
            if exc_val is None:
                if record is not None and not isinstance(record, tuple | list):
                    sink.forget(record)
                return False
            if isinstance(exc_val, HandlerException) or not isinstance(exc_val, Exception) or record is None:
                return False
            if isinstance(record, tuple | list):  # batch subscribers dead-letter per record themselves
                return False
            if record.topic == topics.DEAD_LETTER.name:  # never loop a dead letter back into its own topic
                log.error("consumer of the dead-letter topic failed at offset %s: %s", record.offset, exc_val)
                return True
            reason = classify(exc_val)
            attempts = sink.record_failure(record)
            if reason is None and attempts < sink.max_attempts:
                sink.metrics.handler_retries.labels(record.topic).inc()
                log.warning("handler failed on %s@%s (attempt %d/%d): %s", record.topic, record.offset,
                            attempts, sink.max_attempts, exc_val)
                return False  # NACK_ON_ERROR: redelivered from the same offset
            await sink.send(record, reason or f"handler failed {attempts} times", exc_val, attempts)
            sink.forget(record)
            return True  # suppressed: acknowledged, the consumer moves on

    return DeadLetterMiddleware
