"""The explanations slice's pure parts: request checks against the catalogues, states, the page's figures and
pieces."""

from datetime import UTC, datetime

import pytest

from pfd_shared.training import MODEL_CATALOGUE

from pfd_gateway.auth.errors import InvalidInput, NotFound
from pfd_gateway.dashboard.components import xai as parts
from pfd_gateway.dashboard.figures import xai as figures
from pfd_gateway.dashboard.pages.xai import page_layout
from pfd_gateway.experiments.views import ExperimentDetail, RunPublic
from pfd_gateway.explanations import requests, states
from pfd_gateway.explanations.views import (
    AttributionsPublic,
    Bands,
    EmbeddingPointsPublic,
    ExplainableExperiment,
    ExplainableRun,
    XaiChoices,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def experiment(model: str = "cnn1d", status: str = "evaluated") -> ExperimentDetail:
    run = RunPublic(run_id="r1", experiment_id="e1", seed=0, run_index=0, status=status, updated_at=NOW)
    return ExperimentDetail(experiment_id="e1", owner_id="u", name="n", dataset_id="d", dataset_name="d",
                            model=model, preset="small", status=status, run_count=1,
                            config={"window": {"length": 512}}, created_at=NOW, updated_at=NOW, runs=[run])


def test_only_trained_neural_runs_can_be_explained() -> None:
    assert requests.trained_run(experiment(), "r1").run_id == "r1"
    with pytest.raises(NotFound):
        requests.trained_run(experiment(), "other")
    with pytest.raises(InvalidInput, match="no trained model yet"):
        requests.trained_run(experiment(status="running"), "r1")
    with pytest.raises(InvalidInput, match="classical model on features"):
        requests.neural_model(experiment("random_forest"))
    assert requests.window_length(experiment()) == 512


def test_grad_cam_is_refused_for_a_model_without_convolutions() -> None:
    no_conv = MODEL_CATALOGUE["cnn1d"].model_copy(update={"name": "mlp", "has_conv": False})
    with pytest.raises(InvalidInput, match="Grad-CAM needs a convolution layer; mlp has none") as refused:
        requests.resolve_methods(no_conv, {"saliency": {}, "grad_cam": {}})
    assert refused.value.field == "methods.grad_cam"
    resolved = requests.resolve_methods(MODEL_CATALOGUE["cnn1d"], {"grad_cam": {}, "occlusion": {"window_ms": 2}})
    assert resolved["occlusion"] == {"window_ms": 2.0, "stride_ms": 5.0} and resolved["grad_cam"] == {}


def test_windows_records_and_rates_are_checked() -> None:
    dataset = {"name": "s", "status": "ready", "object_key": "k", "records": 4, "samples_per_record": 1100,
               "sample_rate_hz": 12000.0}
    requests.check_window(dataset, 3, 1, 512)
    with pytest.raises(InvalidInput, match="2 window"):
        requests.check_window(dataset, 0, 2, 512)
    with pytest.raises(InvalidInput, match="record 4 does not exist"):
        requests.check_window(dataset, 4, 0, 512)
    with pytest.raises(InvalidInput, match="sampled at 12000 Hz, the model at 48000 Hz"):
        requests.check_dataset(dataset, 48_000.0)
    with pytest.raises(InvalidInput, match="not ready"):
        requests.check_dataset(dataset | {"status": "running"}, None)


def test_the_same_question_hashes_alike_and_progress_only_moves_forward() -> None:
    assert requests.request_hash(a=1, b={"x": 1, "y": 2}) == requests.request_hash(b={"y": 2, "x": 1}, a=1)
    assert requests.request_hash(a=1) != requests.request_hash(a=2)
    assert states.progressed(states.REQUESTED, 1, 0) == states.RUNNING
    assert states.progressed(states.CANCELLING, 2, 1) == states.CANCELLING
    assert states.progressed(states.RUNNING, 1, 2) is None and states.progressed(states.READY, 3, 1) == states.READY


def test_the_attribution_figure_has_one_heatmap_per_method_over_the_signal() -> None:
    arrays = AttributionsPublic(explanation_id="x", sample_rate_hz=1000.0, signal=[[0.0, 1.0, -1.0, 0.5]],
                                attributions={"saliency": [[0.0, 2.0, 1.0, 0.0]], "occlusion": [[-1.0, 0, 0, 4.0]]})
    figure = figures.attribution_figure(arrays, parts.LABELS)
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert [trace.name for trace in heatmaps] == ["Saliency", "Occlusion"]
    assert list(heatmaps[0].z[0]) == [0.0, 1.0, 0.5, 0.0] and list(heatmaps[0].x) == [0.0, 1.0, 2.0, 3.0]
    assert sum(trace.type == "scatter" for trace in figure.data) == 2
    empty = figures.attribution_figure(arrays.model_copy(update={"attributions": {}}), parts.LABELS)
    assert empty.layout.annotations[0].text == figures.NO_TIME_METHOD


def test_band_and_embedding_figures() -> None:
    bands = figures.band_figure(Bands(low_hz=[0, 500], high_hz=[500, 1000], drop=[0.3, -0.2]), "fault")
    assert list(bands.data[0].x) == ["0–500 Hz", "500–1,000 Hz"] and list(bands.data[0].y) == [0.3, -0.2]
    assert figures.band_figure(None).layout.annotations[0].text == figures.NO_BANDS
    points = EmbeddingPointsPublic(embedding_id="m", class_names=["a", "b"], x=[0, 1, 2], y=[1, 1, 1],
                                   labels=[0, 1, 1], predicted=[0, 0, 1], records=[0, 1, 2], windows=[0, 0, 0])
    traces = figures.embedding_figure(points, "pca").data
    assert [trace.name for trace in traces] == ["a", "b", "misclassified (1)"] and list(traces[2].x) == [1]


def test_page_pieces_parse_methods_and_follow_pushed_frames() -> None:
    ids = [{"method": "integrated_gradients", "param": "n_steps"}, {"method": "occlusion", "param": "window_ms"}]
    assert parts.parse_methods(["integrated_gradients"], ids, [32.0, 5]) == {"integrated_gradients": {"n_steps": 32}}
    frames = {"frames": [{"type": "xai.explanation_progress", "data": {"payload": {"explanation_id": "a"}}},
                         {"type": "xai.explanation_ready", "data": {"payload": {"explanation_id": "b"}}},
                         {"type": "xai.embedding_ready", "data": {"payload": {"embedding_id": "m"}}}]}
    assert parts.pushed_ids(frames, "explanation_id") == {"a", "b"} and parts.finished_ids(frames) == {"b"}
    assert parts.pushed_ids(None, "embedding_id") == set()
    assert parts.explain_url("e", "r", "d", 7) == "/xai?experiment=e&run=r&dataset=d&record=7"
    assert {o["value"]: o["disabled"] for o in parts.method_options(has_conv=False)}["grad_cam"]


def test_the_page_defaults_come_from_the_url_then_the_experiment() -> None:
    choices = XaiChoices(experiments=[ExplainableExperiment(
        experiment_id="e1", name="n", model="cnn1d", dataset_id="d1", window_length=512, has_conv=True,
        runs=[ExplainableRun(run_id="r1", seed=0), ExplainableRun(run_id="r2", seed=1)])], datasets=[])
    assert parts.pick(choices, "missing") == "e1" and parts.pick(choices, "e1") == "e1"
    runs, run, dataset, trained_on, _ = parts.experiment_defaults(choices, "e1", {"run": "r2", "dataset": "x"})
    assert [option["value"] for option in runs] == ["r1", "r2"] and run == "r2" and dataset is None


def test_the_page_layout_builds_with_the_url_defaults() -> None:
    layout = page_layout({"experiment": "e1", "run": "r1", "dataset": "d1", "record": "5"})
    text = str(layout)
    assert "xai-heatmap" in text and "xai-embedding-graph" in text and "'n_steps'" in text


def test_misclassified_records_link_to_the_xai_page_when_the_run_is_known() -> None:
    from pfd_gateway.dashboard.components.experiments import misclassified_table

    rows = [{"record": 7, "true_class": "a", "predicted_class": "b", "confidence": 0.9}]
    assert "/xai?experiment=e1&run=r1&dataset=d1&record=7" in str(misclassified_table("d1", rows, "t", 5, ("e1", "r1")))
    assert "/xai?" not in str(misclassified_table("d1", rows, "t", 5))
