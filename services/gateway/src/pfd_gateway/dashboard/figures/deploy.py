"""Figures of the deployment pages (pure): one bar chart per benchmark figure, one bar per ONNX variant."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from pfd_shared.events.deploy import VariantBenchmark

from pfd_gateway.dashboard.figures.style import NEUTRAL, base_figure, no_data_figure

BYTES_PER_MB = 1024 * 1024
CHARTS = ("size", "accuracy", "latency", "throughput")
TITLES = {"size": "Size (MiB)", "accuracy": "Test window accuracy", "latency": "Latency at batch 1 (ms)",
          "throughput": "Throughput at batch 32 (windows/s)"}
NOT_YET = "No benchmark yet."
HEIGHT = 280


def benchmark_figure(results: Sequence[VariantBenchmark], chart: str,
                     torch_throughput_per_s: float | None = None) -> go.Figure:
    """``chart`` of CHARTS across the variants: size, accuracy, latency p50 and p99 side by side, or throughput
    (with PyTorch eager as a reference line when it was measured)."""
    if not results:
        return no_data_figure(NOT_YET, height=HEIGHT)
    names = [result.variant for result in results]
    figure = base_figure(TITLES[chart], height=HEIGHT)
    if chart == "size":
        _bars(figure, names, [result.size_bytes / BYTES_PER_MB for result in results], "size", "%{y:.2f} MiB")
    elif chart == "accuracy":
        _bars(figure, names, [result.accuracy for result in results], "accuracy", "%{y:.2%}")
        low = min(result.accuracy for result in results)
        figure.update_yaxes(tickformat=".1%", range=[max(0.0, low - 0.05), 1.0])
    elif chart == "latency":
        _bars(figure, names, [result.latency_p50_ms for result in results], "p50", "%{y:.2f} ms")
        _bars(figure, names, [result.latency_p99_ms for result in results], "p99", "%{y:.2f} ms")
        figure.update_layout(barmode="group")
    else:
        _bars(figure, names, [result.throughput_per_s for result in results], "ONNX Runtime", "%{y:.0f}/s")
        if torch_throughput_per_s is not None:
            figure.add_hline(y=torch_throughput_per_s, line_dash="dot", line_color=NEUTRAL,
                             annotation_text=f"PyTorch eager {torch_throughput_per_s:.0f}/s",
                             annotation_position="top left")
    return figure


def _bars(figure: go.Figure, names: list[str], values: list[float], label: str, template: str) -> None:
    figure.add_trace(go.Bar(x=names, y=values, name=label, texttemplate=template, textposition="outside",
                            hovertemplate=f"%{{x}}: {template}<extra>{label}</extra>"))
