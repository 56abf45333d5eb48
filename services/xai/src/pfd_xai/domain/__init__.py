"""The xai core: captum attributions, Grad-CAM, frequency bands, sanity checks and embeddings (torch, captum,
numpy only — no web, broker or database framework)."""

from pfd_xai.domain.attributions import TimeAttribution, attribute, time_methods
from pfd_xai.domain.bands import BandAttribution, band_edges, band_occlusion
from pfd_xai.domain.embedding import Embedding2d, embed_windows, pca_2d
from pfd_xai.domain.errors import ExplanationCancelled, MethodDoesNotApply, ParameterOutOfRange, UnknownMethod
from pfd_xai.domain.explain import ExplainOptions, Explanation, check_request, explain_window
from pfd_xai.domain.sanity import Completeness, RandomisationCheck, completeness, randomisation_check, spearman

__all__ = [
    "BandAttribution", "Completeness", "Embedding2d", "ExplainOptions", "Explanation", "ExplanationCancelled",
    "MethodDoesNotApply", "ParameterOutOfRange", "RandomisationCheck", "TimeAttribution", "UnknownMethod",
    "attribute", "band_edges", "band_occlusion", "check_request", "completeness", "embed_windows",
    "explain_window", "pca_2d", "randomisation_check", "spearman", "time_methods",
]
