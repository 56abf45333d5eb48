"""Trained models loaded from their artefacts, kept in a small LRU (artefacts of a run never change)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from torch import nn

from pfd_shared.models import InvalidArtefact, ModelSpec, is_classical_artefact, load_artefact
from pfd_shared.storage import ObjectStore

from pfd_xai.domain import MethodDoesNotApply
from pfd_xai.results import sha256


@dataclass(frozen=True)
class LoadedModel:
    model: nn.Module
    spec: ModelSpec
    sha256: str


class ModelCache:
    def __init__(self, store: ObjectStore, size: int) -> None:
        self.store, self.size = store, size
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_key: str) -> LoadedModel:
        """The model at ``model_key``; MethodDoesNotApply for classical artefacts, InvalidArtefact for others."""
        with self._lock:
            if model_key in self._models:
                self._models.move_to_end(model_key)
                return self._models[model_key]
        blob = self.store.get_bytes(model_key)
        if is_classical_artefact(blob):
            raise MethodDoesNotApply("this run trained a classical model on features: only neural signal models "
                                     "can be explained")
        model, spec = load_artefact(blob)
        loaded = LoadedModel(model=model, spec=spec, sha256=sha256(blob))
        with self._lock:
            self._models[model_key] = loaded
            while len(self._models) > self.size:
                self._models.popitem(last=False)
        return loaded


__all__ = ["InvalidArtefact", "LoadedModel", "ModelCache"]
