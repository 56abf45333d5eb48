"""Pure domain core of the data-gen service: physics model, features, splits (numpy/scipy only)."""

from pfd_shared.generation.config import FeatureConfig, GenerationConfig, balanced_v2, classic, preset, quick
from .dataset import Dataset, generate_batch, generate_dataset
from .features import FEATURE_NAMES, compute_features
from .record import Record, RecordMeta, generate_record
from .rolling import characteristic_frequencies
from .snr import ROBUSTNESS_SNR_DB, add_noise_snr
from .splits import Splits, recording_split, stratified_split, time_block_split
from .windows import Windows, compute_window_features, window_features, window_samples

__all__ = [
    "FEATURE_NAMES",
    "ROBUSTNESS_SNR_DB",
    "Dataset",
    "FeatureConfig",
    "GenerationConfig",
    "Record",
    "RecordMeta",
    "Splits",
    "add_noise_snr",
    "balanced_v2",
    "characteristic_frequencies",
    "classic",
    "compute_features",
    "compute_window_features",
    "generate_batch",
    "generate_dataset",
    "generate_record",
    "preset",
    "quick",
    "recording_split",
    "stratified_split",
    "time_block_split",
    "Windows",
    "window_features",
    "window_samples",
]
