"""The status read model (pure domain)."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from pfd_shared.events.system import ServiceStatusReported

from pfd_gateway.domain.system_status import StatusBoard

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def report(service: str = "svc", instance: str = "i1", request_id=None) -> ServiceStatusReported:
    return ServiceStatusReported(request_id=request_id, service=service, instance_id=instance, version="1", host="h",
                                 pid=1, started_at=T0, uptime_s=1, ready=True, dlq_count=0, handled_count=0)


def test_latest_report_per_instance_wins() -> None:
    board = StatusBoard(ttl_s=5)
    assert board.apply(report(), T0) is True
    assert board.apply(report(), T0 + timedelta(seconds=1)) is False
    board.apply(report(instance="i2"), T0)
    board.apply(report(service="alpha"), T0)
    assert [(s.report.service, s.report.instance_id) for s in board.snapshot()] == [
        ("alpha", "i1"), ("svc", "i1"), ("svc", "i2")]


def test_silent_instances_expire_after_the_ttl() -> None:
    board = StatusBoard(ttl_s=5)
    board.apply(report(instance="old"), T0)
    board.apply(report(instance="fresh"), T0 + timedelta(seconds=4))
    gone = board.expire(T0 + timedelta(seconds=6))
    assert [k.instance_id for k in gone] == ["old"]
    assert [s.report.instance_id for s in board.snapshot()] == ["fresh"]


def test_stopped_instances_are_removed_and_answers_are_matched_by_request() -> None:
    board = StatusBoard(ttl_s=5)
    request_id = uuid4()
    board.apply(report(instance="a", request_id=request_id), T0)
    board.apply(report(instance="b"), T0)
    assert [s.report.instance_id for s in board.answered(request_id)] == ["a"]
    assert board.remove("svc", "a") is True
    assert board.remove("svc", "a") is False
