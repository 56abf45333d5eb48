"""Log throttling and stop reasons."""

from pfd_training.control import RunControl, StopReason
from pfd_training.run_hooks import LogThrottle


def test_lines_are_batched_per_interval_or_when_full() -> None:
    throttle = LogThrottle(interval_s=1.0, max_lines=3)
    assert throttle.add("a", now=10.0) == ["a"]  # the first line goes out at once
    assert throttle.add("b", now=10.2) == []
    assert throttle.add("c", now=10.4) == []
    assert throttle.add("d", now=10.5) == ["b", "c", "d"]  # full
    assert throttle.add("e", now=10.6) == []
    assert throttle.add("f", now=11.6) == ["e", "f"]  # interval passed
    assert throttle.drain(now=11.7) == []


def test_a_stronger_stop_reason_wins() -> None:
    control = RunControl()
    assert not control.stopped
    control.stop(StopReason.CANCEL)
    control.stop(StopReason.SHUTDOWN)
    assert control.stopped and control.reason is StopReason.CANCEL
    control.stop(StopReason.DELETED)
    assert control.reason is StopReason.DELETED
