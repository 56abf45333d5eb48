"""The synthetic-data generation config (pure pydantic): validated by the gateway, executed by data-gen."""

from pfd_shared.generation.config import FeatureConfig, GenerationConfig, balanced_v2, classic, preset, quick

__all__ = ["FeatureConfig", "GenerationConfig", "balanced_v2", "classic", "preset", "quick"]
