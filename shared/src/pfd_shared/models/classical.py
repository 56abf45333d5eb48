"""Classical baselines on the per-record features: registered builders of scikit-learn estimators.

Both support ``warm_start``, so a fit can grow in stages (progress, cancellation between stages) and end
exactly where a single fit of the full size would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

from pfd_shared.training.catalogue import ModelDoesNotFit, Scalar, model_info

Builder = Callable[[dict[str, Scalar], int, int], Any]
_CLASSICAL: dict[str, Builder] = {}
_SIZE_PARAM: dict[str, str] = {}


def register_classical(name: str, size_param: str) -> Callable[[Builder], Builder]:
    """Register ``builder(params, seed, threads)``; ``size_param`` counts the stages (trees, iterations)."""

    def decorate(builder: Builder) -> Builder:
        _CLASSICAL[name] = builder
        _SIZE_PARAM[name] = size_param
        return builder

    return decorate


def registered_classical() -> tuple[str, ...]:
    return tuple(sorted(_CLASSICAL))


def size_param(name: str) -> str:
    """The parameter that grows with warm starts (n_estimators, max_iter)."""
    return _SIZE_PARAM[name]


def build_classical(name: str, params: dict[str, Scalar], seed: int, threads: int = 1) -> Any:
    """An unfitted estimator with ``warm_start`` on; ModelDoesNotFit for unknown or non-classical names."""
    info = model_info(name)
    if name not in _CLASSICAL:
        raise ModelDoesNotFit(f"model {name!r} ({info.family}) is not a classical model")
    return _CLASSICAL[name](params, seed, threads)


@register_classical("random_forest", size_param="n_estimators")
def _random_forest(params: dict[str, Scalar], seed: int, threads: int) -> RandomForestClassifier:
    return RandomForestClassifier(
        n_estimators=int(params["n_estimators"]), max_depth=int(params["max_depth"]), random_state=seed,
        n_jobs=threads, warm_start=True,
    )


@register_classical("gradient_boosting", size_param="max_iter")
def _gradient_boosting(params: dict[str, Scalar], seed: int, threads: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=int(params["max_iter"]), learning_rate=float(params["learning_rate"]),
        max_depth=int(params["max_depth"]), random_state=seed, early_stopping=False, warm_start=True,
    )
