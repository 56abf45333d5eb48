"""The monitoring alert rule: k of the last n windows a fault with probability >= p fires once; m consecutive
healthy windows clear it; flapping never clears; stale or repeated timestamps are ignored; several fault classes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.rules import (
    AlertRule,
    Change,
    MachineState,
    Observation,
    RuleError,
    dominant_fault,
    step,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RULE = AlertRule(k=3, n=5, p=0.8, m=2)


def obs(second: int, cls: str = "healthy", prob: float = 0.95, sensor: str = "s1") -> Observation:
    return Observation(sensor, T0 + timedelta(seconds=second), cls, prob)


def run(observations: list[Observation], rule: AlertRule = RULE,
        state: MachineState | None = None) -> tuple[MachineState, list[Change]]:
    state = state or MachineState()
    changes = []
    for o in observations:
        state, transition = step(rule, state, o)
        changes.append(transition.change)
    return state, changes


def test_fires_on_the_kth_fault_of_the_window_and_only_once() -> None:
    seq = [obs(0, "inner_race"), obs(1), obs(2, "inner_race"), obs(3, "inner_race"), obs(4, "inner_race")]
    state, changes = run(seq)
    assert changes == [Change.NONE, Change.NONE, Change.NONE, Change.DETECTED, Change.NONE]
    assert state.alert is not None and state.alert.fault_class == "inner_race"
    assert state.alert.since == seq[3].timestamp


def test_faults_older_than_n_windows_do_not_count() -> None:
    seq = [obs(0, "ball"), obs(1, "ball"), obs(2), obs(3), obs(4), obs(5), obs(6, "ball")]
    state, changes = run(seq)
    assert Change.DETECTED not in changes and state.alert is None


def test_low_probability_faults_do_not_count() -> None:
    _, changes = run([obs(i, "outer_race", 0.79) for i in range(10)])
    assert Change.DETECTED not in changes


def test_threshold_is_inclusive() -> None:
    _, changes = run([obs(i, "outer_race", 0.8) for i in range(3)])
    assert changes[-1] is Change.DETECTED


def test_clears_after_m_consecutive_healthy_windows_with_their_mean_probability() -> None:
    state, _ = run([obs(i, "ball") for i in range(3)])
    state, first = step(RULE, state, obs(3, prob=0.9))
    assert first.change is Change.NONE
    state, cleared = step(RULE, state, obs(4, prob=0.7))
    assert cleared.change is Change.CLEARED and cleared.fault_class == "ball" and cleared.windows == 2
    assert cleared.probability == pytest.approx(0.8)
    assert state.alert is None and state.recent == ()


def test_after_clearing_old_faults_never_refire() -> None:
    state, _ = run([obs(i, "ball") for i in range(3)] + [obs(3), obs(4)])
    state, changes = run([obs(5), obs(6, "ball"), obs(7, "ball")], state=state)
    assert changes == [Change.NONE, Change.NONE, Change.NONE] and state.alert is None
    _, changes = run([obs(8, "ball")], state=state)
    assert changes == [Change.DETECTED]


def test_flapping_keeps_the_alert_until_m_consecutive_healthy() -> None:
    rule = AlertRule(k=3, n=5, p=0.8, m=3)
    flapping = [obs(i, "inner_race" if i % 2 == 0 else "healthy") for i in range(21)]  # ends on a fault
    state, changes = run(flapping, rule)
    assert changes.count(Change.DETECTED) == 1 and Change.CLEARED not in changes
    assert state.alert is not None
    _, changes = run([obs(100 + i) for i in range(3)], rule, state)
    assert changes == [Change.NONE, Change.NONE, Change.CLEARED]


def test_uncertain_fault_resets_the_healthy_streak() -> None:
    state, _ = run([obs(i, "ball") for i in range(3)])
    state, changes = run([obs(3), obs(4, "ball", 0.3), obs(5)], state=state)
    assert Change.CLEARED not in changes and state.alert is not None


def test_out_of_order_and_repeated_timestamps_are_ignored() -> None:
    state, _ = run([obs(10, "ball"), obs(11, "ball")])
    after, changes = run([obs(11, "ball"), obs(5, "ball"), obs(11, "ball")], state=state)
    assert changes == [Change.IGNORED] * 3 and after == state


def test_timestamps_are_ordered_per_sensor() -> None:
    state, changes = run([obs(10, "ball", sensor="a"), obs(5, "ball", sensor="b"), obs(10, "ball", sensor="b")])
    assert changes == [Change.NONE, Change.NONE, Change.DETECTED]


def test_different_fault_classes_fire_with_the_dominant_one() -> None:
    state, changes = run([obs(0, "ball"), obs(1, "inner_race"), obs(2, "inner_race")])
    assert changes[-1] is Change.DETECTED and state.alert is not None and state.alert.fault_class == "inner_race"


def test_dominant_fault_ties_go_to_probability_then_name() -> None:
    assert dominant_fault([obs(0, "b", 0.9), obs(1, "a", 0.85)]) == ("b", pytest.approx(0.9))
    assert dominant_fault([obs(0, "b", 0.9), obs(1, "a", 0.9)])[0] == "a"


def test_a_new_fault_class_does_not_refire_while_active() -> None:
    state, _ = run([obs(i, "ball") for i in range(3)])
    _, changes = run([obs(10 + i, "outer_race") for i in range(5)], state=state)
    assert Change.DETECTED not in changes


def test_same_input_same_answers() -> None:
    seq = [obs(i, ("ball", "healthy", "inner_race")[i % 3], 0.5 + (i % 5) / 10) for i in range(40)]
    assert run(seq) == run(seq)


def test_k_equals_n_equals_one_fires_and_clears_immediately() -> None:
    rule = AlertRule(k=1, n=1, p=0.5, m=1)
    _, changes = run([obs(0, "ball"), obs(1), obs(2, "ball")], rule)
    assert changes == [Change.DETECTED, Change.CLEARED, Change.DETECTED]


def test_custom_healthy_classes() -> None:
    rule = AlertRule(k=1, n=1, p=0.5, m=1, healthy_classes=frozenset({"Normal"}))
    _, changes = run([obs(0, "healthy")], rule)
    assert changes == [Change.DETECTED]


@pytest.mark.parametrize("figures", [dict(k=0, n=3), dict(k=4, n=3), dict(n=0, k=0), dict(p=0.0), dict(p=1.5),
                                     dict(m=0), dict(healthy_classes=frozenset())])
def test_contradictory_rules_are_refused(figures: dict) -> None:
    with pytest.raises(RuleError):
        AlertRule(**{**dict(k=1, n=3, p=0.5, m=1), **figures})


def test_description_names_the_figures() -> None:
    assert RULE.describe() == ("3 of the last 5 windows a fault with probability >= 0.8; "
                               "clears after 2 consecutive healthy windows")


def test_settings_refuse_a_contradictory_rule() -> None:
    assert MonitoringSettings(rule_k=2, rule_n=4).rule() == AlertRule(k=2, n=4, p=0.8, m=3)
    with pytest.raises(ValidationError, match="1 <= k <= n"):
        MonitoringSettings(rule_k=6, rule_n=5)
