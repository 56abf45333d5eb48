"""What a signature or noise layer needs to draw one record's component."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pfd_shared.generation.config import GenerationConfig
from .operating import OperatingState
from .severity import SeverityState


@dataclass(frozen=True)
class Context:
    """Config, operating point and severity of one record."""

    cfg: GenerationConfig
    op: OperatingState
    sev: SeverityState

    @property
    def n(self) -> int:
        return self.op.t.shape[0]

    @property
    def fs(self) -> float:
        return self.op.fs

    @property
    def t(self) -> np.ndarray:
        return self.op.t
