"""The alert rule of condition monitoring, pure and deterministic: "k of the last n windows predicted as a fault with
probability >= p" fires an alert; it clears only after m consecutive windows predicted healthy (hysteresis).

A machine's state is an immutable value: ``step(rule, state, observation)`` returns the next state and the
transition (detected, cleared or none), so a store can persist it as it is and replays give the same answers.
Windows are ordered per sensor: one whose timestamp is not later than the sensor's last one is ignored
(a redelivery or out-of-order data), so handling a window twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum


class RuleError(ValueError):
    """An alert rule whose figures contradict each other (k > n, p outside (0, 1]...)."""


@dataclass(frozen=True)
class AlertRule:
    """Fire when at least ``k`` of the last ``n`` windows are faults with probability >= ``p``; clear after
    ``m`` consecutive healthy windows. ``healthy_classes`` are the class names that mean "no fault"."""

    k: int
    n: int
    p: float
    m: int
    healthy_classes: frozenset[str] = frozenset({"healthy", "normal"})

    def __post_init__(self) -> None:
        if self.n < 1 or not 1 <= self.k <= self.n:
            raise RuleError(f"the rule needs 1 <= k <= n (k {self.k}, n {self.n})")
        if not 0 < self.p <= 1:
            raise RuleError(f"the probability threshold must be in (0, 1], not {self.p}")
        if self.m < 1:
            raise RuleError(f"clearing needs at least one healthy window (m {self.m})")
        if not self.healthy_classes:
            raise RuleError("name at least one healthy class")

    def describe(self) -> str:
        return (f"{self.k} of the last {self.n} windows a fault with probability >= {self.p:g}; "
                f"clears after {self.m} consecutive healthy windows")

    def is_healthy(self, predicted_class: str) -> bool:
        return predicted_class in self.healthy_classes


@dataclass(frozen=True)
class Observation:
    """One scored window: its sensor, timestamp, predicted class and that class's probability."""

    sensor_id: str
    timestamp: datetime
    predicted_class: str
    probability: float


@dataclass(frozen=True)
class Alert:
    """The machine's active alert."""

    fault_class: str
    since: datetime


@dataclass(frozen=True)
class MachineState:
    """What the rule remembers of one machine: the last n windows (oldest first), the active alert, the
    healthy windows since the last non-healthy one, and each sensor's last timestamp."""

    recent: tuple[Observation, ...] = ()
    alert: Alert | None = None
    healthy_streak: tuple[Observation, ...] = ()
    last_seen: dict[str, datetime] = field(default_factory=dict)

    def is_new(self, observation: Observation) -> bool:
        last = self.last_seen.get(observation.sensor_id)
        return last is None or observation.timestamp > last


class Change(Enum):
    NONE = "none"
    IGNORED = "ignored"  # not later than the sensor's last window
    DETECTED = "detected"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Transition:
    """What one window changed; for DETECTED and CLEARED the class, the windows behind it and their mean
    probability."""

    change: Change
    fault_class: str | None = None
    windows: int = 0
    probability: float = 0.0


NOTHING = Transition(Change.NONE)
IGNORED = Transition(Change.IGNORED)


def is_fault(rule: AlertRule, observation: Observation) -> bool:
    """A window counts toward the rule when it predicts a fault with at least the rule's probability."""
    return not rule.is_healthy(observation.predicted_class) and observation.probability >= rule.p


def dominant_fault(faults: list[Observation]) -> tuple[str, float]:
    """The most frequent fault class; ties go to the higher mean probability, then to the name (deterministic)."""
    counts = Counter(o.predicted_class for o in faults)
    means = {name: _mean([o.probability for o in faults if o.predicted_class == name]) for name in counts}
    name = min(counts, key=lambda c: (-counts[c], -means[c], c))
    return name, means[name]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def step(rule: AlertRule, state: MachineState, observation: Observation) -> tuple[MachineState, Transition]:
    """The state after ``observation`` and what changed."""
    if not state.is_new(observation):
        return state, IGNORED
    last_seen = {**state.last_seen, observation.sensor_id: observation.timestamp}
    recent = (*state.recent, observation)[-rule.n:]
    healthy = rule.is_healthy(observation.predicted_class)
    streak = (*state.healthy_streak, observation)[-rule.m:] if healthy else ()
    state = replace(state, recent=recent, healthy_streak=streak, last_seen=last_seen)
    if state.alert is None:
        faults = [o for o in recent if is_fault(rule, o)]
        if len(faults) < rule.k:
            return state, NOTHING
        fault_class, probability = dominant_fault(faults)
        alert = Alert(fault_class, observation.timestamp)
        return replace(state, alert=alert), Transition(Change.DETECTED, fault_class, len(faults), probability)
    if len(streak) < rule.m:
        return state, NOTHING
    cleared = Transition(Change.CLEARED, state.alert.fault_class, len(streak),
                         _mean([o.probability for o in streak]))
    return MachineState(last_seen=last_seen), cleared  # a fresh window history: old faults never re-fire
