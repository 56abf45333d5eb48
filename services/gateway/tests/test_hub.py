"""The WebSocket hub fans frames out without blocking and bounds each client's queue."""

import json

from pfd_gateway.live.hub import LiveHub


def test_frames_reach_every_client_once_serialized() -> None:
    hub = LiveHub(queue_size=10)
    a, b = hub.subscribe(), hub.subscribe()
    hub.publish("system.status_reported", {"service": "x"})
    assert json.loads(a.queue.get_nowait()) == {"type": "system.status_reported", "data": {"service": "x"}}
    assert b.queue.qsize() == 1


def test_owned_frames_reach_only_their_owner() -> None:
    hub = LiveHub(queue_size=10)
    alice, bob = hub.subscribe(owner="alice"), hub.subscribe(owner="bob")
    hub.publish("dataset.ready", {"id": 1}, owner="alice")
    assert alice.queue.qsize() == 1 and bob.queue.qsize() == 0


def test_a_slow_client_loses_its_oldest_frames_not_the_others() -> None:
    hub = LiveHub(queue_size=10)
    slow = hub.subscribe()
    for index in range(15):
        hub.publish("t", index)
    assert slow.dropped == 5
    assert json.loads(slow.queue.get_nowait())["data"] == 5
    hub.unsubscribe(slow)
    assert hub.client_count == 0
