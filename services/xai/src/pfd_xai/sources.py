"""What a request names, looked up in xai's tables: a run's trained model (loaded through the model cache) and a
data set; UnknownInput when xai has never heard of it, MethodDoesNotApply when the two do not fit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.models import ModelSpec

from pfd_xai import catalog
from pfd_xai.domain import MethodDoesNotApply
from pfd_xai.models import LoadedModel, ModelCache

RATE_TOLERANCE = 1e-9
"""Relative difference of two sample rates that still counts as the same rate."""

Sessions = Callable[[], Any]


class UnknownInput(LookupError):
    """The request names a run or data set xai has never heard of."""


async def known_model(sessions: Sessions, models: ModelCache, run_id: str) -> LoadedModel:
    async with sessions() as session:
        model_key = await catalog.model_key_of(session, run_id)
    if model_key is None:
        raise UnknownInput(f"unknown model: run {run_id!r} has no trained model")
    return await asyncio.to_thread(models.get, model_key)


async def known_dataset(session: AsyncSession, dataset_id: str) -> dict[str, Any]:
    dataset = await catalog.dataset_of(session, dataset_id)
    if dataset is None:
        raise UnknownInput(f"unknown data set {dataset_id!r}")
    return dataset


def check_sample_rate(dataset: dict[str, Any], spec: ModelSpec) -> None:
    """MethodDoesNotApply when the data set is not sampled at the model's rate."""
    if abs(dataset["sample_rate_hz"] - spec.sample_rate_hz) > RATE_TOLERANCE * spec.sample_rate_hz:
        raise MethodDoesNotApply(f"the data set is sampled at {dataset['sample_rate_hz']:g} Hz, the model at "
                                 f"{spec.sample_rate_hz:g} Hz")
