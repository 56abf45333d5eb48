"""The deploy core's specific exceptions: each message says what is wrong and with which figures."""

from __future__ import annotations


class ExportParityError(RuntimeError):
    """The ONNX graph does not reproduce the PyTorch model on the check windows."""

    def __init__(self, model: str, max_abs_diff: float, agreement: float, tolerance: float,
                 min_agreement: float, windows: int) -> None:
        super().__init__(
            f"ONNX export of {model!r} fails the parity check on {windows} windows: max |logit difference| "
            f"{max_abs_diff:.3g} (tolerance {tolerance:.3g}), argmax agreement {agreement:.4%} "
            f"(needs >= {min_agreement:.4%})"
        )
        self.max_abs_diff = max_abs_diff
        self.agreement = agreement


class NotAPfdModel(ValueError):
    """ONNX bytes that do not carry a PFD model spec (not exported by pfd_deploy)."""


class VariantError(RuntimeError):
    """A model variant (optimised, quantised, FP16) could not be built."""


class InvalidSignal(ValueError):
    """A signal given for prediction cannot be classified (base of the specific cases below)."""


class EmptySignal(InvalidSignal):
    """The signal has no samples."""


class NonFiniteSignal(InvalidSignal):
    """The signal contains NaN or infinite samples."""


class SignalTooShort(InvalidSignal):
    """After resampling, the signal is shorter than one model window."""


class WrongDimensionality(InvalidSignal):
    """The signal is not one channel of samples (1-D, or (channels, samples) matching the model)."""
