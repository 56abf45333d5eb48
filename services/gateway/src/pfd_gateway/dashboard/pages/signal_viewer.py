"""Signal Viewer: one record of a ready data set — or a single uploaded signal file — time plot (min/max
downsampled, full resolution on zoom), Welch PSD with markers, spectrogram (STFT or Morlet CWT), envelope spectrum,
metadata, the 36 features by group, exports."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import AuthError
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.signals import features_panel, metadata_panel
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.signals import envelope_figure, psd_figure, spectrogram_figure, time_figure
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.settings import SignalViewerSettings
from pfd_gateway.signals.uploads import VIEWABLE_SUFFIXES, UploadedSignal

T = TypeVar("T")
PICK_FIRST = "Pick a data set and a record."
EXPORT_URL = "/api/v1/datasets/{dataset_id}/records/{index}.{fmt}"
DATASET, UPLOAD = "dataset", "upload"
EXPORTS_SHOWN, EXPORTS_HIDDEN = "d-flex gap-2", "d-none"
TRANSFORM_OPTIONS = [{"label": "STFT", "value": "stft"}, {"label": "CWT (Morlet)", "value": "cwt"}]
UPLOAD_STATES = (("signals-upload", "filename"), ("signals-upload", "contents"), ("signals-upload-variable", "value"),
                 ("signals-upload-rate", "value"), ("signals-upload-speed", "value"))


def _graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=no_data_figure(PICK_FIRST), config={"displaylogo": False})


def controls(windows: list[int], default_window: int, dataset_id: str | None = None, record: int = 0) -> dbc.Row:
    nav = dbc.ButtonGroup([
        dbc.Button([html.I(className="bi bi-chevron-left me-1"), "Previous"], id="signals-prev", outline=True,
                   color="secondary", size="sm"),
        dbc.Button(["Next", html.I(className="bi bi-chevron-right ms-1")], id="signals-next", outline=True,
                   color="secondary", size="sm"),
        dbc.Button([html.I(className="bi bi-shuffle me-1"), "Random"], id="signals-random", outline=True,
                   color="secondary", size="sm"),
    ])
    exports = html.Div([
        html.A([html.I(className="bi bi-download me-1"), ".npy"], id="signals-export-npy", href="#", download="",
               className="btn btn-sm btn-outline-primary"),
        html.A([html.I(className="bi bi-download me-1"), ".csv"], id="signals-export-csv", href="#", download="",
               className="btn btn-sm btn-outline-primary"),
    ], className=EXPORTS_SHOWN, id="signals-exports")  # hidden for an uploaded file (the user has it)
    window = dbc.Select(id="signals-window", value=str(default_window), size="sm", style={"width": "8rem"},
                        options=[{"label": f"{n} samples", "value": str(n)} for n in windows])
    transform = dbc.Select(id="signals-transform", value="stft", size="sm", style={"width": "9rem"},
                           options=TRANSFORM_OPTIONS)
    return dbc.Row([
        dbc.Col([dbc.Label("Data set", html_for="signals-dataset", className="small mb-1"),
                 dbc.InputGroup([dbc.Select(id="signals-dataset", size="sm", placeholder="No ready data set",
                                            value=dataset_id),
                                 dbc.Button(html.I(className="bi bi-arrow-clockwise"), id="signals-refresh",
                                            size="sm", color="secondary", outline=True, title="Reload the list")],
                                size="sm")], md=4),
        dbc.Col([dbc.Label("Record", html_for="signals-index", className="small mb-1"),
                 dbc.Input(id="signals-index", type="number", min=0, step=1, value=record, size="sm", debounce=True)],
                md=2),
        dbc.Col(nav, md="auto", className="d-flex align-items-end"),
        dbc.Col([dbc.Label("Spectrogram", html_for="signals-transform", className="small mb-1"), transform],
                md="auto"),
        dbc.Col([dbc.Label("STFT window", html_for="signals-window", className="small mb-1"), window], md="auto"),
        dbc.Col(exports, md="auto", className="d-flex align-items-end ms-md-auto"),
    ], className="g-2 mb-3 align-items-end")


def upload_controls(max_bytes: int) -> dbc.Row:
    """View a single signal file instead of a data-set record (variable and rate pre-filled from the file)."""
    # no ``accept``: the drop zone would drop other files silently; the server names the file and the problem
    upload = dcc.Upload(id="signals-upload", multiple=False,
                        className="pfd-signals-upload",
                        children=html.Div([html.I(className="bi bi-file-earmark-arrow-up me-2"),
                                           f"Drop or choose a {', '.join(VIEWABLE_SUFFIXES)} file "
                                           f"(up to {max_bytes / 2**20:g} MiB)"]))
    number = {"type": "number", "min": 0, "step": "any", "size": "sm", "debounce": True}
    return dbc.Row([
        dbc.Col(dbc.RadioItems(id="signals-source", value=DATASET, inline=True, className="small",
                               options=[{"label": "Data-set record", "value": DATASET},
                                        {"label": "Uploaded file", "value": UPLOAD}]), md="auto"),
        dbc.Col(upload, md=3),
        dbc.Col(dbc.Select(id="signals-upload-variable", size="sm", placeholder="variable", options=[]), md=2),
        dbc.Col(dbc.Input(id="signals-upload-rate", placeholder="sample rate (Hz)", **number), md=2),
        dbc.Col(dbc.Input(id="signals-upload-speed", placeholder="shaft speed (Hz, optional)", **number), md=2),
    ], className="g-2 mb-3 align-items-center", id="signals-upload-row")


def page_layout(settings: SignalViewerSettings, dataset_id: str | None = None, record: int = 0) -> html.Div:
    return html.Div([
        page_header("Signal viewer", "One record — or a file of your own: time plot, spectra, envelope, features "
                                     "and exports."),
        dcc.Store(id="signals-current"), dcc.Store(id="signals-time-zoom"),
        controls(settings.spectrogram_windows, settings.spectrogram_window, dataset_id, record),
        upload_controls(settings.upload_max_bytes),
        dbc.Row([
            dbc.Col(section_card("Time (drag to zoom: full resolution)", _graph("signals-time")), lg=6,
                    className="mb-3"),
            dbc.Col(section_card("Power spectral density (Welch)", _graph("signals-psd")), lg=6, className="mb-3"),
            dbc.Col(section_card("Spectrogram (STFT or CWT)", _graph("signals-spectrogram")), lg=6, className="mb-3"),
            dbc.Col(section_card("Envelope spectrum", _graph("signals-envelope")), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(section_card("Record", html.Div(id="signals-meta")), lg=4, className="mb-3"),
            dbc.Col(section_card("Features", html.Div(id="signals-features")), lg=8, className="mb-3"),
        ]),
    ])


def _call(ctx: DashboardContext, coro: Coroutine[Any, Any, T]) -> T:
    """A service call whose refusals (not found, not ready, bad index) are shown to the user as they are."""
    try:
        return ctx.call(coro)
    except AuthError as exc:
        raise UserFacingError(exc.message) from exc


def _index(value: Any) -> int:
    if value is None or int(value) != value or value < 0:
        raise UserFacingError("The record number is a whole number from 0.")
    return int(value)


def url_record(value: str | None) -> int:
    """The record row of the URL's ``record`` (0 when absent or not a row number)."""
    return int(value) if value and value.isdigit() else 0


