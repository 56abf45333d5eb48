"""Data Explorer pieces without the gateway: LRU budget, projection board, grid requests, figures, components."""

import numpy as np
import pytest

from pfd_shared.events.projections import ProjectionFailed, ProjectionProgress, ProjectionReady
from pfd_shared.exploration.arrays import ExplorerArrays
from pfd_shared.exploration.models import ProjectionSpec, Range, RecordFilter, projection_id
from pfd_shared.exploration.selection import select_rows

from pfd_gateway.dashboard.components import explorer as parts
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures import explorer as figures
from pfd_gateway.dashboard.pages.data_explorer import pushed_projection
from pfd_gateway.explorer import analysis, grid
from pfd_gateway.explorer.board import ProjectionBoard
from pfd_gateway.explorer.cache import BoundedCache
from pfd_gateway.explorer.service import ProjectionView

PID = "0123456789abcdef01234567"
NAMES = ("rms", "kurtosis", "envelope_rms")


@pytest.fixture
def arrays() -> ExplorerArrays:
    n = 12
    features = np.column_stack([np.arange(n, dtype=np.float32), np.ones(n, dtype=np.float32),
                                np.arange(n, dtype=np.float32) % 3])
    speed = np.arange(n, dtype=np.float32)
    speed[5] = np.nan
    return ExplorerArrays(labels=(np.arange(n) % 2).astype(np.int16), class_names=("a", "b"), features=features,
                          feature_names=NAMES, split=(np.arange(n) % 3).astype(np.int8), operating={"speed_hz": speed},
                          severity_levels=np.asarray(["nominal", "mild"] * 6), sources=np.asarray(["x.csv"] * n))


