"""PFD xai service: explanations of trained models' decisions on vibration windows (captum attributions,
Grad-CAM, frequency bands, sanity checks)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-xai")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
