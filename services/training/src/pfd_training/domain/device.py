"""Where a run computes: CPU (deterministic) or CUDA with optional mixed precision; torch's thread count."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run with ``threads`` intra-op threads, restoring the previous count afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Precision:
    """Autocast + gradient scaling on CUDA when mixed precision is asked for; plain float32 otherwise."""

    def __init__(self, device: torch.device, mixed: bool) -> None:
        self.enabled = bool(mixed) and device.type == "cuda"
        self.device = device
        self.scaler = torch.amp.GradScaler("cuda") if self.enabled else None

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=torch.float16)

    def backward(self, loss: torch.Tensor, optimiser: torch.optim.Optimizer) -> None:
        """Backward pass; gradients are unscaled afterwards so clipping sees true norms."""
        if self.scaler is None:
            loss.backward()
            return
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(optimiser)

    def step(self, optimiser: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            optimiser.step()
            return
        self.scaler.step(optimiser)
        self.scaler.update()

    def state_dict(self) -> dict[str, Any] | None:
        return None if self.scaler is None else self.scaler.state_dict()

    def load_state_dict(self, state: dict[str, Any] | None) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)
