"""Data-set tables, status cells, import mapping rows and form-error mapping (pure: data in, components out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import PurePath
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from pydantic import ValidationError

from pfd_shared.events.datasets import ImportFileSpec

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.dashboard.components.cards import empty_state, format_bytes
from pfd_gateway.datasets import states

STATUS_COLOURS = {states.REQUESTED: "secondary", states.BUILDING: "info", states.READY: "success",
                  states.FAILED: "danger", states.DELETING: "warning"}
DOWNLOAD_URL = "/api/v1/datasets/{}/download"
EXPLORER_URL = "/explorer?dataset={}"
TABLE_HEAD = ("Name", "Kind", "Status", "Records", "Classes", "Size", "Owner", "Created", "")
MAPPING_HEAD = ("File", "Variable", "Label", "Sample rate (Hz)", "Shaft speed (Hz, optional)")
MAPPING_FIELDS = ("variable", "label", "sample_rate_hz", "shaft_speed_hz")
VARIABLE_HINTS = {".mat": "MAT variable, e.g. X097_DE_time", ".csv": "column (blank: the only one)",
                  ".npz": "array name (blank: the only one)", ".npy": "not needed for .npy"}
NO_VALUE = "—"
FULL_PERCENT = 100.0  # a build without a reported total shows a full, animated bar


def pushed_event(frame: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The event envelope (JSON) of a ``live-datasets`` frame (``{"seq", "type", "at", "data"}``)."""
    return frame.get("data") if frame else None


def progress_fraction(row: Mapping[str, Any]) -> float | None:
    """How far a build has come (0..1), None when data-gen has not reported a total yet."""
    done, total = row.get("done"), row.get("total")
    if done is None or not total:
        return None
    return min(max(done / total, 0.0), 1.0)


def status_cell(row: Mapping[str, Any]) -> html.Div:
    """The status badge; while building also a progress bar with the stage; a failure's reason below."""
    status = row["status"]
    parts: list[Any] = [dbc.Badge(status, color=STATUS_COLOURS.get(status, "secondary"), className="pfd-ds-status")]
    if status == states.BUILDING:
        fraction = progress_fraction(row)
        stage = row.get("stage") or states.BUILDING
        label = stage if fraction is None else f"{stage} {row['done']}/{row['total']}"
        parts.append(dbc.Progress(value=FULL_PERCENT * (1.0 if fraction is None else fraction), striped=True,
                                  animated=fraction is None, className="pfd-ds-progress mt-1"))
        parts.append(html.Small(label, className="text-body-secondary d-block"))
    if status == states.FAILED and row.get("error"):
        parts.append(html.Small(row["error"], className="text-danger d-block pfd-ds-error"))
    return html.Div(parts)


def owner_label(owner_id: str, me: str) -> str:
    return "you" if owner_id == me else owner_id


def created_label(created_at: datetime | str) -> str:
    value = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
    return value.strftime("%Y-%m-%d %H:%M")


def _count(value: Any) -> str:
    return NO_VALUE if value is None else f"{value:,}"


def row_actions(row: Mapping[str, Any]) -> html.Div:
    dataset_id = row["dataset_id"]
    ready = row["status"] == states.READY
    download = html.A(html.I(className="bi bi-download"), href=DOWNLOAD_URL.format(dataset_id), title="Download (HDF5)",
                      className="btn btn-sm btn-outline-primary" + ("" if ready else " disabled"),
                      id={"type": "datasets-download", "id": dataset_id},
                      **({} if ready else {"aria-disabled": "true"}))
    explore = html.A(html.I(className="bi bi-search"), href=EXPLORER_URL.format(dataset_id),
                     title="Open in the data explorer", id={"type": "datasets-explore", "id": dataset_id},
                     className="btn btn-sm btn-outline-primary" + ("" if ready else " disabled"),
                     **({} if ready else {"aria-disabled": "true"}))
    buttons: list[Any] = [
        dbc.Button(html.I(className="bi bi-bar-chart"), id={"type": "datasets-select", "id": dataset_id}, size="sm",
                   color="secondary", outline=True, title="Show the class distribution"),
        explore,
        download,
    ]
    if states.can_delete(row["status"]):
        buttons.append(dbc.Button(html.I(className="bi bi-trash"), size="sm", color="danger", outline=True,
                                  title="Delete",
                                  id={"type": "datasets-delete", "id": dataset_id, "name": row["name"]}))
    return html.Div(buttons, className="d-flex gap-1 justify-content-end")