def test_cache_keeps_within_its_byte_budget_and_refuses_oversized_values() -> None:
    cache = BoundedCache[bytes](max_entries=10, max_bytes=10, size=len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    cache.get("a")
    cache.put("c", b"1234")  # over 10 bytes: the least recently used ("b") goes
    assert cache.get("b") is None and cache.get("a") == b"1234" and cache.bytes == 8
    assert cache.put("huge", b"x" * 11) == b"x" * 11 and cache.get("huge") is None
    assert cache.get_or_compute("d", lambda: b"12") == b"12" and len(cache) == 3


def test_board_tracks_requests_ignores_late_progress_and_allows_retries() -> None:
    now = [0.0]
    board = ProjectionBoard(max_entries=2, request_ttl_s=10, clock=lambda: now[0])
    assert board.needs_request(PID)
    board.requested(PID, "ds", "ann")
    assert not board.needs_request(PID)
    board.watch(PID, "bob")
    state = board.apply(ProjectionProgress(projection_id=PID, dataset_id="ds", stage="t-SNE", done=1, total=4))
    assert state.status == "running" and state.fraction == 0.25 and state.watchers == {"ann", "bob"}
    board.apply(ProjectionReady(projection_id=PID, dataset_id="ds", method="pca", records=3, object_key="k",
                                seconds=0.1))
    assert board.apply(ProjectionProgress(projection_id=PID, dataset_id="ds", stage="late", done=2, total=4)) is None
    assert board.get(PID).status == "ready"
    other = "f" * 24
    board.requested(other, "ds", "ann")
    now[0] = 11.0
    assert board.needs_request(other)  # silent past the TTL: may be asked again
    board.apply(ProjectionFailed(projection_id=other, dataset_id="ds", reason="boom"))
    assert board.get(other).message == "boom" and board.needs_request(other)


def test_filters_hash_independently_of_order_and_select_the_same_rows(arrays) -> None:
    one = RecordFilter(classes=("b", "a"), ranges={"speed_hz": Range(low=2, high=8)})
    two = RecordFilter(classes=("a", "b"), ranges={"speed_hz": Range(low=2.0, high=8.0)})
    assert one.digest() == two.digest()
    assert select_rows(arrays, one).tolist() == [2, 3, 4, 6, 7, 8]  # row 5 has no speed: never in a range
    assert select_rows(arrays, RecordFilter(splits=("val",))).tolist() == [1, 4, 7, 10]
    pca, pca_other_perplexity = ProjectionSpec(method="pca"), ProjectionSpec(method="pca", perplexity=50)
    assert projection_id("datasets/x/dataset.h5", pca, one) == projection_id("datasets/x/dataset.h5",
                                                                             pca_other_perplexity, two)
    assert projection_id("datasets/x/dataset.h5", pca, one) != projection_id("datasets/y/dataset.h5", pca, one)
    with pytest.raises(ValueError):
        RecordFilter(ranges={"pressure": Range(low=1)})
    with pytest.raises(ValueError):
        Range(low=2, high=1)


def test_grid_filters_combine_sort_with_missing_values_last_and_page(arrays) -> None:
    rows = np.arange(arrays.records)
    either = {"speed_hz": {"filterType": "number", "operator": "OR", "conditions": [
        {"type": "lessThan", "filter": 2}, {"type": "inRange", "filter": 9, "filterTo": 10}]}}
    page = grid.records_page(arrays, rows, {"filterModel": either, "startRow": 0, "endRow": 10}, 100)
    assert [row["record"] for row in page.rows] == [0, 1, 9, 10]
    desc = grid.records_page(arrays, rows, {"sortModel": [{"colId": "speed_hz", "sort": "desc"}], "startRow": 0,
                                            "endRow": 100}, 100)
    assert desc.rows[0]["record"] == 11 and desc.rows[-1]["speed_hz"] is None
    text = {"level": {"filterType": "text", "type": "contains", "filter": "MIL"}}
    assert grid.records_page(arrays, rows, {"filterModel": text}, 3).row_count == 6
    assert len(grid.records_page(arrays, rows, {"filterModel": text}, 3).rows) == 3
    with pytest.raises(grid.BadGridRequest):
        grid.records_page(arrays, rows, {"filterModel": {"f:rms": {"filterType": "number", "type": "near"}}}, 3)


def test_analysis_handles_constant_features_and_samples(arrays) -> None:
    rows = np.arange(arrays.records)
    correlation = analysis.correlation(arrays, rows)
    constant = correlation.names.index("kurtosis")
    assert np.isnan(correlation.matrix[constant]).all() and correlation.matrix[0, 0] == 1.0
    shown = analysis.distribution(arrays, rows, "rms", bins=4, max_points=2, seed=0)
    assert all(len(c.values) == 2 and c.count == 6 for c in shown.classes)
    assert sum(int(c.sum()) for c in shown.counts.values()) == 12 and len(shown.edges) == 5


def test_figures_carry_classes_levels_and_record_numbers(arrays) -> None:
    rows = np.arange(arrays.records)
    overview = analysis.overview(arrays, rows)
    severity = figures.severity_figure(overview)
    assert [trace.name for trace in severity.data] == ["nominal", "mild"] and severity.layout.barmode == "stack"
    box = figures.distribution_figure(analysis.distribution(arrays, rows, "rms", bins=4, max_points=10, seed=0),
                                      arrays.class_names, "violin")
    assert [trace.type for trace in box.data] == ["violin", "violin"]
    heat = figures.correlation_figure(analysis.correlation(arrays, rows))
    assert heat.data[0].zmin == -1 and list(heat.data[0].x)[0] == "rms"
    view = ProjectionView(PID, "pca", "ready", 12, 1.0, coordinates=np.zeros((12, 2), np.float32), rows=rows,
                          classes=arrays.class_of(rows), explained_variance=(0.7, 0.2))
    scatter = figures.projection_figure(view, arrays.class_names)
    assert [trace.name for trace in scatter.data] == ["a", "b"] and list(scatter.data[1].customdata) == [1, 3, 5, 7, 9, 11]
    assert "70%" in scatter.layout.xaxis.title.text
    assert figures.class_colour(arrays.class_names, "b") == scatter.data[1].marker.color
    empty = figures.projection_figure(ProjectionView(PID, "tsne", "not_computed", 12), arrays.class_names)
    assert "Run" in empty.layout.annotations[0].text


def test_components_parse_the_page_stores() -> None:
    assert parts.parse_filter({"classes": ["a"], "splits": None, "ranges": {"load": {"low": 0.5, "high": None}}}) \
        == RecordFilter(classes=("a",), ranges={"load": Range(low=0.5)})
    with pytest.raises(UserFacingError):
        parts.parse_filter({"ranges": {"load": {"low": 2, "high": 1}}})
    assert parts.parse_spec("tsne", 12, None, None) == ProjectionSpec(method="tsne", perplexity=12)
    with pytest.raises(UserFacingError, match="perplexity"):
        parts.parse_spec("tsne", 1000, None, None)
    assert pushed_projection({"data": {"payload": {"projection_id": PID}}}) == PID
    assert pushed_projection(None) is None
    status = parts.projection_status(ProjectionView(PID, "tsne", "running", 10, 0.4, stage="t-SNE"))
    assert "40%" in str(status)
