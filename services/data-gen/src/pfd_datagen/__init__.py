"""PFD data-gen service: synthetic generation, real-data import, features, splits, HDF5 data sets."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-datagen")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
