"""The explanation contract, torch-free: which methods exist, their parameters and admissible ranges."""

from pfd_shared.xai.methods import (
    METHOD_CATALOGUE,
    MethodInfo,
    ParameterOutOfRange,
    UnknownMethod,
    method_info,
    resolve_params,
)

__all__ = ["METHOD_CATALOGUE", "MethodInfo", "ParameterOutOfRange", "UnknownMethod", "method_info", "resolve_params"]
