"""ONNX Runtime sessions cached per (model, version, variant, sha256): a bounded LRU, safe to use from any thread.

A miss loads the artefact from the object store and checks its SHA-256 before ONNX Runtime sees it; concurrent
misses of one key load it once. An artefact that is missing, corrupt or not a PFD model marks the version broken
in the registry (it is never served); an unreachable store does not (the next request tries again)."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor

from pfd_deploy.domain.errors import NotAPfdModel
from pfd_deploy.domain.inference import OnnxClassifier
from pfd_deploy.domain.runtime import ORT_ERRORS
from pfd_deploy.registry.reader import BrokenVersion, RegistryReader, ServedVersion
from pfd_deploy.serving.errors import ArtefactUnloadable, StoreUnavailable
from pfd_shared.storage import ObjectNotFound, ObjectStore, StorageError

SessionKey = tuple[str, int, str, str]


def session_key(served: ServedVersion) -> SessionKey:
    return served.model_name, served.version, served.variant, served.sha256


def load_classifier(store: ObjectStore, served: ServedVersion, threads: int) -> OnnxClassifier:
    """The version's variant on ONNX Runtime; ArtefactUnloadable (why) or StoreUnavailable."""
    what = f"{served.model_name} v{served.version} ({served.variant}, {served.object_key})"
    try:
        model = store.get_bytes(served.object_key)
    except ObjectNotFound as exc:
        raise ArtefactUnloadable(f"the artefact of {what} is missing from the object store") from exc
    except StorageError as exc:
        raise StoreUnavailable(f"the object store could not be read for {what}: {exc}") from exc
    digest = hashlib.sha256(model).hexdigest()
    if digest != served.sha256:
        raise ArtefactUnloadable(f"the artefact of {what} is corrupt: its SHA-256 is {digest}, the registry "
                                 f"recorded {served.sha256}")
    try:
        classifier = OnnxClassifier(model, threads=threads)
    except (NotAPfdModel, ValueError, *ORT_ERRORS) as exc:
        raise ArtefactUnloadable(f"ONNX Runtime cannot load {what}: {exc}") from exc
    spec = classifier.spec
    if tuple(spec.class_names) != tuple(served.class_names) or spec.window_length != served.window_length:
        raise ArtefactUnloadable(
            f"the artefact of {what} disagrees with the registry: classes {list(spec.class_names)} and window "
            f"{spec.window_length} in the model, {list(served.class_names)} and {served.window_length} registered")
    return classifier


class SessionCache:
    """At most ``size`` loaded versions, least recently used evicted first."""

    def __init__(self, store: ObjectStore, registry: RegistryReader, *, size: int, threads: int,
                 loader: Callable[[ObjectStore, ServedVersion, int], OnnxClassifier] = load_classifier) -> None:
        if size < 1:
            raise ValueError(f"the session cache needs room for at least one session, not {size}")
        self.store, self.registry, self.size, self.threads = store, registry, size, threads
        self._loader = loader
        self._sessions: OrderedDict[SessionKey, OnnxClassifier] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[SessionKey, threading.Lock] = {}
        self.loads = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def cached(self, key: SessionKey) -> OnnxClassifier | None:
        with self._lock:
            classifier = self._sessions.get(key)
            if classifier is not None:
                self._sessions.move_to_end(key)
            return classifier

    def load(self, served: ServedVersion) -> OnnxClassifier:
        """Blocking: the cached session or a freshly loaded one (one load per key however many threads ask)."""
        key = session_key(served)
        hit = self.cached(key)
        if hit is not None:
            return hit
        with self._lock:
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:
            hit = self.cached(key)
            if hit is not None:
                return hit
            try:
                classifier = self._loader(self.store, served, self.threads)
                self._remember(key, classifier)
                return classifier
            finally:
                with self._lock:
                    self._loading.pop(key, None)

    def _remember(self, key: SessionKey, classifier: OnnxClassifier) -> None:
        with self._lock:
            self.loads += 1
            self._sessions[key] = classifier
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.size:
                self._sessions.popitem(last=False)

    async def get(self, served: ServedVersion, executor: Executor | None = None) -> OnnxClassifier:
        """The session of ``served``; a version that cannot load is marked broken and BrokenVersion raised."""
        hit = self.cached(session_key(served))
        if hit is not None:
            return hit
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, self.load, served)
        except ArtefactUnloadable as exc:
            await self.registry.mark_broken(served.model_name, served.version, str(exc))
            raise BrokenVersion(f"{served.model_name} version {served.version} cannot be served: {exc}") from exc
