"""Create the platform's topics (idempotent); the ``pfd-topics`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pfd_shared.topics import ALL_TOPICS, TopicSpec

log = logging.getLogger(__name__)


async def ensure_topics(bootstrap_servers: str, specs: Iterable[TopicSpec] = ALL_TOPICS,
                        replication_factor: int = 1) -> list[str]:
    """Create every missing topic; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        created = []
        for spec in missing:
            config = {"retention.ms": str(spec.retention_ms)} if spec.retention_ms else {}
            try:
                await admin.create_topics([NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=config)])
                created.append(spec.name)
            except TopicAlreadyExistsError:
                log.debug("topic %s already exists", spec.name)
        return created
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``pfd-topics``."""
    parser = argparse.ArgumentParser(description="Create every PFD Kafka topic that does not exist yet.")
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    created = asyncio.run(ensure_topics(args.bootstrap_servers, replication_factor=args.replication_factor))
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
