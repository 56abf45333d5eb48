"""Results (projected evaluation + the full report from the object store) and comparison with McNemar."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from scipy.stats import binomtest

from pfd_shared.testing.training_events import dataset_ready, full_report, run_life

BASE = {"model": "cnn1d", "window": {"length": 512}, "epochs": 2}


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def owner(alice) -> str:
    return (await alice.get("/api/v1/auth/me")).json()["user"]["id"]


async def new_dataset(harness, client, owner: str) -> str:
    dataset_id = (await client.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner))
    return dataset_id


async def trained(harness, client, owner: str, dataset_id: str, config: dict, accuracies: list[float],
                  correct: dict[int, bool] | None = None) -> str:
    """An experiment whose runs trained and were evaluated; the first run's report holds ``correct``."""
    body = {"name": "e", "dataset_id": dataset_id, "config": BASE | config | {"seeds": list(range(len(accuracies)))}}
    created = (await client.post("/api/v1/experiments", json=body)).json()
    start = datetime.now(UTC) + timedelta(seconds=5)
    for index, (run, accuracy) in enumerate(zip(created["runs"], accuracies, strict=True)):
        events = run_life(created["experiment_id"], run["run_id"], dataset_id, owner, start, epochs=2,
                          record_accuracy=accuracy)
        if correct is not None:
            report = full_report(correct if index == 0 else {record: True for record in correct})
            harness.gateway.experiments.store.put_bytes(events[-1].payload.report_key, json.dumps(report).encode())
        for event in events:
            await harness.gateway.runtime.bus.publish(event)
    return created["experiment_id"]


async def test_results_hold_every_evaluated_run_the_report_and_mean_std(harness, alice, owner) -> None:
    dataset_id = await new_dataset(harness, alice, owner)
    experiment_id = await trained(harness, alice, owner, dataset_id, {}, [0.9, 0.7], {1: True, 2: False})
    results = (await alice.get(f"/api/v1/experiments/{experiment_id}/results")).json()
    assert [run["record_accuracy"] for run in results["runs"]] == [0.9, 0.7]
    assert results["run_id"] == results["runs"][0]["run_id"] and results["report_error"] is None
    assert results["report"]["test_records"] == [1, 2] and results["report"]["correct"] == [True, False]
    assert results["metrics"]["record_accuracy"]["mean"] == pytest.approx(0.8)
    assert results["runs"][0]["confusion"] == [[10, 0], [0, 10]]
    second = results["runs"][1]["run_id"]
    chosen = (await alice.get(f"/api/v1/experiments/{experiment_id}/results", params={"run_id": second})).json()
    assert chosen["run_id"] == second
    missing = await alice.get(f"/api/v1/experiments/{experiment_id}/results", params={"run_id": "nope"})
    assert missing.status_code == 404


async def test_a_missing_report_is_said_not_raised(harness, alice, owner) -> None:
    dataset_id = await new_dataset(harness, alice, owner)
    experiment_id = await trained(harness, alice, owner, dataset_id, {}, [0.9])
    results = (await alice.get(f"/api/v1/experiments/{experiment_id}/results")).json()
    assert results["report"] is None and "could not be read" in results["report_error"]
    assert results["runs"][0]["record_accuracy"] == 0.9


async def test_results_before_any_evaluation_are_empty(harness, alice, owner) -> None:
    dataset_id = await new_dataset(harness, alice, owner)
    body = {"name": "e", "dataset_id": dataset_id, "config": BASE}
    experiment_id = (await alice.post("/api/v1/experiments", json=body)).json()["experiment_id"]
    results = (await alice.get(f"/api/v1/experiments/{experiment_id}/results")).json()
    assert results["runs"] == [] and results["report"] is None and results["metrics"] == {}


async def test_compare_puts_metrics_side_by_side_diffs_configs_and_runs_mcnemar(harness, alice, owner) -> None:
    dataset_id = await new_dataset(harness, alice, owner)
    # 30 shared test records: A wrong on 8 of them, B (always right) wrong on none -> b = 0, c = 8
    correct_a = {record: record >= 8 for record in range(30)}
    a = await trained(harness, alice, owner, dataset_id, {"epochs": 2}, [0.7, 0.8], correct_a)
    b = await trained(harness, alice, owner, dataset_id, {"epochs": 3, "batch_size": 32}, [0.95],
                      {record: True for record in range(30)})
    response = await alice.get("/api/v1/experiments/compare", params={"ids": f"{a},{b}"})
    assert response.status_code == 200, response.text
    comparison = response.json()
    assert [e["experiment_id"] for e in comparison["experiments"]] == [a, b]
    assert comparison["config_diff"]["epochs"] == [2, 3] and comparison["config_diff"]["batch_size"] == [64, 32]
    assert "seeds" in comparison["config_diff"] and "model" not in comparison["config_diff"]
    assert "record_accuracy" in comparison["metric_names"]
    assert comparison["experiments"][0]["metrics"]["record_accuracy"]["std"] == pytest.approx(0.0707107, rel=1e-4)
    assert len(comparison["curves"][a]) == 2 and all(len(points) == 2 for points in comparison["curves"][a].values())
    (test,) = comparison["mcnemar"]
    assert test["shared_records"] == 30 and test["a_only_correct"] == 0 and test["b_only_correct"] == 8
    assert test["p_value"] == pytest.approx(binomtest(0, 8, 0.5).pvalue) and test["method"] == "exact"
    assert test["note"] is None


async def test_compare_says_why_no_mcnemar_was_run(harness, alice, owner) -> None:
    first, second = await new_dataset(harness, alice, owner), await new_dataset(harness, alice, owner)
    a = await trained(harness, alice, owner, first, {}, [0.9], {1: True})
    b = await trained(harness, alice, owner, second, {}, [0.9], {1: True})
    c = await trained(harness, alice, owner, first, {}, [0.8])  # evaluated, but its report is missing
    comparison = (await alice.get("/api/v1/experiments/compare", params={"ids": [a, b, c]})).json()
    notes = {(t["a"], t["b"]): t["note"] for t in comparison["mcnemar"]}
    assert "different data sets" in notes[(a, b)] and "report" in notes[(a, c)]
    assert comparison["config_diff"]["dataset_id"] == [first, second, first]


@pytest.mark.parametrize("count", [1, 6])
async def test_compare_takes_two_to_five_experiments(harness, alice, owner, count) -> None:
    dataset_id = await new_dataset(harness, alice, owner)
    ids = [await trained(harness, alice, owner, dataset_id, {}, [0.9]) for _ in range(count)]
    response = await alice.get("/api/v1/experiments/compare", params={"ids": ids})
    assert response.status_code == 422 and "2 to 5" in response.json()["detail"][0]["msg"]
