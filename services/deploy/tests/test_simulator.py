"""pfd-simulate with a fake publisher: schedules, windows cut from a data-set file and from CWRU-named .mat files,
pacing at the chosen rate, increasing timestamps, clear errors for bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from pfd_deploy.monitoring import simulator
from pfd_deploy.monitoring.simulator import Plan, ScheduleError, Segment, parse_schedule, simulate
from pfd_deploy.monitoring.sources import (
    CWRU_NORMAL_RATE_HZ,
    CWRU_RATE_HZ,
    SourceError,
    cwru_class,
    cwru_source,
    dataset_source,
)
from pfd_shared.events.monitoring import SignalWindowReceived
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes

RATE_HZ = 1000.0
RECORD_SAMPLES = 2500  # two 1 s windows per record (the rest is dropped)
START = datetime(2026, 1, 1, tzinfo=UTC)


class FakePublisher:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def publish(self, envelope) -> None:
        self.envelopes.append(envelope)


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 100.0, []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def dataset_file(tmp_path) -> Path:
    path = tmp_path / "ds.h5"
    path.write_bytes(training_dataset_bytes(3, RECORD_SAMPLES, RATE_HZ))
    return path


@pytest.fixture
def cwru_folder(tmp_path) -> Path:
    rng = np.random.default_rng(0)
    for name, number in (("normal_0_97.mat", 97), ("12k_Drive_End_IR007_0_105.mat", 105),
                         ("12k_Drive_End_OR007@6_0_130.mat", 130), ("12k_Drive_End_B007_0_118.mat", 118)):
        scipy.io.savemat(tmp_path / name, {f"X{number:03d}_DE_time": rng.normal(size=(30_000, 1)),
                                           f"X{number:03d}_FE_time": rng.normal(size=(30_000, 1)),
                                           f"X{number:03d}RPM": np.array([[1797]])})
    (tmp_path / "MANIFEST.md").write_text("not a recording")
    return tmp_path


def plan(schedule: str, rate: float = 0.0) -> Plan:
    return Plan("m1", "de", parse_schedule(schedule), rate, START)


def test_schedule_parsing() -> None:
    assert parse_schedule("healthy:30, inner_race:20") == [Segment("healthy", 30), Segment("inner_race", 20)]
    for bad in ("", "healthy", "healthy:0", "healthy:x", ":3", "healthy:-1"):
        with pytest.raises(ScheduleError, match="class:windows"):
            parse_schedule(bad)


async def test_windows_from_a_dataset_follow_the_schedule(dataset_file) -> None:
    source = dataset_source(dataset_file, 1.0, max_records_per_class=2)
    publisher = FakePublisher()
    published = await simulate(source, plan("healthy:3,outer_race:5,healthy:1"), publisher)
    assert published == {"healthy": 4, "outer_race": 5}
    windows = [e.payload for e in publisher.envelopes]
    assert all(isinstance(w, SignalWindowReceived) for w in windows)
    assert {len(w.samples) for w in windows} == {int(RATE_HZ)} and windows[0].sample_rate_hz == RATE_HZ
    assert [w.timestamp for w in windows] == [START + timedelta(seconds=i) for i in range(9)]
    assert {e.key() for e in publisher.envelopes} == {b"m1"}
    # 2 records x 2 windows per class, then the class cycles: windows 0 and 4 of outer_race are the same
    outer = windows[3:8]
    assert outer[0].samples == outer[4].samples and outer[0].samples != outer[1].samples


async def test_windows_from_cwru_files_carry_their_rates_and_classes(cwru_folder) -> None:
    source = cwru_source(cwru_folder, 0.5)
    assert source.classes == ["ball", "healthy", "inner_race", "outer_race"]
    publisher = FakePublisher()
    await simulate(source, plan("healthy:1,inner_race:1,ball:1"), publisher)
    healthy, inner, ball = (e.payload for e in publisher.envelopes)
    assert (healthy.sample_rate_hz, len(healthy.samples)) == (CWRU_NORMAL_RATE_HZ, 24_000)
    assert (inner.sample_rate_hz, len(inner.samples)) == (CWRU_RATE_HZ, 6_000)
    assert inner.timestamp == START + timedelta(seconds=0.5) and ball.shaft_speed_hz == pytest.approx(29.95)


def test_cwru_file_names() -> None:
    assert [cwru_class(n) for n in ("normal_0_97.mat", "12k_Drive_End_IR014_0_169.mat",
                                    "12k_Drive_End_OR021@6_0_234.mat", "12k_Drive_End_B021_0_222.mat",
                                    "notes.mat")] == ["healthy", "inner_race", "outer_race", "ball", None]


async def test_publishing_is_paced_at_the_rate(dataset_file) -> None:
    clock = FakeClock()
    source = dataset_source(dataset_file, 1.0, max_records_per_class=1)
    await simulate(source, plan("healthy:4", rate=2.0), FakePublisher(), sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [0.0, 0.5, 0.5, 0.5]


async def test_an_unknown_class_is_refused_before_publishing(dataset_file) -> None:
    publisher = FakePublisher()
    source = dataset_source(dataset_file, 1.0, max_records_per_class=1)
    with pytest.raises(SourceError, match="no class inner_race"):
        await simulate(source, plan("healthy:2,inner_race:2"), publisher)
    assert publisher.envelopes == []


def test_unreadable_inputs_are_clear_errors(tmp_path) -> None:
    (tmp_path / "bad.h5").write_bytes(b"not hdf5")
    with pytest.raises(SourceError, match="not a readable PFD data-set file"):
        dataset_source(tmp_path / "bad.h5", 1.0, max_records_per_class=1)
    with pytest.raises(SourceError, match="no CWRU .mat files"):
        cwru_source(tmp_path, 1.0)


def test_the_cli_reports_bad_input_without_a_trace(tmp_path, capsys) -> None:
    assert simulator.main(["--cwru", str(tmp_path), "--schedule", "healthy:1"]) == simulator.EXIT_USAGE
    assert "no CWRU .mat files" in capsys.readouterr().err
    assert simulator.main(["--cwru", str(tmp_path), "--schedule", "healthy"]) == simulator.EXIT_USAGE
    assert "class:windows" in capsys.readouterr().err


def test_the_cli_publishes_through_kafka(cwru_folder, monkeypatch, capsys) -> None:
    sent = FakePublisher()

    class Fake(FakePublisher):
        def __init__(self, servers: str) -> None:
            assert servers == "k:9092"

        async def __aenter__(self):
            return sent

        async def __aexit__(self, *exc) -> None:
            pass

    monkeypatch.setattr(simulator, "KafkaPublisher", Fake)
    code = simulator.main(["--cwru", str(cwru_folder), "--schedule", "healthy:2,ball:1", "--rate", "0",
                           "--machine-id", "press-7", "--bootstrap-servers", "k:9092"])
    assert code == 0 and len(sent.envelopes) == 3
    assert sent.envelopes[0].payload.machine_id == "press-7"
    assert "published 3 windows for press-7: healthy 2, ball 1" in capsys.readouterr().out
