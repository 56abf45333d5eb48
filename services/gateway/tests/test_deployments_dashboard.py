"""Pure parts of the Deployment and Models pages: benchmark figures, the variant table, the pages' renders."""

from datetime import UTC, datetime

from dash import html

from pfd_shared.testing.deploy_events import benchmarked

from pfd_gateway.dashboard.components.deployments import epoch_ms, variants_table, version_options, versions_table
from pfd_gateway.dashboard.figures.deploy import CHARTS, benchmark_figure
from pfd_gateway.dashboard.pages import deployment, models
from pfd_gateway.deployments.views import DeploymentPublic, DeploymentView, ModelDetail, VersionPublic

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
RESULTS = benchmarked("d1", "bearing", 1).results


def version(number: int, status: str = "ready", aliases: tuple[str, ...] = ()) -> VersionPublic:
    return VersionPublic(model_name="bearing", version=number, deployment_id="d1", experiment_id="e", run_id="r",
                         architecture="cnn1d", dataset_id="s", class_names=["a", "b"], window_length=256,
                         sample_rate_hz=12_000, artefacts=[], parity={"argmax_agreement": 1.0},
                         metrics={"record_accuracy": 0.9}, benchmarks=list(RESULTS), notes=["static pays"],
                         torch_throughput_per_s=1500.0, status=status, aliases=list(aliases), created_at=NOW,
                         updated_at=NOW)


def text_of(component) -> str:
    if isinstance(component, str | int | float):
        return str(component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    return " ".join(text_of(child) for child in (children if isinstance(children, list | tuple) else [children]))


def test_each_chart_has_a_bar_per_variant_and_latency_both_percentiles() -> None:
    for chart in CHARTS:
        assert list(benchmark_figure(RESULTS, chart).data[0].x) == ["fp32", "int8_dynamic", "int8_static", "fp16"]
    latency = benchmark_figure(RESULTS, "latency")
    assert [trace.name for trace in latency.data] == ["p50", "p99"]
    assert benchmark_figure(RESULTS, "size").data[0].y[0] == RESULTS[0].size_bytes / 1024 / 1024
    throughput = benchmark_figure(RESULTS, "throughput", torch_throughput_per_s=1500.0)
    assert "PyTorch eager" in throughput.layout.annotations[0].text
    assert "No benchmark" in benchmark_figure([], "size").layout.annotations[0].text


def test_the_variant_table_compares_with_fp32_and_keeps_the_notes() -> None:
    text = text_of(variants_table(version(1), "t"))
    assert "1.60×" in text and "0.80×" in text and "-0.40 pt" in text and "linear layers" in text
    assert "No benchmark" in text_of(variants_table(None, "t"))


def test_only_ready_versions_can_be_promoted_and_served_ones_not_deleted() -> None:
    versions = [version(3, "broken"), version(2, aliases=("production",)), version(1)]
    assert [option["value"] for option in version_options(versions)] == [2, 1]
    table = versions_table(versions, "models")
    buttons = [c for c in _walk(table) if isinstance(c, html.Button) or type(c).__name__ == "Button"]
    assert [button.disabled for button in buttons] == [False, True, False]
    assert models._kept(version_options(versions), "1") == 1 and models._kept(version_options(versions), "3") == 2


def test_the_page_snapshots_carry_the_newest_projected_event() -> None:
    deployment_view = DeploymentView(deployment=DeploymentPublic(
        deployment_id="d1", owner_id="u", experiment_id="e", experiment_name="exp", run_id="r", model_name="bearing",
        variants=["fp32"], status="running", done=1, total=4, created_at=NOW, updated_at=NOW,
        last_event_at=NOW), version=None, model_last_event_at=None)
    snap = deployment.snapshot(deployment_view, seen=7)
    assert snap["active"] and snap["last_event_ms"] == epoch_ms(NOW) and snap["seen"] == 7
    assert epoch_ms(NOW.replace(tzinfo=None)) == epoch_ms(NOW)  # SQLite's naive times are UTC
    detail = ModelDetail(model_name="bearing", owner_id="u", versions=1, aliases={"production": 1}, created_at=NOW,
                         updated_at=NOW, last_event_at=NOW, version_list=[version(1, aliases=("production",))])
    rendered = models.render(detail, seen=3, chosen=None)
    assert rendered[3] == 1 and rendered[4] == [{"label": "production (v1)", "value": "production"}]
    assert rendered[5]["model_name"] == "bearing" and rendered[5]["seen"] == 3


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)
