"""Monitoring on the real broker: the simulator publishes windows, a subscriber scoring them with MachineScorer.handle
(as the deploy bootstrap wires it) publishes FaultPrediction and FaultDetected; a poison window goes to the
dead-letter topic with its reason and scoring goes on."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import numpy as np
import pytest
import torch
from faststream.kafka import KafkaMessage
from prometheus_client import CollectorRegistry

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import build_predictor
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.scoring import MachineScorer
from pfd_deploy.monitoring.simulator import KafkaPublisher, Plan, parse_schedule, simulate
from pfd_deploy.monitoring.sources import dataset_source
from pfd_deploy.monitoring.stores import InMemoryAssignments, InMemoryStateStore
from pfd_deploy.serving.batch import envelope_publisher
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared import topics
from pfd_shared.events import Envelope, decode_event, encode_event, new_envelope
from pfd_shared.events.monitoring import SignalWindowReceived
from pfd_shared.messaging.broker import make_broker
from pfd_shared.messaging.bus import EventBus
from pfd_shared.models import build_model
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes
from pfd_shared.training.catalogue import model_info
from pfd_shared.training.spec import ModelSpec

pytestmark = pytest.mark.integration
WAIT_S = 60
GROUP_JOIN_S = 2.0
RATE_HZ, WINDOW = 1000.0, 256
FAULTS = ("outer_race", "ball")  # no healthy class: every window is a fault, so the rule must fire
MODEL = "monitor-itest"
WINDOWS = 4


def fault_only_model() -> bytes:
    torch.manual_seed(0)
    params = dict(model_info("cnn1d").resolve("small"), width=4)
    spec = ModelSpec(name="cnn1d", params=params, class_names=FAULTS, window_length=WINDOW, sample_rate_hz=RATE_HZ)
    model = build_model("cnn1d", params, spec.n_classes, WINDOW).eval()
    return export_onnx(model, spec, np.random.default_rng(0).normal(size=(8, 1, WINDOW)).astype(np.float32)).model


def poison(machine_id: str) -> bytes:
    """A well-formed envelope whose window holds a NaN sample: SignalWindowReceived refuses it."""
    window = SignalWindowReceived(machine_id=machine_id, sensor_id="de", timestamp=datetime.now(UTC),
                                  sample_rate_hz=RATE_HZ, samples=[0.0] * WINDOW)
    body = json.loads(encode_event(new_envelope(window, producer="itest")))
    body["payload"]["samples"][0] = "NaN"
    return json.dumps(body).encode()


async def test_simulated_windows_are_scored_alerted_and_poison_is_dead_lettered(kafka_settings, unique,
                                                                                tmp_path) -> None:
    torch.set_num_threads(1)
    store, registry = InMemoryObjectStore(), InMemoryRegistry()
    publish_model(store, registry, fault_only_model(), MODEL, 1, "production")
    predictor = build_predictor(registry, store, InferenceHttpSettings(threads=1), CollectorRegistry())
    scorer = MachineScorer.from_settings(
        predictor, MonitoringSettings(model_name=MODEL, rule_k=2, rule_n=3, rule_p=0.01, clear_after=2),
        InMemoryAssignments(), InMemoryStateStore())
    metrics = ServiceMetrics(CollectorRegistry())
    broker, sink = make_broker(kafka_settings, service="itest-monitor", metrics=metrics)
    bus = EventBus(broker, kafka_settings, service="itest-monitor", metrics=metrics, dead_letters=sink)
    machine = f"m-{unique}"
    seen: dict[str, list] = {"monitoring.fault_prediction": [], "monitoring.fault_detected": []}
    dead: list[KafkaMessage] = []
    everything_seen = asyncio.Event()

    def check() -> None:
        if len(seen["monitoring.fault_prediction"]) >= WINDOWS and seen["monitoring.fault_detected"] and dead:
            everything_seen.set()

    @bus.subscribe(SignalWindowReceived, group_id=f"itest-monitor-{unique}")
    async def on_signal_window_received(envelope: Envelope[SignalWindowReceived]) -> None:
        await scorer.handle(envelope, envelope_publisher(bus, "itest-monitor", envelope))

    @broker.subscriber(topics.FAULT_PREDICTION.name, topics.FAULT_DETECTED.name, fetch_max_wait_ms=10,
                       auto_offset_reset="latest")
    async def on_outcome(message: KafkaMessage) -> None:
        envelope = decode_event(message.body)
        if envelope.payload.machine_id == machine:
            seen[envelope.type].append(envelope.payload)
            check()

    @broker.subscriber(topics.DEAD_LETTER.name, fetch_max_wait_ms=10, auto_offset_reset="latest")
    async def on_dead_letter(message: KafkaMessage) -> None:
        if message.raw_message.key == machine.encode():
            dead.append(message)
            check()

    dataset = tmp_path / "ds.h5"
    dataset.write_bytes(training_dataset_bytes(2, 2500, RATE_HZ))
    await broker.start()
    try:
        await asyncio.sleep(GROUP_JOIN_S)
        await broker.publish(poison(machine), topic=topics.SIGNAL_WINDOW_RECEIVED.name, key=machine.encode())
        plan = Plan(machine, "de", parse_schedule(f"outer_race:{WINDOWS}"), 0.0, datetime.now(UTC))
        async with KafkaPublisher(kafka_settings.bootstrap_servers) as publisher:
            await simulate(dataset_source(dataset, 1.0, max_records_per_class=2), plan, publisher)
        await asyncio.wait_for(everything_seen.wait(), WAIT_S)
    finally:
        await broker.stop()
        predictor.close()
    predictions = seen["monitoring.fault_prediction"]
    assert {p.model_name for p in predictions} == {MODEL} and {p.predicted_class for p in predictions} <= set(FAULTS)
    [detected] = seen["monitoring.fault_detected"]
    assert detected.windows == 2 and detected.fault_class in FAULTS
    headers = dict(dead[0].headers)
    assert headers["pfd-dlq-reason"] == "invalid"
    assert headers["pfd-dlq-source-topic"] == topics.SIGNAL_WINDOW_RECEIVED.name
