"""Batch and whole-data-set generation on every core."""

from __future__ import annotations

import os
from multiprocessing import shared_memory
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .allocator import tune_allocator
from pfd_shared.generation.classes import class_names
from pfd_shared.generation.config import GenerationConfig
from .layout import plan
from .record import Record, RecordMeta, augmented_copy, synthesize

ExecutorKind = Literal["thread", "process"]
Progress = Callable[[int, int], None]


@dataclass
class Dataset:
    """Generated records: float32 signals (n, samples) plus labels and metadata."""

    signals: np.ndarray
    labels: np.ndarray
    severities: np.ndarray
    severity_levels: np.ndarray
    speed_hz: np.ndarray
    load: np.ndarray
    temperature_c: np.ndarray
    indices: np.ndarray
    source_indices: np.ndarray
    metadata: list[RecordMeta]
    config_hash: str
    seed: int
    sample_rate_hz: float
    class_names: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.signals.shape[0])

    @property
    def operating_conditions(self) -> dict[str, np.ndarray]:
        return {"speed_hz": self.speed_hz, "load": self.load, "temperature_c": self.temperature_c}


def _assemble(cfg: GenerationConfig, seed: int, signals: np.ndarray, metas: list[RecordMeta]) -> Dataset:
    col = lambda name, dtype: np.array([getattr(m, name) for m in metas], dtype=dtype)  # noqa: E731
    return Dataset(
        signals=signals,
        labels=col("class_id", np.int64),
        severities=col("severity", np.float32),
        severity_levels=col("severity_level", np.str_),
        speed_hz=col("speed_hz", np.float64),
        load=col("load", np.float64),
        temperature_c=col("temperature_c", np.float64),
        indices=col("index", np.int64),
        source_indices=col("source_index", np.int64),
        metadata=metas,
        config_hash=cfg.config_hash(),
        seed=seed,
        sample_rate_hz=cfg.record.sample_rate_hz,
        class_names=class_names(cfg.bearing),
    )


def _base(cfg: GenerationConfig, seed: int, index: int) -> Record:
    p = plan(cfg, index)
    return synthesize(cfg, seed, index, p.class_id, p.position)


def generate_batch(cfg: GenerationConfig, indices: Sequence[int], seed: int = 0) -> Dataset:
    """Records `indices` (any order/subset); each base record is synthesized once per batch."""
    bases: dict[int, Record] = {}
    out = np.empty((len(indices), cfg.n_samples), dtype=np.float32)
    metas: list[RecordMeta] = []
    for row, index in enumerate(indices):
        p = plan(cfg, int(index))
        if p.source_index not in bases:
            bases[p.source_index] = _base(cfg, seed, p.source_index)
        rec = bases[p.source_index]
        if p.augmented:
            rec = augmented_copy(cfg, seed, p.index, rec)
        out[row] = rec.signal
        metas.append(rec.meta)
    return _assemble(cfg, seed, out, metas)


def _chunks(items: Sequence[int], n_chunks: int) -> list[Sequence[int]]:
    n_chunks = max(1, min(n_chunks, len(items)))
    bounds = np.linspace(0, len(items), n_chunks + 1).astype(int)
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _fill(
    cfg: GenerationConfig, seed: int, idx: Sequence[int], out: np.ndarray, sources: dict[int, RecordMeta]
) -> list[RecordMeta]:
    """Write records `idx` into rows of `out`; augmented ones read their source row (given meta)."""
    metas = []
    for i in idx:
        p = plan(cfg, int(i))
        if p.augmented:
            rec = augmented_copy(cfg, seed, p.index, Record(out[p.source_index], sources[p.source_index]))
        else:
            rec = _base(cfg, seed, p.index)
        out[p.index] = rec.signal
        metas.append(rec.meta)
    return metas


def _fill_shared(
    cfg: GenerationConfig, seed: int, idx: Sequence[int], shm_name: str, sources: dict[int, RecordMeta]
) -> list[RecordMeta]:
    shm = shared_memory.SharedMemory(name=shm_name)
    try:
        out = np.ndarray((cfg.n_records, cfg.n_samples), dtype=np.float32, buffer=shm.buf)
        metas = _fill(cfg, seed, idx, out, sources)
        del out
        return metas
    finally:
        shm.close()


def _two_phases(cfg: GenerationConfig, workers: int) -> list[list[np.ndarray]]:
    """Base records first, then augmented copies; interleaved chunks balance costly classes."""
    aug = np.array([plan(cfg, i).augmented for i in range(cfg.n_records)], dtype=bool)
    n_chunks = workers * 4
    return [
        [idx[k::n_chunks] for k in range(n_chunks) if idx[k::n_chunks].size]
        for idx in (np.flatnonzero(~aug), np.flatnonzero(aug))
    ]


def _run(cfg: GenerationConfig, seed: int, workers: int, kind: ExecutorKind, on_progress: Progress | None) -> Dataset:
    n = cfg.n_records
    done = 0
    metas: list[RecordMeta] = [None] * n  # type: ignore[list-item]
    shm = shared_memory.SharedMemory(create=True, size=max(1, n * cfg.n_samples * 4)) if kind == "process" else None
    try:
        out = (
            np.ndarray((n, cfg.n_samples), dtype=np.float32, buffer=shm.buf)
            if shm
            else np.empty((n, cfg.n_samples), np.float32)
        )
        pool: Executor = (
            ProcessPoolExecutor(workers, initializer=tune_allocator) if shm else ThreadPoolExecutor(workers)
        )
        with pool:
            for chunks in _two_phases(cfg, workers):
                jobs = []
                for idx in chunks:
                    sources = {
                        s: metas[s] for s in (plan(cfg, int(i)).source_index for i in idx) if metas[s] is not None
                    }
                    target = shm.name if shm else out
                    fn = _fill_shared if shm else _fill
                    jobs.append((idx, pool.submit(fn, cfg, seed, idx, target, sources)))
                for idx, job in jobs:
                    for i, meta in zip(idx, job.result()):
                        metas[int(i)] = meta
                    done += len(idx)
                    if on_progress is not None:
                        on_progress(done, n)
        signals = out.copy() if shm else out
        del out
    finally:
        if shm:
            shm.close()
            shm.unlink()
    return _assemble(cfg, seed, signals, metas)


def generate_dataset(
    cfg: GenerationConfig, seed: int = 0, workers: int | None = None, executor: ExecutorKind = "thread",
    on_progress: Progress | None = None,
) -> Dataset:
    """All records of the config, in index order, using `workers` threads or processes (default: all cores).

    ``on_progress(done, total)`` is called from this thread as chunks of records complete.
    """
    workers = workers or os.cpu_count() or 1
    tune_allocator()
    if cfg.n_records == 0:
        return generate_batch(cfg, [], seed)
    return _run(cfg, seed, workers, executor, on_progress)
