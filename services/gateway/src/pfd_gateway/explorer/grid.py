"""The records table's server side (pure): AG Grid's infinite-row-model requests — a block of rows with the
grid's sort and column filters applied — answered from the explorer's arrays."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pfd_shared.exploration.arrays import ExplorerArrays
from pfd_shared.exploration.models import OPERATING_NAMES

ColumnKind = Literal["number", "text"]
RECORD, CLASS, SEVERITY, LEVEL, SPLIT, SOURCE = "record", "class", "severity", "level", "split", "source"
FEATURE_PREFIX = "f:"  # feature columns are "f:<name>" (feature names could clash with the fixed columns)


class BadGridRequest(ValueError):
    """The grid asked for a column or filter type that does not exist."""


@dataclass(frozen=True)
class Column:
    col_id: str
    header: str
    kind: ColumnKind


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    row_count: int  # rows matching the grid's filters (within the explorer's selection)


def columns(arrays: ExplorerArrays) -> list[Column]:
    """The table's columns for this data set (fields it does not have are left out)."""
    found = [Column(RECORD, "Record", "number"), Column(CLASS, "Class", "text")]
    if arrays.severities is not None:
        found.append(Column(SEVERITY, "Severity", "number"))
    if arrays.severity_levels is not None:
        found.append(Column(LEVEL, "Level", "text"))
    found.append(Column(SPLIT, "Split", "text"))
    found += [Column(name, name, "number") for name in OPERATING_NAMES if name in arrays.operating]
    if arrays.sources is not None:
        found.append(Column(SOURCE, "Source", "text"))
    return found + [Column(FEATURE_PREFIX + name, name, "number") for name in arrays.feature_names]


def values(arrays: ExplorerArrays, rows: np.ndarray, col_id: str) -> np.ndarray:
    """The column ``col_id`` at ``rows``."""
    fixed: dict[str, Callable[[], np.ndarray | None]] = {
        RECORD: lambda: rows.astype(np.float64),
        CLASS: lambda: arrays.class_of(rows).astype(str),
        SEVERITY: lambda: None if arrays.severities is None else arrays.severities[rows].astype(np.float64),
        LEVEL: lambda: None if arrays.severity_levels is None else arrays.severity_levels[rows].astype(str),
        SPLIT: lambda: arrays.split_of(rows).astype(str),
        SOURCE: lambda: None if arrays.sources is None else arrays.sources[rows].astype(str),
    }
    if col_id in fixed:
        found = fixed[col_id]()
    elif col_id in arrays.operating:
        found = arrays.operating[col_id][rows].astype(np.float64)
    elif col_id.startswith(FEATURE_PREFIX) and col_id[len(FEATURE_PREFIX):] in arrays.feature_names:
        found = arrays.features[rows, arrays.feature_names.index(col_id[len(FEATURE_PREFIX):])].astype(np.float64)
    else:
        found = None
    if found is None:
        raise BadGridRequest(f"The records table has no column {col_id!r}.")
    return found


NUMBER_TESTS = ("equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange",
                "blank", "notBlank")
TEXT_TESTS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank")


def _number_condition(column: np.ndarray, condition: Mapping[str, Any]) -> np.ndarray:
    kind, value, other = condition.get("type"), condition.get("filter"), condition.get("filterTo")
    if kind not in NUMBER_TESTS:
        raise BadGridRequest(f"Number filter {kind!r} is not supported.")
    if kind == "blank":
        return ~np.isfinite(column)
    if kind == "notBlank":
        return np.isfinite(column)
    if value is None:
        return np.ones(column.shape, dtype=bool)  # the grid sends a condition before its value is typed
    value = float(value)
    tests: dict[str, Callable[[], np.ndarray]] = {
        "equals": lambda: column == value, "notEqual": lambda: column != value,
        "lessThan": lambda: column < value, "lessThanOrEqual": lambda: column <= value,
        "greaterThan": lambda: column > value, "greaterThanOrEqual": lambda: column >= value,
        "inRange": lambda: (column >= value) & (column <= float(other if other is not None else value)),
    }
    return tests[kind]()


def _text_condition(column: np.ndarray, condition: Mapping[str, Any]) -> np.ndarray:
    kind, value = condition.get("type"), condition.get("filter")
    if kind not in TEXT_TESTS:
        raise BadGridRequest(f"Text filter {kind!r} is not supported.")
    if kind == "blank":
        return column == ""
    if kind == "notBlank":
        return column != ""
    if value is None:
        return np.ones(column.shape, dtype=bool)
    lowered, needle = np.char.lower(column), str(value).lower()
    tests: dict[str, Callable[[], np.ndarray]] = {
        "contains": lambda: np.char.find(lowered, needle) >= 0,
        "notContains": lambda: np.char.find(lowered, needle) < 0,
        "equals": lambda: lowered == needle, "notEqual": lambda: lowered != needle,
        "startsWith": lambda: np.char.startswith(lowered, needle),
        "endsWith": lambda: np.char.endswith(lowered, needle),
    }
    return tests[kind]()


def _filter_mask(column: np.ndarray, model: Mapping[str, Any], kind: ColumnKind) -> np.ndarray:
    test = _number_condition if kind == "number" else _text_condition
    conditions = model.get("conditions")
    if not conditions:
        return test(column, model)
    masks = [test(column, condition) for condition in conditions]
    combine = np.logical_or if model.get("operator") == "OR" else np.logical_and
    return combine.reduce(masks)


def _sort_key(column: np.ndarray, kind: ColumnKind, descending: bool) -> np.ndarray:
    """A numeric key (missing values last either way)."""
    if kind == "text":
        key = np.unique(column, return_inverse=True)[1].astype(np.float64)
    else:
        key = column.astype(np.float64)
    key = -key if descending else key
    return np.where(np.isfinite(key), key, np.inf)


def records_page(arrays: ExplorerArrays, rows: np.ndarray, request: Mapping[str, Any], max_rows: int) -> Page:
    """Rows ``startRow..endRow`` (at most ``max_rows``) of the selection after the grid's filters and sort."""
    kinds = {column.col_id: column.kind for column in columns(arrays)}
    view = rows
    for col_id, model in (request.get("filterModel") or {}).items():
        if col_id not in kinds:
            raise BadGridRequest(f"The records table has no column {col_id!r}.")
        view = view[_filter_mask(values(arrays, view, col_id), model, kinds[col_id])]
    for sort in reversed(request.get("sortModel") or []):
        col_id = sort.get("colId")
        if col_id not in kinds:
            raise BadGridRequest(f"The records table has no column {col_id!r}.")
        order = np.argsort(_sort_key(values(arrays, view, col_id), kinds[col_id], sort.get("sort") == "desc"),
                           kind="stable")
        view = view[order]
    start = max(0, int(request.get("startRow") or 0))
    end = min(int(request.get("endRow") or start + max_rows), start + max_rows, view.size)
    shown = view[start:end]
    table = {col_id: values(arrays, shown, col_id) for col_id in kinds}
    out = []
    for position, row in enumerate(shown):
        record: dict[str, Any] = {}
        for col_id, column in table.items():
            value = column[position]
            if kinds[col_id] == "number":
                number = float(value)
                record[col_id] = (int(number) if col_id == RECORD else number) if np.isfinite(number) else None
            else:
                record[col_id] = str(value)
        record[RECORD] = int(row)
        out.append(record)
    return Page(out, int(view.size))
