"""``pfd-simulate``: publish SignalWindowReceived windows to Kafka from a PFD data-set file or the CWRU .mat files,
at a chosen rate and fault schedule, for demos and tests.

    pfd-simulate --cwru /work/shared/datasets/cwru --schedule healthy:30,inner_race:20 --rate 2
    pfd-simulate --dataset ds.h5 --machine-id press-7 --schedule healthy:10,outer_race:10 --bootstrap-servers k:9092

A schedule is ``class:windows`` segments in order; window timestamps advance by the window's duration, starting
now, so consecutive runs for the same machine keep increasing timestamps.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from aiokafka.errors import KafkaError

from pfd_deploy.monitoring.sources import SourceError, WindowSource, cwru_source, dataset_source
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.monitoring import SignalWindowReceived

PRODUCER = "pfd-simulate"
DEFAULT_RATE = 1.0
DEFAULT_WINDOW_SECONDS = 1.0
DEFAULT_RECORDS_PER_CLASS = 64
DEFAULT_SERVERS = "127.0.0.1:9092"
EXIT_USAGE = 2


class ScheduleError(ValueError):
    """A fault schedule that cannot be read; the message shows the expected form."""


@dataclass(frozen=True)
class Segment:
    fault_class: str
    windows: int


def parse_schedule(text: str) -> list[Segment]:
    """``healthy:30,inner_race:20`` -> segments (every count a positive integer)."""
    segments = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, count = part.rpartition(":")
        if not sep or not name or not count.isdigit() or int(count) < 1:
            raise ScheduleError(f"bad schedule segment {part!r}: use class:windows, e.g. healthy:30,inner_race:20")
        segments.append(Segment(name, int(count)))
    if not segments:
        raise ScheduleError("the schedule is empty: use class:windows, e.g. healthy:30,inner_race:20")
    return segments


class Publisher(Protocol):
    async def publish(self, envelope: Envelope[Any]) -> None:
        ...


@dataclass(frozen=True)
class Plan:
    machine_id: str
    sensor_id: str
    schedule: list[Segment]
    rate: float  # windows per second; 0 publishes as fast as the broker takes them
    start: datetime


def windows_of(source: WindowSource, plan: Plan) -> list[SignalWindowReceived]:
    """Every window of the plan, in order (checks every class of the schedule exists first)."""
    missing = sorted({s.fault_class for s in plan.schedule} - set(source.classes))
    if missing:
        raise SourceError(f"the source has no class {', '.join(missing)} (it has: {', '.join(source.classes)})")
    events, at = [], plan.start
    for segment in plan.schedule:
        for _ in range(segment.windows):
            window = source.next_window(segment.fault_class)
            events.append(SignalWindowReceived(
                machine_id=plan.machine_id, sensor_id=plan.sensor_id, timestamp=at,
                sample_rate_hz=window.sample_rate_hz, samples=window.samples.tolist(),
                shaft_speed_hz=window.shaft_speed_hz))
            at += timedelta(seconds=window.samples.size / window.sample_rate_hz)
    return events


async def simulate(source: WindowSource, plan: Plan, publisher: Publisher, *,
                   sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                   clock: Callable[[], float] = time.monotonic) -> Counter[str]:
    """Publish the plan's windows at ``plan.rate``; returns how many windows of each class were published."""
    published: Counter[str] = Counter()
    started = clock()
    classes = [s.fault_class for s in plan.schedule for _ in range(s.windows)]
    for index, (window, cls) in enumerate(zip(windows_of(source, plan), classes, strict=True)):
        if plan.rate > 0:
            await sleep(max(0.0, started + index / plan.rate - clock()))
        await publisher.publish(new_envelope(window, producer=PRODUCER))
        published[cls] += 1
    return published


class KafkaPublisher:
    """Publishes envelopes on their topic with the platform's key and headers (FastStream KafkaBroker)."""

    def __init__(self, bootstrap_servers: str) -> None:
        from faststream.kafka import KafkaBroker

        self.broker = KafkaBroker(bootstrap_servers, client_id=PRODUCER)

    async def __aenter__(self) -> KafkaPublisher:
        await self.broker.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.stop()

    async def publish(self, envelope: Envelope[Any]) -> None:
        from pfd_shared.events.serializer import encode_event
        from pfd_shared.messaging.bus import event_headers

        await self.broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key(),
                                  headers=event_headers(envelope), correlation_id=str(envelope.correlation_id))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pfd-simulate", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", type=Path, help="a PFD data-set HDF5 file")
    source.add_argument("--cwru", type=Path, help="a folder of CWRU .mat files")
    p.add_argument("--schedule", required=True, help="class:windows segments, e.g. healthy:30,inner_race:20")
    p.add_argument("--rate", type=float, default=DEFAULT_RATE, help="windows per second (0: as fast as possible)")
    p.add_argument("--window-seconds", type=float, default=DEFAULT_WINDOW_SECONDS, help="duration of one window")
    p.add_argument("--machine-id", default="machine-1")
    p.add_argument("--sensor-id", default="drive-end")
    p.add_argument("--max-records-per-class", type=int, default=DEFAULT_RECORDS_PER_CLASS,
                   help="records read per class from a data set")
    p.add_argument("--bootstrap-servers", default=DEFAULT_SERVERS, help="Kafka bootstrap servers")
    return p


def load_source(args: argparse.Namespace) -> WindowSource:
    if args.window_seconds <= 0:
        raise SourceError(f"--window-seconds must be positive, not {args.window_seconds}")
    if args.dataset is not None:
        return dataset_source(args.dataset, args.window_seconds, max_records_per_class=args.max_records_per_class)
    return cwru_source(args.cwru, args.window_seconds)


async def _run(args: argparse.Namespace) -> Counter[str]:
    plan = Plan(args.machine_id, args.sensor_id, parse_schedule(args.schedule), max(0.0, args.rate),
                datetime.now(UTC))
    source = load_source(args)
    async with KafkaPublisher(args.bootstrap_servers) as publisher:
        return await simulate(source, plan, publisher)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        published = asyncio.run(_run(args))
    except (ScheduleError, SourceError, ValueError) as exc:
        print(f"pfd-simulate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, KafkaError) as exc:
        print(f"pfd-simulate: cannot reach Kafka at {args.bootstrap_servers}: {exc}", file=sys.stderr)
        return 1
    total = sum(published.values())
    print(f"published {total} windows for {args.machine_id}: " + ", ".join(f"{k} {v}" for k, v in published.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
