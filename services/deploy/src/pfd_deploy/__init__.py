"""PFD deploy: ONNX export of trained models, optimised and quantised variants, their measurement, the model
registry with aliases, and the ONNX Runtime inference core."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-deploy")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
