"""Pure training core: windows, the one training loop with plugins, classical baselines, evaluation.

numpy / torch / scikit-learn only — no web, broker, database or file-format framework; the worker feeds it a
``TrainingData`` and ``TrainingHooks`` and stores what it returns.
"""

from pfd_training.domain.data import InvalidTrainingData, TrainingData
from pfd_training.domain.evaluation import EvaluationReport, evaluate
from pfd_training.domain.hooks import EpochReport, NullHooks, StartInfo, TrainingHooks
from pfd_training.domain.runner import TrainingResult, run_training

__all__ = [
    "EpochReport",
    "EvaluationReport",
    "InvalidTrainingData",
    "NullHooks",
    "StartInfo",
    "TrainingData",
    "TrainingHooks",
    "TrainingResult",
    "evaluate",
    "run_training",
]
