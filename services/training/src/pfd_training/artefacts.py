"""Where a run's artefacts live (results/{experiment_id}/{run_id}/...) and how they are written and read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pfd_shared.storage import ObjectNotFound, ObjectStore
from pfd_shared.storage.keys import experiment_results_prefix, run_result_key
from pfd_shared.training import model_info

CHECKPOINT_FILE = "checkpoint.pt"
NEURAL_MODEL_FILE = "model.pt"
CLASSICAL_MODEL_FILE = "model.pkl"
HISTORY_FILE = "history.json"
EVALUATION_FILE = "evaluation.json"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class RunKeys:
    """The object keys of one run."""

    experiment_id: str
    run_id: str
    model_name: str

    def _key(self, name: str) -> str:
        return run_result_key(self.experiment_id, self.run_id, name)

    @property
    def checkpoint(self) -> str:
        return self._key(CHECKPOINT_FILE)

    @property
    def model(self) -> str:
        classical = model_info(self.model_name).family == "classical"
        return self._key(CLASSICAL_MODEL_FILE if classical else NEURAL_MODEL_FILE)

    @property
    def history(self) -> str:
        return self._key(HISTORY_FILE)

    @property
    def evaluation(self) -> str:
        return self._key(EVALUATION_FILE)

    @property
    def run_prefix(self) -> str:
        return self._key(CHECKPOINT_FILE).rsplit("/", 1)[0] + "/"


def put_json(store: ObjectStore, key: str, document: Any) -> None:
    store.put_bytes(key, json.dumps(document, sort_keys=True, allow_nan=False).encode(), content_type=JSON_TYPE)


def read_checkpoint(store: ObjectStore, key: str) -> bytes | None:
    """The last checkpoint, or None when the run never saved one."""
    try:
        return store.get_bytes(key)
    except ObjectNotFound:
        return None


def store_training_outputs(store: ObjectStore, keys: RunKeys, model_blob: bytes, history: list[dict[str, Any]],
                           metrics: dict[str, float]) -> dict[str, str]:
    """The trained model and its curves; returns the artefact keys by role (TrainingCompleted.artefacts)."""
    store.put_bytes(keys.model, model_blob)
    put_json(store, keys.history, {"epochs": history, "metrics": metrics})
    artefacts = {"model": keys.model, "history": keys.history}
    if store.exists(keys.checkpoint):
        artefacts["checkpoint"] = keys.checkpoint
    return artefacts


def remove_experiment(store: ObjectStore, experiment_id: str) -> int:
    """Delete every object of the experiment; returns how many were removed."""
    return store.delete_prefix(experiment_results_prefix(experiment_id))
