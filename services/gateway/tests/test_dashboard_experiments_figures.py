"""Pure figure builders of the experiment pages (dashboard/figures/training.py)."""

import pytest

from pfd_gateway.dashboard.figures.training import (
    UID_SEPARATOR,
    calibration_figure,
    confusion_figure,
    curves_figure,
    mean_curve,
    metric_bars_figure,
    overlaid_curves_figure,
    robustness_figure,
    roc_figure,
    run_curves,
    snr_order,
)


def epoch(n: int, **values: float) -> dict[str, float]:
    base = {"epoch": n, "train_loss": 1.0 / n, "val_loss": 1.2 / n, "train_accuracy": 0.5 + n / 100,
            "val_accuracy": 0.4 + n / 100, "learning_rate": 1e-3 / n}
    return base | values


def test_run_curves_orders_epochs_and_keeps_one_row_per_epoch() -> None:
    curves = run_curves("r1", "seed 0", [epoch(2), epoch(1), epoch(2, val_loss=9.0)])
    assert list(curves.epochs) == [1, 2]
    assert curves.series["val_loss"] == [1.2, 9.0]  # a redelivered epoch replaces, never duplicates


def test_curves_have_a_train_and_val_trace_per_run_with_extendable_uids() -> None:
    runs = [run_curves("r1", "seed 0", [epoch(1), epoch(2)]), run_curves("r2", "seed 1", [])]
    figure = curves_figure(runs, "loss", uirevision="e1")
    assert [trace.uid for trace in figure.data] == [f"r1{UID_SEPARATOR}train_loss", f"r1{UID_SEPARATOR}val_loss",
                                                    f"r2{UID_SEPARATOR}train_loss", f"r2{UID_SEPARATOR}val_loss"]
    assert list(figure.data[1].x) == [1, 2] and list(figure.data[1].y) == [1.2, 0.6]
    assert figure.data[2].x == () and figure.data[0].line.dash == "solid" and figure.data[1].line.dash == "dash"
    assert figure.data[0].line.color == figure.data[1].line.color != figure.data[2].line.color
    assert figure.layout.uirevision == "e1"
    lr = curves_figure(runs, "learning_rate")
    assert len(lr.data) == 2 and lr.layout.yaxis.type == "log"
    assert curves_figure(runs, "accuracy").layout.yaxis.range == (0, 1.02)
    assert "No run" in curves_figure([], "loss").layout.annotations[0].text


def test_confusion_heatmap_colours_by_row_share_and_prints_counts() -> None:
    figure = confusion_figure(["a", "b"], [[8, 2], [0, 5]])
    heat = figure.data[0]
    assert heat.z[0][0] == pytest.approx(0.8) and heat.z[1][1] == pytest.approx(1.0)
    assert heat.text.tolist() == [[8, 2], [0, 5]]
    assert figure.layout.yaxis.autorange == "reversed"
    assert "not been evaluated" in confusion_figure(["a", "b"], [[1]]).layout.annotations[0].text
    empty_row = confusion_figure(["a", "b"], [[0, 0], [1, 1]]).data[0]
    assert empty_row.z[0].tolist() == [0.0, 0.0]  # a class without test records divides by nothing


def test_roc_has_a_chance_line_and_auc_in_the_legend() -> None:
    figure = roc_figure({"inner": {"fpr": [0, 0.1, 1], "tpr": [0, 0.9, 1]}, "empty": {"fpr": [], "tpr": []}},
                        {"inner": 0.955, "empty": None})
    assert [trace.name for trace in figure.data] == ["chance", "inner (AUC 0.955)"]
    assert "No ROC" in roc_figure({}, {}).layout.annotations[0].text


def test_calibration_skips_empty_bins_and_shows_the_ece() -> None:
    figure = calibration_figure([0.15, 0.55, 0.95], [0.1, 0.5, 0.97], [4, 0, 20], ece=0.031)
    model = figure.data[1]
    assert list(model.x) == [0.15, 0.95] and list(model.customdata) == [4, 20]
    assert "0.031" in figure.layout.title.text
    assert "No calibration" in calibration_figure([0.5], [0.5], [0]).layout.annotations[0].text


def test_robustness_orders_clean_then_decreasing_snr() -> None:
    assert sorted(["5dB", "clean", "20dB", "10dB"], key=snr_order) == ["clean", "20dB", "10dB", "5dB"]
    figure = robustness_figure({"record accuracy": {"5dB": (0.7, 0.05), "20dB": (0.95, 0.01), "clean": (0.99, 0.0)}})
    bars = figure.data[0]
    assert list(bars.x) == ["clean", "20dB", "5dB"] and list(bars.y) == [0.99, 0.95, 0.7]
    assert list(bars.error_y.array) == [0.0, 0.01, 0.05]
    assert "no noisy test copies" in robustness_figure({"x": {}}).layout.annotations[0].text


def test_metric_bars_group_experiments_with_std_error_bars() -> None:
    series = {"A": {"record_accuracy": (0.9, 0.02), "ece": (0.05, 0.01)}, "B": {"record_accuracy": (0.8, 0.0)}}
    figure = metric_bars_figure(["record_accuracy", "macro_f1", "ece"], series, {"record_accuracy": "Record acc."})
    assert [trace.name for trace in figure.data] == ["A", "B"]
    assert list(figure.data[0].x) == ["Record acc.", "ece"]  # a metric nobody has is left out
    assert list(figure.data[1].y) == [0.8, None] and list(figure.data[0].error_y.array) == [0.02, 0.01]
    assert "No evaluated run" in metric_bars_figure(["macro_f1"], series).layout.annotations[0].text


def test_mean_curve_is_taken_over_the_epochs_every_seed_reached() -> None:
    runs = [run_curves("r1", "", [epoch(1, val_accuracy=0.5), epoch(2, val_accuracy=0.7)]),
            run_curves("r2", "", [epoch(1, val_accuracy=0.7)])]
    epochs, mean, std = mean_curve(runs, "val_accuracy")
    assert epochs == [1] and mean == [pytest.approx(0.6)] and std == [pytest.approx(0.1)]
    assert mean_curve([run_curves("r", "", [])], "val_accuracy") == ([], [], [])


def test_overlaid_curves_draw_a_band_and_a_mean_line_per_experiment() -> None:
    runs = [run_curves("r1", "", [epoch(1), epoch(2)]), run_curves("r2", "", [epoch(1), epoch(2)])]
    figure = overlaid_curves_figure({"A": runs, "B": [run_curves("r3", "", [epoch(1)])], "C": []}, "val_loss")
    assert [trace.name for trace in figure.data] == ["A ± std", "A", "B ± std", "B"]
    assert figure.data[0].fill == "toself" and list(figure.data[1].x) == [1, 2]
    assert "No epochs" in overlaid_curves_figure({"C": []}, "val_loss").layout.annotations[0].text
