"""Signal Viewer panels: record metadata, marker notes and the 36 features by group (pure: data in, components out)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.signals.service import RecordView

FEATURE_FORMAT = "{:.4g}"
GROUP_TITLES = {"time": "Time domain", "frequency": "Frequency domain", "envelope": "Envelope", "wavelet": "Wavelet",
                "bispectrum": "Bispectrum", "other": "Other"}


def _row(name: str, value: str) -> html.Tr:
    return html.Tr([html.Th(name, className="fw-normal text-body-secondary"), html.Td(value)])


def metadata_panel(view: RecordView) -> html.Div:
    speed = "unknown" if view.speed_hz is None else f"{view.speed_hz:.2f} Hz ({view.speed_hz * 60:.0f} rpm)"
    marks = [*(m.label for m in view.markers.harmonics), *(m.label for m in view.markers.bearing)]
    source = [_row("File", view.dataset_name)] if view.uploaded else [
        _row("Data set", view.dataset_name), _row("Record", f"{view.index} of {view.records - 1}"),
        _row("Class", f"{view.class_name} (label {view.label})")]
    rows = [
        *source, _row("Shaft speed", speed),
        _row("Sample rate", f"{view.sample_rate_hz:,.0f} Hz"), _row("Duration", f"{view.duration_s:.3f} s"),
        _row("Markers", ", ".join(marks) or "none"),
    ]
    note = html.Small(view.markers.note, className="text-body-secondary d-block mt-2",
                      id="signals-markers-note") if view.markers.note else None
    return html.Div([dbc.Table(html.Tbody(rows), size="sm", className="mb-0", id="signals-meta-table"), note])


def features_panel(groups: dict[str, dict[str, float]]) -> dbc.Row | html.P:
    """One small table per group (time, frequency, envelope, wavelet, bispectrum)."""
    if not groups:
        return html.P("The 36 features are computed when a data set is generated or imported; an uploaded file "
                      "has none.", className="text-body-secondary mb-0", id="signals-features-none")
    columns = [
        dbc.Col(html.Div([
            html.H4(GROUP_TITLES.get(group, group), className="h6 mt-2"),
            dbc.Table(html.Tbody([_row(name, FEATURE_FORMAT.format(value)) for name, value in values.items()]),
                      size="sm", className="mb-2 small"),
        ], id=f"signals-features-{group}"), md=6, xl=4)
        for group, values in groups.items()
    ]
    return dbc.Row(columns, id="signals-features-groups")
