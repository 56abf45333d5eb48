"""Import: upload recordings, map each file (variable, label, sample rate, shaft speed), request the import,
follow it live and see the recent imports.

Uploads go from the browser straight to ``POST /api/v1/uploads`` (assets/import.js: a file chooser, then one
XMLHttpRequest per file with the CSRF header and a progress bar). Not ``dcc.Upload``: that reads the whole file
into the page as base64 (a third larger) and sends it through a Dash callback, which holds a .mat recording of up
to ``upload_max_bytes`` in the browser, in the callback JSON and in a WSGI thread at once; the REST upload
streams the multipart body into the object store with the service's size limit and reports real upload progress.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from pydantic import ValidationError

from pfd_gateway.api.dataset_models import DatasetImportCreate
from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.dashboard.components.cards import format_bytes, page_header, section_card
from pfd_gateway.dashboard.components.datasets import (
    MAPPING_FIELDS,
    import_specs,
    mapping_table,
    pushed_event,
    recent_imports,
)
from pfd_gateway.dashboard.components.forms import form_field
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.datasets.service import UPLOAD_SUFFIXES, with_pushed

UPLOAD_URL = "/api/v1/uploads"
MAPPING_IDS = {field: f"import-{field.replace('_', '-')}" for field in MAPPING_FIELDS}
OPTIONAL_NUMBER = {"type": "number", "min": 0}
SPLIT_POLICIES = [
    {"label": "Time blocks per recording", "value": "time_blocks"},
    {"label": "Whole recordings per split", "value": "recordings"},
]
OPTION_INPUTS = (("target_sample_rate_hz", "import-target-rate"), ("record_seconds", "import-record-seconds"),
                 ("seed", "import-seed"), ("window_seconds", "import-window-seconds"),
                 ("hop_seconds", "import-hop-seconds"), ("split_policy", "import-split-policy"))
MAPPING_STATES = [State({"type": MAPPING_IDS[field], "key": ALL}, "value") for field in MAPPING_FIELDS]


def upload_card(max_bytes: int) -> html.Div:
    return html.Div([
        html.Div([
            dbc.Button([html.I(className="bi bi-cloud-upload me-2"), "Choose and upload files…"], id="import-upload",
                       color="primary"),
            dbc.Button("Clear list", id="import-clear", color="secondary", outline=True),
        ], className="d-flex gap-2 align-items-center mb-2"),
        dbc.FormText(f"{', '.join(UPLOAD_SUFFIXES)} files of up to {format_bytes(max_bytes)} each, uploaded one by "
                     "one. Each file is inspected on upload: pick the variable (.mat), array (.npz) or column (.csv) "
                     "that holds the signal in the mapping below; a sample rate or speed found in the file is "
                     "filled in for you to check."),
        html.Div(id="import-upload-progress", className="mt-3"),
    ])


def import_form() -> html.Div:
    return html.Div([
        dbc.Row([
            dbc.Col(form_field("Name", dbc.Input(id="import-name", placeholder="e.g. CWRU 12k drive end",
                                                    maxLength=200)), md=4),
            dbc.Col(form_field("Target sample rate (Hz)", dbc.Input(id="import-target-rate", **OPTIONAL_NUMBER),
                                  "Blank: keep each file's rate."), md=3),
            dbc.Col(form_field("Record length (s)", dbc.Input(id="import-record-seconds", step="any",
                                                                 **OPTIONAL_NUMBER),
                                  "Recordings are cut into back-to-back records. Blank: the service default."), md=3),
            dbc.Col(form_field("Seed", dbc.Input(id="import-seed", type="number", min=0, step=1, value=0)), md=2),
        ]),
        dbc.Row([
            dbc.Col(form_field("Window length (s)", dbc.Input(id="import-window-seconds", step="any",
                                                                 **OPTIONAL_NUMBER),
                                  "Optional: also store the 36 features of windows inside every record."), md=3),
            dbc.Col(form_field("Window hop (s)", dbc.Input(id="import-hop-seconds", step="any", **OPTIONAL_NUMBER),
                                  "Blank: the window length (no overlap)."), md=3),
            dbc.Col(form_field("Split policy", dbc.Select(id="import-split-policy", value="time_blocks",
                                                             options=SPLIT_POLICIES),
                                  "Time blocks: each recording's first 70 % of records train, the next 15 % "
                                  "validate, the last 15 % test. Whole recordings: needs 3+ recordings per label. "
                                  "Either way no window sits in two splits."), md=6),
        ]),
        dbc.Button([html.I(className="bi bi-box-arrow-in-down me-2"), "Import"], id="import-submit", color="primary"),
        html.Div(id="import-result", className="mt-3"),
    ])


def layout(ctx: DashboardContext, **_: Any) -> html.Div:
    config = {"url": UPLOAD_URL, "maxBytes": ctx.gateway.settings.upload_max_bytes, "suffixes": UPLOAD_SUFFIXES,
              "accept": ",".join(UPLOAD_SUFFIXES)}
    return html.Div([
        page_header("Import recordings", "Turn your own vibration recordings into a data set."),
        dcc.Store(id="import-config", data=config), dcc.Store(id="import-uploads", data=[]),
        dcc.Store(id="import-requested"),
        dbc.Row(dbc.Col(section_card("1 · Upload files", upload_card(config["maxBytes"])), className="mb-3")),
        dbc.Row(dbc.Col(section_card("2 · Map the files", html.Div(id="import-mapping")), className="mb-3")),
        dbc.Row([
            dbc.Col(section_card("3 · Import", import_form()), lg=8, className="mb-3"),
            dbc.Col(section_card("Recent imports", html.Div(id="import-recent")), lg=4, className="mb-3"),
        ]),
    ])


def mapping_values(states: list[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """field -> {object_key: value} from the ALL-pattern states of the mapping inputs (in MAPPING_FIELDS order)."""
    return {field: {state["id"]["key"]: state.get("value") for state in group}
            for field, group in zip(MAPPING_FIELDS, states, strict=True)}


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/import", name="Import", title="Import · PFD", order=25, sidebar=True,
                       icon="bi-upload", layout=protected(partial(layout, ctx)))
    catalog = ctx.gateway.datasets
    app.clientside_callback(ClientsideFunction("pfd", "importUpload"), Output("import-uploads", "data"),
                            Input("import-upload", "n_clicks"), Input("import-clear", "n_clicks"),
                            State("import-uploads", "data"), State("import-config", "data"),
                            prevent_initial_call=True)

    @app.callback(Output("import-mapping", "children"), Input("import-uploads", "data"), *MAPPING_STATES)
    def show_mapping(uploads: list[dict[str, Any]] | None, *_: Any) -> Any:
        """Re-rendered when files are added: what was entered for the earlier files stays."""
        return mapping_table(uploads or [], mapping_values(dash.ctx.states_list))

    @app.callback(Output("import-result", "children"), Output("import-requested", "data"),
                  Input("import-submit", "n_clicks"), State("import-name", "value"), State("import-uploads", "data"),
                  *[State(component, "value") for _, component in OPTION_INPUTS], *MAPPING_STATES,
                  running=[(Output("import-submit", "disabled"), True, False)], prevent_initial_call=True)
    def request_import(_: int, name: str | None, uploads: list[dict[str, Any]] | None, *values: Any) -> tuple[Any, Any]:
        try:
            if not uploads:
                raise InvalidInput("files", "Upload at least one file first.")
            files = import_specs(uploads, mapping_values(dash.ctx.states_list[-len(MAPPING_FIELDS):]))
            body = DatasetImportCreate.model_validate({"name": (name or "").strip(), "files": [f.model_dump() for f in files]}
                                                      | import_options(values[:len(OPTION_INPUTS)]))
            row = ctx.call(catalog.request_import(signed_in_principal(), body.name, files, **body.options()))
        except InvalidInput as exc:
            return import_alert(exc.message, "danger"), dash.no_update
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]).replace("_", " ")
            return import_alert(f"{field}: {first['msg']}", "danger"), dash.no_update
        return import_alert(f"Import “{row['name']}” requested with {len(files)} file(s); its progress shows "
                            "under Recent imports.", "success"), row["dataset_id"]

    @app.callback(Output("import-recent", "children"), Input("live-datasets", "data"),
                  Input("import-requested", "data"))
    def show_recent(frame: dict[str, Any] | None, _: Any) -> Any:
        rows = with_pushed(ctx.call(catalog.list(signed_in_principal())), pushed_event(frame))
        return recent_imports(rows, ctx.settings.recent_imports_shown)


def import_options(values: tuple[Any, ...]) -> dict[str, Any]:
    """The import form's option fields (OPTION_INPUTS order) as request fields; blanks are left out."""
    options = {field: value for (field, _), value in zip(OPTION_INPUTS, values, strict=True) if value not in (None, "")}
    return options | {"seed": options.get("seed") or 0}


def import_alert(text: str, color: str) -> dbc.Alert:
    return dbc.Alert(text, color=color, dismissable=True, className="mb-0 py-2", id="import-alert")
