"""Pure builders of the Data sets and Import pages: tables, status cells, mapping, form errors, figure."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.datasets import DatasetDeleted, DatasetProgress, DatasetReady

from pfd_gateway.api.dataset_models import DatasetGenerateCreate
from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.dashboard.components.datasets import (
    DOWNLOAD_URL,
    datasets_table,
    form_errors,
    import_specs,
    mapping_table,
    progress_fraction,
    pushed_event,
    recent_imports,
    status_cell,
)
from pfd_gateway.dashboard.figures.datasets import class_distribution_figure
from pfd_gateway.dashboard.pages.import_data import mapping_values
from pfd_gateway.datasets.service import with_pushed

FIELDS = ("name", "preset", "seed", "config")
CREATED = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def row(dataset_id: str = "d1", **changes: Any) -> dict[str, Any]:
    base = {"dataset_id": dataset_id, "owner_id": "u1", "name": f"set {dataset_id}", "kind": "synthetic",
            "status": "requested", "stage": None, "done": None, "total": None, "records": None, "class_names": None,
            "class_counts": None, "size_bytes": None, "error": None, "created_at": CREATED}
    return base | changes


def walk(component: Any) -> list[Any]:
    """The component and all its descendants."""
    found = [component]
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found.extend(walk(child))
    return found


def text(component: Any) -> str:
    parts = []
    for node in walk(component):
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if isinstance(child, str | int | float):
                parts.append(str(child))
    return " ".join(parts)


def ids(component: Any, kind: str) -> list[dict[str, str]]:
    return [node.id for node in walk(component) if isinstance(getattr(node, "id", None), dict)
            and node.id.get("type") == kind]


def test_progress_is_a_fraction_only_with_a_total() -> None:
    assert progress_fraction(row(done=5, total=10)) == 0.5
    assert progress_fraction(row(done=12, total=10)) == 1.0
    assert progress_fraction(row(done=0, total=0)) is None
    assert progress_fraction(row()) is None


def test_status_cell_shows_a_progress_bar_only_while_building_and_a_failure_reason() -> None:
    building = status_cell(row(status="building", stage="features", done=3, total=4))
    bars = [node for node in walk(building) if type(node).__name__ == "Progress"]
    assert len(bars) == 1 and bars[0].value == 75.0
    assert "features 3/4" in text(building)
    assert not [node for node in walk(status_cell(row())) if type(node).__name__ == "Progress"]
    assert "bad variable" in text(status_cell(row(status="failed", error="bad variable")))


def test_datasets_table_lists_rows_with_actions_by_status() -> None:
    rows = [row("a", status="ready", records=1_100, class_names=["healthy", "misalignment"], size_bytes=2048,
                owner_id="me"),
            row("b", status="deleting", owner_id="other")]
    table = datasets_table(rows, "me")
    content = text(table)
    assert "set a" in content and "1,100" in content and "2.0 KiB" in content and "2026-01-02 03:04" in content
    assert "you" in content and "other" in content
    assert [i["id"] for i in ids(table, "datasets-delete")] == ["a"]  # a set being deleted cannot be deleted again
    assert ids(table, "datasets-delete")[0]["name"] == "set a"
    links = {node.id["id"]: node for node in walk(table) if type(node).__name__ == "A"}
    assert links["a"].href == DOWNLOAD_URL.format("a") and "disabled" not in links["a"].className
    assert "disabled" in links["b"].className  # only a ready set can be downloaded
    assert "No data sets yet" in text(datasets_table([], "me"))


def test_recent_imports_keep_only_imported_sets_newest_first_up_to_the_limit() -> None:
    rows = [row("s"), *[row(f"i{n}", kind="imported") for n in range(3)]]
    shown = recent_imports(rows, 2)
    assert [i["id"] for i in ids(shown, "import-recent")] == ["i0", "i1"]
    assert "No imports yet" in text(recent_imports([row("s")], 2))


def test_mapping_table_has_one_row_per_upload_with_a_hint_for_mat_variables() -> None:
    uploads = [{"object_key": "uploads/u/1-a.mat", "file_name": "a.mat", "size_bytes": 3 * 1024 * 1024},
               {"object_key": "uploads/u/2-b.npy", "file_name": "b.npy", "size_bytes": 128}]
    table = mapping_table(uploads)
    assert [i["key"] for i in ids(table, "import-mapping-row")] == ["uploads/u/1-a.mat", "uploads/u/2-b.npy"]
    assert "3.0 MiB" in text(table) and "128 B" in text(table)
    variables = [node for node in walk(table) if isinstance(getattr(node, "id", None), dict)
                 and node.id["type"] == "import-variable"]
    assert "X097_DE_time" in variables[0].placeholder and variables[1].disabled
    assert "No files uploaded yet" in text(mapping_table([]))


INSPECTED = {"variables": [{"name": "X118_DE_time", "shape": [122571, 1], "length": 122571, "dtype": "float64"},
                           {"name": "X118_FE_time", "shape": [122571, 1], "length": 122571, "dtype": "float64"},
                           {"name": "X118RPM", "shape": [1, 1], "length": 1, "dtype": "float64", "value": 1796.0}],
             "suggested_variable": None, "sample_rate_hz": 12000.0, "sample_rate_source": "the file name (check it)",
             "shaft_speed_hz": 29.9333, "shaft_speed_source": "variable X118RPM (rpm)", "notes": []}


def inputs(table: Any, kind: str) -> dict[str, Any]:
    return {node.id["key"]: node for node in walk(table) if isinstance(getattr(node, "id", None), dict)
            and node.id["type"] == kind}


def test_inspected_files_offer_their_variables_and_prefill_detected_values() -> None:
    uploads = [{"object_key": "k1", "file_name": "118.mat", "size_bytes": 10, "inspection": INSPECTED}]
    table = mapping_table(uploads)
    select = inputs(table, "import-variable")["k1"]
    assert [o["value"] for o in select.options] == ["X118_DE_time", "X118_FE_time"]
    assert select.options[0]["label"] == "X118_DE_time · 122,571 × 1 × float64" and select.value == ""
    assert inputs(table, "import-sample-rate-hz")["k1"].value == 12000.0
    assert inputs(table, "import-shaft-speed-hz")["k1"].value == 29.933
    assert "detected from variable X118RPM (rpm)" in text(table) and "X118RPM = 1796" in text(table)


def test_more_uploads_keep_what_was_entered_for_the_earlier_files() -> None:
    """The bug: the mapping was rebuilt from the uploads alone, so a second upload cleared typed labels and rates."""
    first = {"object_key": "k1", "file_name": "118.mat", "size_bytes": 10, "inspection": INSPECTED}
    second = {"object_key": "k2", "file_name": "b.npy", "size_bytes": 10}
    entered = {"variable": {"k1": "X118_FE_time"}, "label": {"k1": "B007"}, "sample_rate_hz": {"k1": 48000},
               "shaft_speed_hz": {"k1": None}}
    table = mapping_table([first, second], entered)
    assert inputs(table, "import-variable")["k1"].value == "X118_FE_time"
    assert inputs(table, "import-label")["k1"].value == "B007" and inputs(table, "import-label")["k2"].value is None
    assert inputs(table, "import-sample-rate-hz")["k1"].value == 48000  # the user's value beats the detected one
    assert inputs(table, "import-shaft-speed-hz")["k1"].value == 29.933


def test_import_specs_read_the_mapping_and_errors_name_the_file() -> None:
    uploads = [{"object_key": "k1", "file_name": "a.mat"}, {"object_key": "k2", "file_name": "b.csv"}]
    states = [[{"id": {"type": "import-variable", "key": k}, "value": v} for k, v in (("k1", " X097_DE_time "),
                                                                                    ("k2", ""))],
              [{"id": {"type": "import-label", "key": k}, "value": v} for k, v in (("k1", "normal"), ("k2", "ir"))],
              [{"id": {"type": "import-sample-rate-hz", "key": k}, "value": 12000} for k in ("k1", "k2")],
              [{"id": {"type": "import-shaft-speed-hz", "key": k}, "value": None} for k in ("k1", "k2")]]
    specs = import_specs(uploads, mapping_values(states))
    assert [(s.variable, s.label, s.sample_rate_hz, s.shaft_speed_hz) for s in specs] == [
        ("X097_DE_time", "normal", 12000, None), (None, "ir", 12000, None)]
    states[1][1]["value"] = "  "
    with pytest.raises(InvalidInput) as caught:
        import_specs(uploads, mapping_values(states))
    assert caught.value.field == "files.1.label" and caught.value.message.startswith("b.csv: label")


def test_form_errors_put_each_message_next_to_its_field() -> None:
    assert form_errors(InvalidInput("config.dataset.records_per_class", "too small"), FIELDS) == {
        "config": "dataset.records_per_class: too small"}
    assert form_errors(InvalidInput("preset", "unknown preset"), FIELDS) == {"preset": "unknown preset"}
    with pytest.raises(ValidationError) as caught:
        DatasetGenerateCreate.model_validate({"name": "", "seed": -1})
    errors = form_errors(caught.value, FIELDS)
    assert set(errors) == {"name", "seed"}


def test_class_distribution_has_one_bar_per_class_and_says_when_not_built() -> None:
    figure = class_distribution_figure(["healthy", "misalignment"], [55, 45], "q")
    assert list(figure.data[0].y) == ["healthy", "misalignment"] and list(figure.data[0].x) == [55, 45]
    assert figure.layout.title.text == "q"
    taller = class_distribution_figure([f"c{n}" for n in range(10)], [1] * 10)
    assert taller.layout.height > figure.layout.height
    for names, counts in ((None, None), (["a"], [1, 2])):
        empty = class_distribution_figure(names, counts)
        assert not empty.data and "not built" in empty.layout.annotations[0].text


def frame(event: object) -> dict[str, Any]:
    """A live-datasets frame as live.js writes it."""
    envelope = json.loads(encode_event(new_envelope(event, producer="data-gen", owner="u1")))
    return {"seq": 1, "type": envelope["type"], "at": 0, "data": envelope}


def test_a_pushed_event_that_overtakes_its_projection_is_shown_anyway() -> None:
    rows = [row("a"), row("b", status="ready")]
    progressed = with_pushed(rows, pushed_event(frame(DatasetProgress(dataset_id="a", stage="signals", done=2,
                                                                      total=8))))
    assert progressed[0]["status"] == "building" and progressed[0]["done"] == 2 and progressed[1] == rows[1]
    late = with_pushed(rows, pushed_event(frame(DatasetProgress(dataset_id="b", stage="x", done=1, total=2))))
    assert late[1]["status"] == "ready"  # progress never reopens a finished set
    ready = DatasetReady(dataset_id="a", name="set a", kind="synthetic", object_key="k", size_bytes=9, sha256="s",
                         records=4, samples_per_record=8, sample_rate_hz=100, class_names=("x", "y"),
                         class_counts=(2, 2), feature_names=("rms",), split_counts={"train": 4}, seconds=1)
    assert with_pushed(rows, pushed_event(frame(ready)))[0]["class_counts"] == [2, 2]
    assert [r["dataset_id"] for r in with_pushed(rows, pushed_event(frame(DatasetDeleted(dataset_id="a"))))] == ["b"]
    assert with_pushed(rows, None) == rows and with_pushed(rows, {"type": "nonsense"}) == rows
