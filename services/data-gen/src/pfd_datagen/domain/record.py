"""One record: operating point, severity, baseline, class signature, noise layers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .augment import augment
from pfd_shared.generation.classes import class_names
from pfd_shared.generation.config import GenerationConfig
from .context import Context
from .faults import JOURNAL_SIGNATURES, Signature
from .layout import plan
from .noise import apply_noise
from .operating import draw_state
from .rng import Stream, stream
from .rolling import ROLLING_SIGNATURES
from .severity import SeverityState, draw_severity, level_for


@dataclass(frozen=True)
class RecordMeta:
    """Labels and operating conditions of one record."""

    index: int
    source_index: int
    class_id: int
    class_name: str
    augmented: bool
    severity_level: str
    severity: float
    severity_initial: float
    severity_final: float
    progressing: bool
    speed_hz: float
    load: float
    temperature_c: float
    transient: str
    mains_hz: float
    alias_hz: float


@dataclass(frozen=True)
class Record:
    """A float32 signal with its metadata."""

    signal: np.ndarray
    meta: RecordMeta


def signatures(cfg: GenerationConfig) -> dict[int, Signature]:
    """Class id -> signature for the configured bearing model (healthy has none)."""
    return JOURNAL_SIGNATURES if cfg.bearing == "journal" else ROLLING_SIGNATURES


def synthesize(
    cfg: GenerationConfig,
    seed: int,
    index: int,
    class_id: int,
    position: int = 0,
    severity: SeverityState | None = None,
    components: dict[str, np.ndarray] | None = None,
) -> Record:
    """Base (non-augmented) record of a class from the streams of (seed, index).

    `severity` overrides the drawn severity; `components` (if given) receives every additive part.
    """
    rec = cfg.record
    op = draw_state(
        cfg.operating, rec, cfg.transients, stream(seed, index, Stream.OPERATING), stream(seed, index, Stream.TRANSIENT)
    )
    rng_sev = stream(seed, index, Stream.SEVERITY)
    level = level_for(class_id, position, cfg.dataset.balanced_severity, rng_sev)
    sev = severity or draw_severity(cfg.severity, level, op.t, rec.duration_s, rng_sev)
    ctx = Context(cfg, op, sev)
    rng_b = stream(seed, index, Stream.BASELINE)
    scale = cfg.baseline.amplitude * rng_b.uniform(*cfg.baseline.scale_range)
    x = scale * op.operating_factor * rng_b.standard_normal(ctx.n)
    if components is not None:
        components["baseline"] = x.copy()
    sig = signatures(cfg).get(class_id)
    if sig is not None:
        fault = sig(ctx, stream(seed, index, Stream.FAULT))
        x += fault
        if components is not None:
            components["fault"] = fault
    x, info = apply_noise(x, ctx, seed, index, components)
    meta = RecordMeta(
        index=index,
        source_index=index,
        class_id=class_id,
        class_name=class_names(cfg.bearing)[class_id],
        augmented=False,
        severity_level=sev.level,
        severity=sev.mean,
        severity_initial=sev.initial,
        severity_final=sev.final,
        progressing=sev.progressing,
        speed_hz=op.mean_speed_hz,
        load=op.load,
        temperature_c=op.mean_temperature_c,
        transient=op.transient,
        mains_hz=float(info["mains_hz"]),
        alias_hz=float(info["alias_hz"]),
    )
    return Record(x.astype(np.float32), meta)


def augmented_copy(cfg: GenerationConfig, seed: int, index: int, source: Record) -> Record:
    """Augmented record `index` derived from its float32 source record."""
    signal = augment(cfg.augmentation, source.signal, seed, index)
    return Record(signal, dataclasses.replace(source.meta, index=index, augmented=True))


def generate_record(cfg: GenerationConfig, index: int, seed: int = 0) -> Record:
    """Record `index` of the data set, reproducible from (config hash, seed, index) alone."""
    p = plan(cfg, index)
    base = synthesize(cfg, seed, p.source_index, p.class_id, p.position)
    return augmented_copy(cfg, seed, index, base) if p.augmented else base
