"""The xai core: captum attributions, Grad-CAM, frequency bands, sanity checks and embeddings (torch, captum,
numpy only — no web, broker or database framework)."""

from pfd_xai.domain.attributions import TimeAttribution, attribute, time_methods
from pfd_xai.domain.bands import BandAttribution, band_edges, band_occlusion
from pfd_xai.domain.embedding import AlignedClasses, WindowEmbedding, align_classes, classifier_head, embed_windows
from pfd_xai.domain.errors import (
    EmbeddingImpossible,
    ExplanationCancelled,
    MethodDoesNotApply,
    ParameterOutOfRange,
    UnknownMethod,
)
from pfd_xai.domain.explain import ExplainOptions, Explanation, check_request, explain_window
from pfd_xai.domain.projection import Projection2d, project_2d, projection_methods, umap_available
from pfd_xai.domain.sampling import WindowSample, class_quotas, sample_windows, windows_per_record
from pfd_xai.domain.sanity import Completeness, RandomisationCheck, completeness, randomisation_check, spearman

__all__ = [
    "AlignedClasses", "BandAttribution", "Completeness", "EmbeddingImpossible", "ExplainOptions", "Explanation",
    "ExplanationCancelled", "MethodDoesNotApply", "ParameterOutOfRange", "Projection2d", "RandomisationCheck",
    "TimeAttribution", "UnknownMethod", "WindowEmbedding", "WindowSample", "align_classes", "attribute",
    "band_edges", "band_occlusion", "check_request", "class_quotas", "classifier_head", "completeness",
    "embed_windows", "explain_window", "project_2d", "projection_methods", "randomisation_check",
    "sample_windows", "spearman", "time_methods", "umap_available", "windows_per_record",
]
