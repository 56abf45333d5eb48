"""Record-index layout of a data set: class blocks of base records then augmented copies."""

from __future__ import annotations

from dataclasses import dataclass

from pfd_shared.generation.config import GenerationConfig


@dataclass(frozen=True)
class RecordPlan:
    """Where a record index sits: its class, rank inside the class and augmentation source."""

    index: int
    class_id: int
    position: int
    source_index: int
    augmented: bool


def plan(cfg: GenerationConfig, index: int) -> RecordPlan:
    """Plan of one record index (class-major; augmented copy j copies base j mod records_per_class)."""
    if not 0 <= index < cfg.n_records:
        raise IndexError(f"record index {index} outside [0, {cfg.n_records})")
    base = cfg.dataset.records_per_class
    per_class = base + cfg.augmented_per_class
    block, pos = divmod(index, per_class)
    class_id = cfg.class_ids[block]
    if pos < base:
        return RecordPlan(index, class_id, pos, index, False)
    source_pos = (pos - base) % base
    return RecordPlan(index, class_id, source_pos, block * per_class + source_pos, True)