def datasets_table(rows: Sequence[Mapping[str, Any]], me: str) -> html.Div | dbc.Table:
    if not rows:
        return empty_state("bi-database", "No data sets yet",
                           "Generate a synthetic data set above or import recordings on the Import page.",
                           html.A("Import recordings", href="/import", className="btn btn-sm btn-outline-primary"))
    body = [html.Tr([
        html.Td(html.Strong(row["name"])), html.Td(row["kind"]), html.Td(status_cell(row)),
        html.Td(_count(row.get("records"))),
        html.Td(_count(len(row["class_names"])) if row.get("class_names") else NO_VALUE),
        html.Td(format_bytes(row["size_bytes"]) if row.get("size_bytes") is not None else NO_VALUE),
        html.Td(owner_label(row["owner_id"], me), className="text-body-secondary"),
        html.Td(created_label(row["created_at"]), className="text-nowrap"), html.Td(row_actions(row)),
    ], id={"type": "datasets-row", "id": row["dataset_id"]}) for row in rows]
    head = html.Thead(html.Tr([html.Th(title) for title in TABLE_HEAD]))
    return dbc.Table([head, html.Tbody(body)], hover=True, responsive=True, className="mb-0 align-middle",
                     id="datasets-table")


def recent_imports(rows: Sequence[Mapping[str, Any]], limit: int) -> html.Div | dbc.ListGroup:
    """The newest imported data sets with their live status."""
    imported = [row for row in rows if row["kind"] == "imported"][:limit]
    if not imported:
        return empty_state("bi-upload", "No imports yet", "Upload recordings, map them and press Import.")
    return dbc.ListGroup([dbc.ListGroupItem([
        html.Div([html.Strong(row["name"]),
                  html.Small(created_label(row["created_at"]), className="text-body-secondary d-block")]),
        html.Div(status_cell(row), className="pfd-ds-import-status"),
    ], className="d-flex justify-content-between align-items-start gap-2",
        id={"type": "import-recent", "id": row["dataset_id"]}) for row in imported],
        flush=True, id="import-recent-list")


def _mapping_input(field: str, key: str, **props: Any) -> dbc.Input:
    return dbc.Input(id={"type": f"import-{field.replace('_', '-')}", "key": key}, size="sm", **props)


def variable_label(variable: Mapping[str, Any]) -> str:
    """``X118_DE_time · 122,571 × float64`` (shape when it has more than one dimension)."""
    shape = variable.get("shape") or []
    size = " × ".join(f"{d:,}" for d in shape) if len(shape) > 1 else f"{variable['length']:,}"
    return f"{variable['name']} · {size} × {variable['dtype']}"


def _detected(inspection: Mapping[str, Any], field: str) -> tuple[Any, str | None]:
    value, source = inspection.get(field), inspection.get(field.replace("_hz", "_source"))
    return value, (f"detected from {source}" if value is not None and source else None)


def _variable_cell(key: str, suffix: str, inspection: Mapping[str, Any] | None, value: Any) -> Any:
    """A dropdown of the file's variables (length and dtype) when the upload was inspected, else a text field."""
    if not inspection or not inspection.get("variables"):
        return _mapping_input("variable", key, placeholder=VARIABLE_HINTS.get(suffix, ""), disabled=suffix == ".npy",
                              value=value)
    listed = inspection["variables"]
    signals = [v for v in listed if v["length"] > 1]
    scalars = [f"{v['name']} = {v['value']:g}" for v in listed if v.get("value") is not None]
    chosen = value if value in {v["name"] for v in signals} else inspection.get("suggested_variable")
    select = dbc.Select(id={"type": "import-variable", "key": key}, size="sm", value=chosen or "",
                        placeholder="choose a variable…",
                        options=[{"label": variable_label(v), "value": v["name"]} for v in signals])
    notes = list(inspection.get("notes") or []) + ([f"also: {', '.join(scalars)}"] if scalars else [])
    return html.Div([select] + [html.Small(note, className="text-body-secondary d-block") for note in notes])


