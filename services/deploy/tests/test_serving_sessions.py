"""SessionCache: LRU bounded by size, one load per key however many threads ask, reuse across requests, and a
load failure marks the version broken (an unreachable store does not)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pfd_deploy.registry.reader import BrokenVersion, ServedVersion
from pfd_deploy.serving.errors import ArtefactUnloadable, StoreUnavailable
from pfd_deploy.serving.fakes import InMemoryRegistry
from pfd_deploy.serving.sessions import SessionCache, session_key
from pfd_shared.storage import InMemoryObjectStore

THREADS = 8


def served(version: int, sha: str = "a" * 64) -> ServedVersion:
    return ServedVersion(model_name="m", version=version, alias=None, owner_id="o", variant="fp32",
                         object_key=f"models/m/{version}/fp32.onnx", sha256=sha, class_names=("x", "y"),
                         window_length=4, sample_rate_hz=1.0)


class CountingLoader:
    def __init__(self, gate: threading.Event | None = None, error: Exception | None = None) -> None:
        self.calls: list[int] = []
        self.gate, self.error = gate, error

    def __call__(self, store, version: ServedVersion, threads: int) -> object:
        self.calls.append(version.version)
        if self.gate is not None:
            self.gate.wait(timeout=30)
        if self.error is not None:
            raise self.error
        return object()


def cache(loader: CountingLoader, size: int = 2, registry: InMemoryRegistry | None = None) -> SessionCache:
    return SessionCache(InMemoryObjectStore(), registry or InMemoryRegistry(), size=size, threads=1, loader=loader)


def test_the_least_recently_used_session_is_evicted() -> None:
    loader = CountingLoader()
    sessions = cache(loader, size=2)
    first = sessions.load(served(1))
    sessions.load(served(2))
    assert sessions.load(served(1)) is first  # 1 is now the most recent
    sessions.load(served(3))  # evicts 2
    assert sessions.cached(session_key(served(2))) is None and sessions.cached(session_key(served(1))) is first
    assert len(sessions) == 2 and loader.calls == [1, 2, 3]


def test_a_new_artefact_of_a_version_is_another_session() -> None:
    loader = CountingLoader()
    sessions = cache(loader)
    assert sessions.load(served(1)) is not sessions.load(served(1, sha="b" * 64))
    assert loader.calls == [1, 1]


def test_concurrent_misses_load_once() -> None:
    gate = threading.Event()
    loader = CountingLoader(gate)
    sessions = cache(loader)
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(sessions.load, served(1)) for _ in range(THREADS)]
        gate.set()
        results = {id(future.result(timeout=30)) for future in futures}
    assert len(results) == 1 and loader.calls == [1] and sessions.loads == 1


def test_an_unloadable_artefact_marks_the_version_broken() -> None:
    registry = InMemoryRegistry()
    registry.add(served(1))
    sessions = cache(CountingLoader(error=ArtefactUnloadable("corrupt: its SHA-256 is 0")), registry=registry)
    with pytest.raises(BrokenVersion, match="corrupt"):
        asyncio.run(sessions.get(served(1)))
    assert registry.broken == {("m", 1): "corrupt: its SHA-256 is 0"} and len(sessions) == 0


def test_an_unreachable_store_marks_nothing() -> None:
    registry = InMemoryRegistry()
    registry.add(served(1))
    sessions = cache(CountingLoader(error=StoreUnavailable("down")), registry=registry)
    with pytest.raises(StoreUnavailable):
        asyncio.run(sessions.get(served(1)))
    assert registry.broken == {}


def test_a_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="at least one"):
        cache(CountingLoader(), size=0)
