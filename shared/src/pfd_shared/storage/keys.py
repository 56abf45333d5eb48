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


def model_key(experiment_id: str, name: str) -> str:
    return f"models/{_part(experiment_id, 'experiment id')}/{_part(name, 'file name')}"


def result_key(experiment_id: str, name: str) -> str:
    return f"results/{_part(experiment_id, 'experiment id')}/{_part(name, 'file name')}"


def upload_key(user_id: str, name: str) -> str:
    return f"uploads/{_part(user_id, 'user id')}/{_part(name, 'file name')}"
