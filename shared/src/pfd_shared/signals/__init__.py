"""Signal preparation shared by data-gen's import and deploy's inference (extra ``signals``: numpy, scipy):
resampling to a model's or data set's rate, cutting records and sliding windows — ONE implementation, so a
signal is prepared for prediction exactly as it was for training."""

from pfd_shared.signals.resample import MAX_RATIO_DENOMINATOR, cut_records, resample
from pfd_shared.signals.windows import sliding_windows, windows_per_record

__all__ = ["MAX_RATIO_DENOMINATOR", "cut_records", "resample", "sliding_windows", "windows_per_record"]
