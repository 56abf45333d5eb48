"""Shared fixtures: short, optionally noise-free configs built from nested overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy.signal import welch

from pfd_shared.generation.config import GenerationConfig
from pfd_datagen.domain.noise import LAYERS


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def build(over: dict[str, Any] | None = None, *, duration: float = 2.0, clean: bool = False) -> GenerationConfig:
    """Config with short records; `clean` switches every noise layer and transient off."""
    base: dict[str, Any] = {"record": {"duration_s": duration}}
    if clean:
        base["noise"] = {name: {"enabled": False} for name in LAYERS}
        base["transients"] = {"probability": 0.0}
    return GenerationConfig.model_validate(_merge(GenerationConfig().model_dump(), _merge(base, over or {})))


@pytest.fixture
def make_cfg() -> Callable[..., GenerationConfig]:
    return build


@pytest.fixture
def psd() -> Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]]:
    """Hann periodogram over the whole record (fine resolution for band checks)."""
    return lambda x, fs: welch(x, fs=fs, nperseg=x.shape[-1])
