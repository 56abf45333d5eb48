"""Typed, validated, frozen generation config, its presets and its stable hash."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from pfd_shared.generation.classes import BearingType, class_names
from pfd_shared.generation.sections import (
    AugmentationConfig,
    BaselineConfig,
    DatasetConfig,
    FaultConfig,
    NoiseConfig,
    OperatingConfig,
    Range,
    RecordConfig,
    RollingElementConfig,
    Section,
    SeverityConfig,
    SeverityLevel,
    TransientConfig,
)

SEVERITY_LEVELS: tuple[SeverityLevel, ...] = ("incipient", "mild", "moderate", "severe")
NOMINAL = "nominal"


class GenerationConfig(Section):
    """Everything that defines a synthetic data set (the seed is passed separately)."""

    bearing: BearingType = "journal"
    record: RecordConfig = RecordConfig()
    operating: OperatingConfig = OperatingConfig()
    baseline: BaselineConfig = BaselineConfig()
    severity: SeverityConfig = SeverityConfig()
    transients: TransientConfig = TransientConfig()
    faults: FaultConfig = FaultConfig()
    noise: NoiseConfig = NoiseConfig()
    augmentation: AugmentationConfig = AugmentationConfig()
    rolling: RollingElementConfig = RollingElementConfig()
    dataset: DatasetConfig = DatasetConfig()
    allow_subsync_overlap: bool = False

    @model_validator(mode="after")
    def _check(self) -> GenerationConfig:
        n_cls = len(class_names(self.bearing))
        classes = self.class_ids
        if len(set(classes)) != len(classes):
            raise ValueError(f"dataset.classes has duplicates: {classes}")
        bad = [c for c in classes if c >= n_cls]
        if bad:
            raise ValueError(f"dataset.classes {bad} out of range for bearing={self.bearing!r} ({n_cls} classes)")
        if self.dataset.balanced_severity and self.dataset.records_per_class % len(SEVERITY_LEVELS):
            raise ValueError(
                f"dataset.records_per_class={self.dataset.records_per_class} must be a multiple of "
                f"{len(SEVERITY_LEVELS)} when dataset.balanced_severity is set"
            )
        missing = set(SEVERITY_LEVELS) - set(self.severity.bands)
        if missing:
            raise ValueError(f"severity.bands is missing levels {sorted(missing)}")
        f_max, source = self.highest_modelled_frequency()
        fs = self.record.sample_rate_hz
        if fs <= 2.0 * f_max:
            raise ValueError(
                f"record.sample_rate_hz={fs:g} must exceed twice the highest modelled frequency "
                f"({f_max:g} Hz from {source})"
            )
        if not self.allow_subsync_overlap:
            lo, hi = self.faults.looseness.sub_ratio
            wlo, whi = self.faults.whirl.ratio
            if lo <= whi and wlo <= hi:
                raise ValueError(
                    f"faults.looseness.sub_ratio {lo, hi} overlaps faults.whirl.ratio {wlo, whi}; "
                    "separate them or set allow_subsync_overlap"
                )
        return self

    def highest_modelled_frequency(self) -> tuple[float, str]:
        """Highest frequency any enabled model component puts in the signal, with its field."""
        op, f, tr = self.operating, self.faults, self.transients
        ramp = tr.speed_ramp[1] if "speed_ramp" in tr.kinds and tr.probability > 0 else 1.0
        max_speed = op.nominal_speed_hz * (1.0 + op.speed_tolerance) * max(ramp, 1.0)
        cands = [
            (3.0 * max_speed, "operating.nominal_speed_hz (3X harmonic)"),
            (max(self.noise.mains.freqs_hz), "noise.mains.freqs_hz"),
        ]
        if self.bearing == "journal":
            cands += [
                (f.cavitation.bursts.freq_hz[1], "faults.cavitation.bursts.freq_hz"),
                (f.combos.cav_loose_bursts.freq_hz[1], "faults.combos.cav_loose_bursts.freq_hz"),
                (f.lubrication.impacts.freq_hz[1], "faults.lubrication.impacts.freq_hz"),
                (f.combos.wear_lube_impacts.freq_hz[1], "faults.combos.wear_lube_impacts.freq_hz"),
            ]
        else:
            cands.append((self.rolling.resonance_hz[1], "rolling.resonance_hz"))
        return max(cands, key=lambda c: c[0])

    @property
    def class_ids(self) -> tuple[int, ...]:
        """Class ids generated, in record-index order."""
        if self.dataset.classes is None:
            return tuple(range(len(class_names(self.bearing))))
        return self.dataset.classes

    @property
    def n_samples(self) -> int:
        return self.record.n_samples

    @property
    def augmented_per_class(self) -> int:
        return int(round(self.augmentation.fraction * self.dataset.records_per_class))

    @property
    def n_records(self) -> int:
        per_class = self.dataset.records_per_class + self.augmented_per_class
        return len(self.class_ids) * per_class

    def canonical_json(self) -> str:
        """Canonical JSON (sorted keys, no whitespace) of the full config."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def config_hash(self) -> str:
        """Stable sha256 of the canonical JSON: the cache key of a generated data set."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


class FeatureConfig(Section):
    """Parameters of the 36-feature extractor."""

    psd_bin_hz: PositiveFloat = 2.5
    band_edges_hz: tuple[Range, ...] = ((0.0, 500.0), (500.0, 2000.0), (2000.0, 5000.0), (5000.0, 10000.0))
    harmonic_tolerance: Annotated[float, Field(gt=0.0, lt=0.5)] = 0.05
    modulation_band_hz: Range = (0.5, 1000.0)
    wavelet_level: PositiveInt = 5
    cepstrum_quefrency_s: Range = (0.002, 0.5)
    bispectrum_nperseg: PositiveInt = 2048
    bispectrum_max_hz: PositiveFloat = 640.0
    window_s: PositiveFloat = 1.0
    chunk_records: PositiveInt = 8
    eps: PositiveFloat = 1e-12


def classic() -> GenerationConfig:
    """The predecessor's 1,430-record set: 11 classes x (100 + 30 % augmentation)."""
    return GenerationConfig()


def balanced_v2() -> GenerationConfig:
    """3,520 records: 320 per class, exactly 80 per severity level, no augmentation."""
    return GenerationConfig(
        dataset=DatasetConfig(records_per_class=320, balanced_severity=True),
        augmentation=AugmentationConfig(fraction=0.0),
    )


def quick() -> GenerationConfig:
    """110 records (10 per class, no augmentation) for smoke runs."""
    return GenerationConfig(
        dataset=DatasetConfig(records_per_class=10),
        augmentation=AugmentationConfig(fraction=0.0),
    )


PRESETS = {"classic": classic, "balanced_v2": balanced_v2, "quick": quick}


def preset(name: str) -> GenerationConfig:
    """A named preset config (classic, balanced_v2, quick)."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}") from None
