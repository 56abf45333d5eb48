"""Signal Viewer figures: time plot, PSD with order and defect markers, spectrogram, envelope spectrum."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import PALETTE, base_figure
from pfd_gateway.signals.analysis import Marker, Markers, Series, Spectrogram

HEIGHT = 280
HARMONIC_COLOUR, BEARING_COLOUR, SUBSYNC_COLOUR = PALETTE[2], PALETTE[3], "rgba(111, 66, 193, 0.15)"
MARKER_LABEL_Y = 1.0  # paper fraction: labels sit on the top edge
SPECTROGRAM_SCALE = "Viridis"


def time_figure(series: Series, uirevision: str = "") -> go.Figure:
    """Amplitude over time (min/max downsampled or a full-resolution window); the same ``uirevision`` keeps
    the user's zoom while a window replaces the data, a new one (another record) resets it."""
    figure = base_figure(height=HEIGHT)
    figure.add_trace(go.Scattergl(x=series.x, y=series.y, mode="lines", line={"width": 1}, name="signal",
                                  hovertemplate="%{x:.5f} s<br>%{y:.4g}<extra></extra>"))
    figure.update_xaxes(title_text="time (s)")
    figure.update_yaxes(title_text="amplitude")
    figure.update_layout(showlegend=False, uirevision=uirevision or None)
    return figure


def _marker_lines(figure: go.Figure, marks: tuple[Marker, ...], colour: str, dash: str, limit: float) -> None:
    for mark in marks:
        if mark.freq_hz <= limit:
            figure.add_vline(x=mark.freq_hz, line={"color": colour, "dash": dash, "width": 1},
                             annotation={"text": mark.label, "y": MARKER_LABEL_Y, "yref": "paper",
                                         "font": {"size": 10, "color": colour}, "showarrow": False})


def add_markers(figure: go.Figure, markers: Markers, limit: float) -> go.Figure:
    """1X/2X/3X (dashed), BPFO/BPFI/BSF/FTF (dotted) and the shaded sub-synchronous band, up to ``limit`` Hz."""
    if markers.subsync_hz is not None:
        figure.add_vrect(x0=markers.subsync_hz[0], x1=markers.subsync_hz[1], fillcolor=SUBSYNC_COLOUR, line_width=0,
                         annotation={"text": "sub-sync", "font": {"size": 10}}, annotation_position="top left")
    _marker_lines(figure, markers.harmonics, HARMONIC_COLOUR, "dash", limit)
    _marker_lines(figure, markers.bearing, BEARING_COLOUR, "dot", limit)
    return figure


def _spectrum_figure(series: Series, markers: Markers, name: str, y_title: str, log_y: bool) -> go.Figure:
    figure = base_figure(height=HEIGHT)
    figure.add_trace(go.Scatter(x=series.x, y=series.y, mode="lines", line={"width": 1}, name=name,
                                hovertemplate="%{x:.1f} Hz<br>%{y:.3g}<extra></extra>"))
    figure.update_xaxes(title_text="frequency (Hz)")
    figure.update_yaxes(title_text=y_title, type="log" if log_y else None)
    figure.update_layout(showlegend=False)
    return add_markers(figure, markers, float(np.max(series.x)) if len(series.x) else 0.0)


def psd_figure(psd: Series, markers: Markers) -> go.Figure:
    """Welch PSD on a log scale with the record's markers."""
    return _spectrum_figure(psd, markers, "PSD", "PSD (units²/Hz)", log_y=True)


def spectrogram_figure(spec: Spectrogram) -> go.Figure:
    figure = base_figure(height=HEIGHT)
    figure.add_trace(go.Heatmap(x=spec.times_s, y=spec.freqs_hz, z=spec.power_db, colorscale=SPECTROGRAM_SCALE,
                                colorbar={"title": {"text": "dB"}, "thickness": 12},
                                hovertemplate="%{x:.3f} s, %{y:.0f} Hz<br>%{z:.1f} dB<extra></extra>"))
    if spec.method == "cwt":
        figure.update_xaxes(title_text=f"time (s) · Morlet CWT of {spec.window:,} samples")
        figure.update_yaxes(title_text="frequency (Hz)", type="log")
    else:
        figure.update_xaxes(title_text=f"time (s) · STFT window {spec.window}")
        figure.update_yaxes(title_text="frequency (Hz)")
    return figure


def envelope_figure(envelope: Series, markers: Markers) -> go.Figure:
    """Envelope amplitude spectrum with the same markers (defect frequencies show up here first)."""
    return _spectrum_figure(envelope, markers, "envelope", "envelope amplitude", log_y=False)
