"""Per-record, per-component random streams from numpy SeedSequence spawn keys."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Independent random stream of one model component inside a record."""

    OPERATING = 0
    TRANSIENT = 1
    SEVERITY = 2
    BASELINE = 3
    FAULT = 4
    AUGMENT = 5
    MEASUREMENT = 10
    MAINS = 11
    PINK = 12
    SLOW_DRIFT = 13
    QUANTISATION = 14
    SENSOR_DRIFT = 15
    ALIASING = 16
    IMPULSE = 17
    SNR = 20


def stream(seed: int, index: int, component: Stream) -> np.random.Generator:
    """Generator for (seed, record index, component): equal to spawning child `index` then `component`.

    Streams depend only on these three keys, never on generation order or worker count, and
    never on other config fields, so switching one layer off leaves every other draw unchanged.
    """
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(int(index), int(component)))
    return np.random.Generator(np.random.PCG64(ss))
