"""Signal Viewer dashboard pieces: pure figures, zoom parsing, panels."""

import numpy as np

from pfd_gateway.dashboard.components.signals import features_panel
from pfd_gateway.dashboard.figures.signals import envelope_figure, psd_figure, spectrogram_figure, time_figure
from pfd_gateway.dashboard.pages.signal_viewer import record_key, time_span
from pfd_gateway.signals import analysis

FS = 10_000.0


def test_figures_carry_the_data_and_the_markers_in_range() -> None:
    y = np.sin(np.arange(10_000) / 5)
    marks = analysis.markers(30.0, [1, 2, 3], (0.42, 0.48), None, "no geometry")
    psd = psd_figure(analysis.welch_psd(y, FS, 1_024), marks)
    labels = [a.text for a in psd.layout.annotations]
    assert {"1X", "2X", "3X", "sub-sync"} <= set(labels) and psd.layout.yaxis.type == "log"
    envelope = envelope_figure(analysis.Series(np.linspace(0, 50, 51), np.ones(51)), marks)
    shown_labels = [a.text for a in envelope.layout.annotations]
    assert "1X" in shown_labels and "3X" not in shown_labels  # 90 Hz is past the 50 Hz axis
    spec = spectrogram_figure(analysis.spectrogram(y, FS, 256, 0.5, 50))
    assert spec.data[0].z.shape[0] == 129 and "256" in spec.layout.xaxis.title.text
    shown = time_figure(analysis.minmax_downsample(y, 100, FS), uirevision="d:1")
    assert len(shown.data[0].y) == 200 and shown.layout.uirevision == "d:1"


def test_features_panel_has_one_table_per_group() -> None:
    panel = features_panel({"time": {"rms": 1.0}, "envelope": {"envelope_rms": 2.0}})
    assert [col.children.id for col in panel.children] == ["signals-features-time", "signals-features-envelope"]


def test_time_span_is_the_zoom_made_on_this_record_only() -> None:
    current = {"key": record_key("dataset", "d1", 2, None)}
    assert time_span(current, {"range": [0.1, 0.2], "record": "d1:2"}) == (0.1, 0.2)
    assert time_span(current, {"range": [None, None], "record": "d1:2"}) == (None, None)
    assert time_span(current, {"range": [0.1, 0.2], "record": "d1:3"}) == (None, None)  # made on another record
    assert time_span(current, None) == (None, None)
    assert record_key("upload", "d1", 0, "a.npy") != record_key("upload", "d1", 0, "b.npy")