def record_key(source: str, dataset_id: str | None, index: int, file_name: str | None) -> str:
    """What the time plot shows: a zoom made on one record never applies to another."""
    return f"upload:{file_name or ''}" if source == UPLOAD else f"{dataset_id}:{index}"


def time_span(current: dict[str, Any], zoom: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """Seconds to show: the x zoom (``range`` [t0, t1], [None, None] after a reset) made on this very record, else
    the whole record (a re-render of the same record, e.g. another STFT window, keeps the zoom)."""
    if not zoom or zoom.get("record") != current.get("key"):
        return None, None
    t0, t1 = zoom["range"]
    return t0, t1


def uploaded_signal(file_name: str | None, contents: str | None, variable: str | None, rate: Any,
                    speed: Any) -> UploadedSignal:
    """The upload control's state (UPLOAD_STATES order) as the viewer's input."""
    if not contents:
        raise UserFacingError("Choose a signal file to view first (.npy, .csv or .mat).")
    return UploadedSignal(file_name or "upload", contents, variable or None, float(rate) if rate else None,
                          float(speed) if speed else None)


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(dataset: str | None = None, record: str | None = None, **_: Any) -> html.Div:
        """``?dataset=<id>&record=<row>`` opens that record (e.g. a misclassified one from Results)."""
        return page_layout(ctx.gateway.settings.signals, dataset, url_record(record))

    dash.register_page(__name__, path="/signals", name="Signal viewer", title="Signal viewer · PFD", order=30,
                       sidebar=True, icon="bi-soundwave", layout=layout)
    viewer = ctx.gateway.signals
    app.clientside_callback(ClientsideFunction("pfd", "signalsStep"), Output("signals-index", "value"),
                            Input("signals-prev", "n_clicks"), Input("signals-next", "n_clicks"),
                            Input("signals-random", "n_clicks"), State("signals-index", "value"),
                            State("signals-current", "data"), prevent_initial_call=True)

    @app.callback(Output("signals-dataset", "options"), Output("signals-dataset", "value"),
                  Input("signals-refresh", "n_clicks"), State("signals-dataset", "value"))
    def list_datasets(_: Any, selected: str | None) -> tuple[list[dict[str, str]], str | None]:
        rows = _call(ctx, viewer.ready_datasets(signed_in_principal()))
        options = [{"label": f"{row['name']} ({row['records']} records)", "value": row["dataset_id"]} for row in rows]
        ids = [row["dataset_id"] for row in rows]
        return options, selected if selected in ids else (ids[0] if ids else None)

    @app.callback(Output("signals-upload-variable", "options"), Output("signals-upload-variable", "value"),
                  Output("signals-upload-rate", "value"), Output("signals-upload-speed", "value"),
                  Output("signals-source", "value"), Input("signals-upload", "contents"),
                  State("signals-upload", "filename"), prevent_initial_call=True)
    def inspect_upload(contents: str | None, file_name: str | None) -> tuple[Any, ...]:
        """A new file: its variables to choose from, the detected rate and speed (else the values entered stay), and
        the view switched to it."""
        if not contents:
            raise PreventUpdate
        found = _call(ctx, viewer.inspect_upload(UploadedSignal(file_name or "upload", contents)))
        options = [{"label": f"{v.name} · {v.length:,} × {v.dtype}", "value": v.name}
                   for v in found.variables if v.length > 1]
        chosen = found.suggested_variable or (options[0]["value"] if options else None)
        keep = lambda value: dash.no_update if value is None else value  # noqa: E731
        return options, chosen, keep(found.sample_rate_hz), keep(found.shaft_speed_hz), UPLOAD

    @app.callback(Output("signals-psd", "figure"), Output("signals-spectrogram", "figure"),
                  Output("signals-envelope", "figure"), Output("signals-meta", "children"),
                  Output("signals-features", "children"), Output("signals-current", "data"),
                  Output("signals-export-npy", "href"), Output("signals-export-csv", "href"),
                  Output("signals-exports", "className"),
                  Input("signals-dataset", "value"), Input("signals-index", "value"), Input("signals-window", "value"),
                  Input("signals-transform", "value"), Input("signals-source", "value"),
                  *[Input(component, prop) for component, prop in UPLOAD_STATES[1:]],
                  State("signals-upload", "filename"))
    def show_record(dataset_id: str | None, index: Any, window: str, transform: str, source: str,
                    *upload: Any) -> tuple[Any, ...]:
        if source == UPLOAD:
            view = _call(ctx, viewer.uploaded(uploaded_signal(upload[-1], *upload[:-1]), int(window), transform))
        elif dataset_id:
            view = _call(ctx, viewer.record(signed_in_principal(), dataset_id, _index(index), int(window), transform))
        else:
            raise PreventUpdate
        current = {"dataset_id": dataset_id, "index": view.index, "records": view.records, "source": source,
                   "key": record_key(source, dataset_id, view.index, upload[-1])}
        links = ["#", "#"] if view.uploaded else [
            EXPORT_URL.format(dataset_id=dataset_id, index=view.index, fmt=fmt) for fmt in ("npy", "csv")]
        return (psd_figure(view.psd, view.markers), spectrogram_figure(view.spectrogram),
                envelope_figure(view.envelope, view.markers), metadata_panel(view), features_panel(view.features),
                current, *links, EXPORTS_HIDDEN if view.uploaded else EXPORTS_SHOWN)

    # Only x-axis changes reach the server (an autosize would supersede a zoom's request in flight).
    app.clientside_callback(ClientsideFunction("pfd", "signalsZoom"), Output("signals-time-zoom", "data"),
                            Input("signals-time", "relayoutData"), State("signals-current", "data"),
                            prevent_initial_call=True)

    @app.callback(Output("signals-time", "figure"), Input("signals-current", "data"),
                  Input("signals-time-zoom", "data"), *[State(component, prop) for component, prop in UPLOAD_STATES])
    def show_time(current: dict[str, Any] | None, zoom: dict[str, Any] | None, *upload: Any) -> Any:
        """A new record: its overview (min/max); an x zoom: that window, at full resolution once it fits."""
        if not current:
            raise PreventUpdate
        span = time_span(current, zoom)
        if current.get("source") == UPLOAD:
            series = _call(ctx, viewer.uploaded_window(uploaded_signal(*upload), *span))
            return time_figure(series, uirevision=f"upload:{upload[0]}")
        series = _call(ctx, viewer.window(signed_in_principal(), current["dataset_id"], current["index"], *span))
        return time_figure(series, uirevision=f"{current['dataset_id']}:{current['index']}")
