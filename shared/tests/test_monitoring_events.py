"""The monitoring contract external producers write to: SignalWindowReceived validates strictly (finite samples,
bounded length, positive bounded rates, aware timestamps) and round-trips through the serializer keyed by machine."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from pfd_shared.events import InvalidEvent, decode_event, encode_event, new_envelope
from pfd_shared.events.monitoring import (
    MAX_SAMPLE_RATE_HZ,
    MAX_WINDOW_SAMPLES,
    MIN_WINDOW_SAMPLES,
    FaultDetected,
    SignalWindowReceived,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GOOD = dict(machine_id="press-7", sensor_id="de", timestamp=NOW, sample_rate_hz=20_480.0,
            samples=[0.1] * MIN_WINDOW_SAMPLES, shaft_speed_hz=29.9)


def test_a_good_window_round_trips_keyed_by_machine() -> None:
    envelope = new_envelope(SignalWindowReceived(**GOOD), producer="plc-gateway")
    decoded = decode_event(encode_event(envelope))
    assert decoded.payload == envelope.payload and decoded.key() == b"press-7"


@pytest.mark.parametrize("change", [
    {"samples": [0.1] * (MIN_WINDOW_SAMPLES - 1)},
    {"samples": [0.1] * (MAX_WINDOW_SAMPLES + 1)},
    {"samples": [float("nan")] + [0.1] * MIN_WINDOW_SAMPLES},
    {"samples": [float("inf")] + [0.1] * MIN_WINDOW_SAMPLES},
    {"sample_rate_hz": 0.0},
    {"sample_rate_hz": -1.0},
    {"sample_rate_hz": MAX_SAMPLE_RATE_HZ * 2},
    {"shaft_speed_hz": 0.0},
    {"timestamp": datetime(2026, 1, 1)},
    {"machine_id": ""},
    {"machine_id": "has space"},
])
def test_bad_windows_are_refused(change: dict) -> None:
    with pytest.raises(ValidationError):
        SignalWindowReceived(**{**GOOD, **change})


def test_a_window_with_nan_in_its_json_is_refused_by_the_decoder() -> None:
    body = json.loads(encode_event(new_envelope(SignalWindowReceived(**GOOD), producer="x")))
    body["payload"]["samples"][3] = "NaN"
    with pytest.raises((ValidationError, InvalidEvent)):
        decode_event(json.dumps(body).encode())


def test_speed_is_optional() -> None:
    assert SignalWindowReceived(**{**GOOD, "shaft_speed_hz": None}).shaft_speed_hz is None


def test_alert_probability_is_bounded() -> None:
    with pytest.raises(ValidationError):
        FaultDetected(machine_id="m", sensor_id="s", window_timestamp=NOW, fault_class="ball", rule="r", windows=1,
                      probability=1.2)
