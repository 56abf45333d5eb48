"""The key layout of the object store (one place, so services agree on it)."""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def _part(value: str, what: str) -> str:
    if not _SAFE.match(value) or ".." in value:
        raise ValueError(f"{what} {value!r} is not a safe key part")
    return value


def dataset_key(dataset_id: str, name: str) -> str:
    return f"datasets/{_part(dataset_id, 'dataset id')}/{_part(name, 'file name')}"


def projection_key(dataset_object_key: str, projection_id: str, suffix: str) -> str:
    """A projection result beside the data-set object it projects: ``datasets/{id}/projections/{hash}.{suffix}``
    (so deleting the object's data set removes its projections too)."""
    folder, _, _ = dataset_object_key.rpartition("/")
    if not folder.startswith("datasets/"):
        raise ValueError(f"{dataset_object_key!r} is not a data-set object key")
    return f"{folder}/projections/{_part(f'{projection_id}.{suffix}', 'projection file')}"


def model_key(experiment_id: str, name: str) -> str:
    return f"models/{_part(experiment_id, 'experiment id')}/{_part(name, 'file name')}"


def model_version_prefix(model_name: str, version: int) -> str:
    """Every artefact of a registered model version lies under this prefix (deploy's registry)."""
    return f"models/{_part(model_name, 'model name')}/{int(version)}/"


def model_variant_key(model_name: str, version: int, variant: str) -> str:
    """The ONNX file of one variant of a registered model version: ``models/{name}/{version}/{variant}.onnx``."""
    return f"{model_version_prefix(model_name, version)}{_part(variant, 'variant')}.onnx"


def result_key(experiment_id: str, name: str) -> str:
    return f"results/{_part(experiment_id, 'experiment id')}/{_part(name, 'file name')}"


def run_result_key(experiment_id: str, run_id: str, name: str) -> str:
    """An artefact of one run of an experiment (checkpoint, model, history, evaluation report)."""
    return f"{experiment_results_prefix(experiment_id)}{_part(run_id, 'run id')}/{_part(name, 'file name')}"


def experiment_results_prefix(experiment_id: str) -> str:
    """Every artefact of an experiment lies under this prefix."""
    return f"results/{_part(experiment_id, 'experiment id')}/"


def upload_key(user_id: str, name: str) -> str:
    return f"uploads/{_part(user_id, 'user id')}/{_part(name, 'file name')}"
