"""Which frequency bands drove the decision: band occlusion in the FFT domain.

Each band (equal width, in Hz from the model's sample rate) is removed from the window's spectrum in turn; the
drop of the target-class probability is that band's attribution (negative: the class got *more* likely without
it). Chosen over IG aggregated on STFT bands because it is causal and model-agnostic (it measures the model's
answer to a real, filtered signal, needs no differentiable STFT path, and is one batched forward pass), and its
unit — probability — reads directly. Bands are computed on the raw window, so the model's own normalisation
sees the filtered signal exactly as it would in service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from pfd_shared.models import SignalClassifier
from pfd_shared.training.catalogue import Scalar
from pfd_shared.xai import resolve_params

from pfd_xai.domain.errors import MethodDoesNotApply
from pfd_xai.domain.target import probabilities

NYQUIST_DIVISOR = 2.0


@dataclass(frozen=True)
class BandAttribution:
    """Per band: edges in Hz and the target-probability drop when the band is removed."""

    target: int
    low_hz: np.ndarray
    high_hz: np.ndarray
    drop: np.ndarray
    base_probability: float

    def top(self, count: int) -> list[dict[str, float]]:
        """The ``count`` bands with the largest drop, largest first."""
        order = np.argsort(-self.drop, kind="stable")[:count]
        return [{"low_hz": float(self.low_hz[i]), "high_hz": float(self.high_hz[i]), "drop": float(self.drop[i])}
                for i in order]


def band_edges(sample_rate_hz: float, n_bands: int, max_hz: float = 0.0) -> np.ndarray:
    """``n_bands + 1`` equal-width edges from 0 Hz to ``max_hz`` (0 or above Nyquist: Nyquist)."""
    nyquist = sample_rate_hz / NYQUIST_DIVISOR
    top = nyquist if max_hz <= 0 or max_hz > nyquist else max_hz
    return np.linspace(0.0, top, n_bands + 1)


def band_occlusion(model: SignalClassifier, x: torch.Tensor, target: int, sample_rate_hz: float,
                   params: dict[str, Scalar] | None = None, *,
                   base_probability: float | None = None) -> BandAttribution:
    """Band attributions of the raw window ``x`` (1, channels, samples) for class ``target``; the target-class
    probability of ``x`` itself is computed in the same forward pass unless ``base_probability`` gives it."""
    resolved = resolve_params("band_occlusion", params)
    samples = x.shape[-1]
    freqs = np.fft.rfftfreq(samples, d=1.0 / sample_rate_hz)
    edges = band_edges(sample_rate_hz, int(resolved["n_bands"]), float(resolved["max_hz"]))
    if edges[1] - edges[0] < freqs[1]:
        raise MethodDoesNotApply(
            f"bands of {edges[1] - edges[0]:.3g} Hz are narrower than the window's frequency resolution "
            f"({freqs[1]:.3g} Hz): use fewer bands or a longer window"
        )
    spectrum = torch.fft.rfft(x, dim=-1)
    last = len(edges) - 2
    masks = [(freqs >= lo) & ((freqs < hi) if i < last else (freqs <= hi))
             for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:]))]
    keep = torch.as_tensor(~np.stack(masks), dtype=spectrum.real.dtype)  # (bands, bins)
    filtered = torch.fft.irfft(spectrum * keep.unsqueeze(1), n=samples, dim=-1)  # (bands, channels, samples)
    if base_probability is None:
        both = probabilities(model, torch.cat([x, filtered]))[:, target].double().numpy()
        base, removed = float(both[0]), both[1:]
    else:
        base, removed = base_probability, probabilities(model, filtered)[:, target].double().numpy()
    return BandAttribution(target=target, low_hz=edges[:-1], high_hz=edges[1:], drop=base - removed,
                           base_probability=base)
