"""MachineScorer on a real tiny ONNX model (trained on tones, class names renamed to faults) in the in-memory
registry: predictions, alerts with hysteresis, unassigned machines, broken versions, unusable and repeated windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import build_predictor
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.scoring import MachineScorer
from pfd_deploy.monitoring.stores import Assignment, InMemoryAssignments, InMemoryStateStore
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared.events import new_envelope
from pfd_shared.events.monitoring import (
    FaultCleared,
    FaultDetected,
    FaultPrediction,
    MachineAssigned,
    MachineAssignmentRequested,
    SignalWindowReceived,
    WindowNotScored,
)
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.training.spec import ModelSpec

MODEL = "bearing"
CLASSES = ("healthy", "inner_race", "ball")  # the tiny model's tones 40 / 110 / 230 Hz
TONE_OF = {"healthy": 40.0, "inner_race": 110.0, "ball": 230.0}
RATE_HZ = 1000.0
SAMPLES = 512
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def fault_model(trained_cnn) -> bytes:
    spec = ModelSpec(name="cnn1d", params=trained_cnn.spec.params, class_names=CLASSES,
                     window_length=trained_cnn.spec.window_length, sample_rate_hz=trained_cnn.spec.sample_rate_hz)
    return export_onnx(trained_cnn.model, spec, trained_cnn.test_x[:16]).model


def window(second: int, cls: str = "healthy", machine: str = "m1", samples: int = SAMPLES,
           sensor: str = "s1") -> SignalWindowReceived:
    t = np.arange(samples) / RATE_HZ
    signal = 2.0 * np.sin(2 * np.pi * TONE_OF[cls] * t) + 0.1 * np.random.default_rng(second).normal(size=samples)
    return SignalWindowReceived(machine_id=machine, sensor_id=sensor, timestamp=T0 + timedelta(seconds=second),
                                sample_rate_hz=RATE_HZ, samples=signal.tolist(), shaft_speed_hz=29.9)


class World:
    def __init__(self, model: bytes, **settings) -> None:
        self.store, self.registry = InMemoryObjectStore(), InMemoryRegistry()
        publish_model(self.store, self.registry, model, MODEL, 1, "production")
        self.predictor = build_predictor(self.registry, self.store, InferenceHttpSettings(threads=1),
                                         CollectorRegistry())
        self.assignments, self.states = InMemoryAssignments(), InMemoryStateStore()
        config = MonitoringSettings(**{"model_name": MODEL, "rule_k": 2, "rule_n": 3, "rule_p": 0.6,
                                       "clear_after": 2, **settings})
        self.scorer = MachineScorer.from_settings(self.predictor, config, self.assignments, self.states)
        self.published: list = []

    async def publish(self, payload) -> None:
        self.published.append(payload)

    async def feed(self, *windows: SignalWindowReceived) -> list:
        for w in windows:
            await self.scorer.handle(new_envelope(w, producer="test"), self.publish)
        return self.published


@pytest.fixture
def world(fault_model):
    built = World(fault_model)
    yield built
    built.predictor.close()


async def test_a_healthy_window_is_predicted_healthy_with_the_model_version(world) -> None:
    [prediction] = await world.feed(window(0))
    assert isinstance(prediction, FaultPrediction)
    assert prediction.predicted_class == "healthy" and prediction.healthy
    assert (prediction.model_name, prediction.model_version, prediction.alias) == (MODEL, 1, "production")
    assert set(prediction.probabilities) == set(CLASSES)
    assert prediction.probabilities["healthy"] > 0.6 and prediction.latency_ms >= 0
    assert prediction.window_timestamp == T0 and prediction.key() == "m1"


async def test_faults_raise_an_alert_and_healthy_windows_clear_it(world) -> None:
    events = await world.feed(window(0), window(1, "inner_race"), window(2, "inner_race"), window(3, "inner_race"))
    kinds = [type(e) for e in events]
    assert kinds == [FaultPrediction] * 3 + [FaultDetected, FaultPrediction]
    detected = events[3]
    assert detected.fault_class == "inner_race" and detected.windows == 2 and detected.window_timestamp == T0 + \
        timedelta(seconds=2)
    assert "2 of the last 3 windows" in detected.rule and detected.probability >= 0.6
    world.published.clear()
    events = await world.feed(window(4), window(5))
    assert [type(e) for e in events] == [FaultPrediction, FaultPrediction, FaultCleared]
    assert events[-1].fault_class == "inner_race" and events[-1].windows == 2


async def test_machines_have_their_own_state(world) -> None:
    events = await world.feed(window(0, "ball", machine="a"), window(0, "ball", machine="b"),
                              window(1, "ball", machine="a"))
    detected = [e for e in events if isinstance(e, FaultDetected)]
    assert [(e.machine_id, e.fault_class) for e in detected] == [("a", "ball")]


async def test_a_repeated_or_older_window_is_ignored(world) -> None:
    await world.feed(window(5))
    assert await world.feed(window(5), window(3)) == world.published[:1]


async def test_without_assignment_or_default_model_the_machine_is_unassigned(fault_model) -> None:
    world = World(fault_model, model_name=None)
    [event] = await world.feed(window(0))
    assert isinstance(event, WindowNotScored) and event.kind == "unassigned" and event.model_name is None
    await world.assignments.assign("m1", Assignment(MODEL, "production"))
    [_, prediction] = await world.feed(window(1))
    assert isinstance(prediction, FaultPrediction)
    world.predictor.close()


async def test_an_unknown_alias_or_model_is_reported_unassigned(world) -> None:
    await world.assignments.assign("m1", Assignment(MODEL, "staging"))
    await world.assignments.assign("m2", Assignment("nope", "production"))
    events = await world.feed(window(0), window(0, machine="m2"))
    assert [(e.kind, e.model_name, e.alias) for e in events] == [("unassigned", MODEL, "staging"),
                                                                 ("unassigned", "nope", "production")]
    assert "staging" in events[0].reason


async def test_a_broken_version_is_reported_unavailable(world) -> None:
    await world.registry.mark_broken(MODEL, 1, "corrupt artefact")
    [event] = await world.feed(window(0))
    assert event.kind == "model_unavailable" and "corrupt artefact" in event.reason


async def test_a_window_shorter_than_the_model_window_is_unusable(world) -> None:
    [event] = await world.feed(window(0, samples=100))
    assert event.kind == "unusable_window" and event.reason


async def test_an_assignment_request_is_stored_and_confirmed(world) -> None:
    request = MachineAssignmentRequested(machine_id="m9", model_name=MODEL, alias="production", actor="ana")
    await world.scorer.handle_assignment(new_envelope(request, producer="test"), world.publish)
    assert world.published == [MachineAssigned(machine_id="m9", model_name=MODEL, alias="production", actor="ana")]
    assert await world.assignments.assignment("m9") == Assignment(MODEL, "production")