def _number_cell(field: str, key: str, inspection: Mapping[str, Any] | None, value: Any, **props: Any) -> Any:
    detected, source = _detected(inspection or {}, field)
    shown = value if value not in (None, "") else (round(detected, 3) if detected is not None else None)
    hint = [html.Small(source, className="text-body-secondary d-block pfd-import-detected")] if source else []
    return html.Div([_mapping_input(field, key, type="number", min=0, step="any", value=shown, **props), *hint])


def mapping_table(uploads: Sequence[Mapping[str, Any]],
                  current: Mapping[str, Mapping[str, Any]] | None = None) -> html.Div | dbc.Table:
    """One row per uploaded file: how to read it (variable) and what it is (label, sample rate, shaft speed).

    ``current`` (field -> {object_key: value}) keeps what the user already entered for files listed before;
    new files start from what the upload's inspection detected.
    """
    if not uploads:
        return empty_state("bi-file-earmark-arrow-up", "No files uploaded yet",
                           "Uploaded files appear here to be mapped before the import.")
    current = current or {}
    rows = []
    for upload in uploads:
        key, suffix = upload["object_key"], PurePath(upload["file_name"]).suffix.lower()
        inspection = upload.get("inspection")
        entered = {field: current.get(field, {}).get(key) for field in MAPPING_FIELDS}
        rows.append(html.Tr([
            html.Td([html.Div(upload["file_name"], className="fw-semibold"),
                     html.Small(format_bytes(upload["size_bytes"]), className="text-body-secondary")]),
            html.Td(_variable_cell(key, suffix, inspection, entered["variable"])),
            html.Td(_mapping_input("label", key, placeholder="e.g. inner_race", value=entered["label"])),
            html.Td(_number_cell("sample_rate_hz", key, inspection, entered["sample_rate_hz"],
                                 placeholder="e.g. 12000")),
            html.Td(_number_cell("shaft_speed_hz", key, inspection, entered["shaft_speed_hz"])),
        ], id={"type": "import-mapping-row", "key": key}))
    head = html.Thead(html.Tr([html.Th(title) for title in MAPPING_HEAD]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0 align-middle",
                     id="import-mapping-table")


def import_specs(uploads: Sequence[Mapping[str, Any]],
                 mapping: Mapping[str, Mapping[str, Any]]) -> list[ImportFileSpec]:
    """The files of an import; ``mapping`` is field -> {object_key: value}. Errors name the file and the field."""
    specs = []
    for index, upload in enumerate(uploads):
        values = {field: mapping.get(field, {}).get(upload["object_key"]) for field in MAPPING_FIELDS}
        values = {field: value.strip() if isinstance(value, str) else value for field, value in values.items()}
        try:
            specs.append(ImportFileSpec(object_key=upload["object_key"], file_name=upload["file_name"],
                                        **{field: value for field, value in values.items() if value not in ("", None)}))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise InvalidInput(f"files.{index}.{field}",
                               f"{upload['file_name']}: {field.replace('_', ' ')}: {first['msg']}") from exc
    return specs


def form_errors(exc: InvalidInput | ValidationError, fields: Sequence[str]) -> dict[str, str]:
    """Field -> message for a form whose inputs are ``fields`` (``config.x.y`` belongs to ``config``)."""
    if isinstance(exc, InvalidInput):
        found = [(exc.field, exc.message)]
    else:
        found = [(".".join(str(part) for part in error["loc"]), error["msg"]) for error in exc.errors()]
    errors: dict[str, str] = {}
    for path, message in found:
        head = path.split(".", 1)[0]
        field = head if head in fields else fields[-1]
        detail = path.split(".", 1)[1] if "." in path and head == field else ""
        errors.setdefault(field, f"{detail}: {message}" if detail else message)
    return errors
