"""A batch prediction's results CSV (record[, split, true_class], predicted_class, windows, p_<class>..., error)
and its summary (counts per predicted class, failed rows; accuracy overall and per split when classes are known)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from typing import Any

from pfd_deploy.domain.errors import InvalidSignal
from pfd_deploy.domain.inference import OnnxClassifier
from pfd_deploy.serving.batch_sources import SignalRow
from pfd_deploy.serving.predictor import run_prediction

TEXT_ENCODING = "utf-8"
PROBABILITY_DIGITS = 6


class ResultsWriter:
    """Predicts rows and writes their results to a spooled CSV; blocking (run it on a worker thread)."""

    def __init__(self, classifier: OnnxClassifier, sample_rate_hz: float, *, labelled: bool,
                 memory_bytes: int) -> None:
        self.classifier, self.sample_rate_hz, self.labelled = classifier, sample_rate_hz, labelled
        self.class_names = tuple(classifier.spec.class_names)
        self.file = tempfile.SpooledTemporaryFile(max_size=memory_bytes)
        self._text = io.TextIOWrapper(self.file, encoding=TEXT_ENCODING, newline="", write_through=True)
        self._csv = csv.writer(self._text)
        head = ["record", *(("split", "true_class") if labelled else ()), "predicted_class", "windows"]
        self._csv.writerow([*head, *(f"p_{name}" for name in self.class_names), "error"])
        self.rows = 0
        self.counts: Counter[str] = Counter()
        self.failed = 0
        self.unscored = 0  # rows whose true class the model does not know
        self._scored: Counter[tuple[str, bool]] = Counter()  # (split or "", correct) -> rows

    def add(self, rows: list[SignalRow]) -> None:
        for row in rows:
            self._add(row)

    def _add(self, row: SignalRow) -> None:
        labels = [row.split or "", row.true_class or ""] if self.labelled else []
        error = row.error
        if error is None and row.signal is not None:
            try:
                result = run_prediction(self.classifier, row.signal, self.sample_rate_hz)
            except InvalidSignal as exc:
                error = str(exc)
            else:
                probabilities = [round(result.probabilities[name], PROBABILITY_DIGITS) for name in self.class_names]
                self._csv.writerow([row.record, *labels, result.predicted_class, result.windows, *probabilities, ""])
                self.counts[result.predicted_class] += 1
                if row.true_class is not None and row.true_class not in self.class_names:
                    self.unscored += 1
                elif row.true_class is not None:
                    self._scored[(row.split or "", result.predicted_class == row.true_class)] += 1
                self.rows += 1
                return
        self._csv.writerow([row.record, *labels, "", 0, *([""] * len(self.class_names)), error])
        self.failed += 1
        self.rows += 1

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {"counts": dict(sorted(self.counts.items())), "predicted": sum(self.counts.values()),
                                   "failed": self.failed}
        if self.labelled:
            summary["accuracy"] = _accuracy(self._scored, None)
            splits = sorted({split for split, _ in self._scored if split})
            summary["accuracy_by_split"] = {split: _accuracy(self._scored, split) for split in splits}
            if self.unscored:
                summary["note"] = (f"{self.unscored} records have a true class the model does not know "
                                   f"({list(self.class_names)}): they are not scored")
        return summary

    def finish(self) -> int:
        """Rewinds the CSV for upload; its size in bytes."""
        self._text.flush()
        size = self.file.tell()
        self.file.seek(0)
        return size

    def close(self) -> None:
        self._text.close()


def _accuracy(scored: Counter[tuple[str, bool]], split: str | None) -> float | None:
    right = sum(n for (s, correct), n in scored.items() if correct and (split is None or s == split))
    total = sum(n for (s, _), n in scored.items() if split is None or s == split)
    return right / total if total else None
