"""Pure figure builders of the dashboard."""

from pfd_gateway.api_monitor import EndpointStats
from pfd_gateway.dashboard.figures.api import latency_figure, request_rate_figure
from pfd_gateway.dashboard.figures.host import CRITICAL_PERCENT, host_usage_figure, usage_colour


def _stats(handler: str, requests: int, p50: float | None) -> EndpointStats:
    return EndpointStats("GET", handler, requests, requests / 60, 0.0, 0.0, p50, p50 and p50 * 2, p50 and p50 * 3)


def test_request_rate_has_one_line_per_busy_endpoint_and_says_when_empty() -> None:
    series = [(1.0, {"GET /a": 2.0, "GET /b": 0.0}), (2.0, {"GET /a": 1.0, "GET /b": 0.5}),
              (3.0, {"GET /a": 0.0, "GET /c": 0.0})]
    figure = request_rate_figure(series)
    assert [trace.name for trace in figure.data] == ["GET /a", "GET /b"]
    assert list(figure.data[1].y) == [0.0, 0.5, 0.0]
    empty = request_rate_figure([(1.0, {"GET /a": 0.0})])
    assert not empty.data and "No requests" in empty.layout.annotations[0].text


def test_latency_bars_are_milliseconds_per_percentile() -> None:
    figure = latency_figure([_stats("/a", 10, 0.01), _stats("/b", 5, None)])
    assert [trace.name for trace in figure.data] == ["p50", "p95", "p99"]
    assert list(figure.data[0].x) == ["GET /a"]
    assert list(figure.data[2].y) == [30.0]
    assert "No latency" in latency_figure([]).layout.annotations[0].text


def test_host_usage_bars_are_coloured_by_level() -> None:
    figure = host_usage_figure({"CPU": 10.0, "Memory": 80.0, "Disk": 95.0})
    bar = figure.data[0]
    assert list(bar.y) == ["CPU", "Memory", "Disk"]
    assert bar.marker.color[0] != bar.marker.color[1] != bar.marker.color[2]
    assert usage_colour(CRITICAL_PERCENT) == bar.marker.color[2]
    assert figure.layout.xaxis.range == (0, 100)
