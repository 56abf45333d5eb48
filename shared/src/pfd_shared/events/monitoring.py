"""Online condition monitoring: machines stream vibration windows, the deploy service scores each one with the model
assigned to the machine and raises alerts when a rule fires.

**For external producers.** Publish one ``SignalWindowReceived`` per window of one sensor on topic
``pfd.monitoring.signal-window-received``, inside the standard envelope (``type`` ``monitoring.signal_window_received``,
``schema_version`` 1, ``occurred_at``, ``correlation_id``, ``producer``), JSON-encoded, Kafka key = ``machine_id``
(so the windows of one machine stay in order). A window that fails validation (non-finite samples, a sample rate or
length out of bounds, a missing field) goes to the dead-letter topic with the reason in its headers and is not scored.
A window whose ``timestamp`` is not later than the last scored window of the same sensor is ignored (redeliveries,
out-of-order data).

Aggregate: the machine (``machine_id``); every event here is keyed by it.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field, FiniteFloat

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"}
_NAME = {"min_length": 1, "max_length": 64, "pattern": r"^[a-z0-9][a-z0-9_.-]*$"}
_ALIAS = {"min_length": 1, "max_length": 32, "pattern": r"^[a-z][a-z0-9_-]*$"}
MIN_WINDOW_SAMPLES = 64
MAX_WINDOW_SAMPLES = 32_768  # 1.6 s at 20,480 Hz; about 650 kB of JSON, under Kafka's default 1 MB message limit
MAX_SAMPLE_RATE_HZ = 200_000.0
MAX_SHAFT_SPEED_HZ = 1_000.0
MAX_TEXT_CHARS = 500


class _MachineEvent(EventPayload):
    machine_id: str = Field(**_ID, description="The monitored machine (the aggregate id, the Kafka key).")

    def key(self) -> str:
        """machine_id"""
        return self.machine_id


class SignalWindowReceived(_MachineEvent):
    """One window of vibration samples of one sensor, published by an external system (see the module docs).

    ``samples`` are the raw acceleration values (any unit the model was trained on, usually g) at
    ``sample_rate_hz``; between MIN_WINDOW_SAMPLES (64) and MAX_WINDOW_SAMPLES (32,768) finite numbers.
    The model resamples the window to its own rate; a window shorter than the model's window after resampling
    is reported as not scored. ``shaft_speed_hz`` is optional (recorded, not required by the models)."""

    event_type = "monitoring.signal_window_received"
    topic = topics.SIGNAL_WINDOW_RECEIVED

    sensor_id: str = Field(**_ID, description="The sensor of the machine that recorded the window.")
    timestamp: AwareDatetime = Field(description="When the window's first sample was taken (timezone-aware).")
    sample_rate_hz: float = Field(gt=0, le=MAX_SAMPLE_RATE_HZ, allow_inf_nan=False)
    samples: list[FiniteFloat] = Field(min_length=MIN_WINDOW_SAMPLES, max_length=MAX_WINDOW_SAMPLES)
    shaft_speed_hz: float | None = Field(default=None, gt=0, le=MAX_SHAFT_SPEED_HZ, allow_inf_nan=False)


class FaultPrediction(_MachineEvent):
    """The model's verdict on one window: the predicted class, the probability of every class, and which model
    version (under which alias) scored it in how many milliseconds."""

    event_type = "monitoring.fault_prediction"
    topic = topics.FAULT_PREDICTION

    sensor_id: str = Field(**_ID)
    window_timestamp: AwareDatetime = Field(description="The scored window's timestamp.")
    predicted_class: str
    probabilities: dict[str, float] = Field(description="Class name -> probability (they sum to 1).")
    healthy: bool = Field(description="The predicted class is one of the configured healthy classes.")
    model_name: str = Field(**_NAME)
    model_version: int = Field(ge=1)
    alias: str | None = Field(default=None, **_ALIAS)
    latency_ms: float = Field(ge=0, description="Time to score the window (registry, session, inference).")


class _AlertEvent(_MachineEvent):
    sensor_id: str = Field(**_ID, description="The sensor whose window made the rule fire or clear.")
    window_timestamp: AwareDatetime = Field(description="Timestamp of the window that made the rule fire or clear.")
    fault_class: str = Field(description="The fault the alert is about.")
    rule: str = Field(max_length=MAX_TEXT_CHARS, description="The rule in words, e.g. '3 of the last 5 windows ...'.")
    windows: int = Field(ge=1, description="Windows that satisfied the rule (faulty ones, or consecutive healthy).")
    probability: float = Field(ge=0, le=1, description="Mean probability of the class over those windows.")


class FaultDetected(_AlertEvent):
    """The alert rule fired on a machine: enough recent windows were predicted as a fault with enough probability.
    ``fault_class`` is the most frequent fault among them; no other FaultDetected follows until FaultCleared."""

    event_type = "monitoring.fault_detected"
    topic = topics.FAULT_DETECTED


class FaultCleared(_AlertEvent):
    """The machine's active alert ended: ``windows`` consecutive windows were predicted healthy (hysteresis);
    ``probability`` is their mean probability of being healthy."""

    event_type = "monitoring.fault_cleared"
    topic = topics.FAULT_CLEARED


class WindowNotScored(_MachineEvent):
    """A valid window could not be scored; ``kind`` is 'unassigned' (no model for the machine, or its alias does not
    exist), 'model_unavailable' (the version is broken or cannot be loaded) or 'unusable_window' (e.g. shorter
    than the model's window after resampling); ``reason`` says why in words."""

    event_type = "monitoring.window_not_scored"
    topic = topics.WINDOW_NOT_SCORED

    sensor_id: str = Field(**_ID)
    window_timestamp: AwareDatetime
    kind: str = Field(pattern=r"^(unassigned|model_unavailable|unusable_window)$")
    reason: str = Field(max_length=MAX_TEXT_CHARS)
    model_name: str | None = None
    alias: str | None = None


class MachineAssignmentRequested(_MachineEvent):
    """Score the machine's windows with ``model_name`` under ``alias`` from now on (``actor``: who asked)."""

    event_type = "monitoring.machine_assignment_requested"
    topic = topics.MACHINE_ASSIGNMENT_REQUESTED

    model_name: str = Field(**_NAME)
    alias: str = Field(default="production", **_ALIAS)
    actor: str = Field(min_length=1, max_length=64)


class MachineAssigned(_MachineEvent):
    """The machine is now scored with ``model_name`` under ``alias``."""

    event_type = "monitoring.machine_assigned"
    topic = topics.MACHINE_ASSIGNED

    model_name: str = Field(**_NAME)
    alias: str = Field(**_ALIAS)
    actor: str
