"""Behaviour real scripts rely on beyond the basics: resumed runs, slashed metric names, async
logging, duplicate names, deleted experiments, renames, long values."""

from __future__ import annotations

import uuid

import mlflow
import pytest
from mlflow.exceptions import MlflowException


def test_resume_run_by_id(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 1.0, step=0)
    assert client.get_run(run.info.run_id).info.status == "FINISHED"

    with mlflow.start_run(run_id=run.info.run_id):
        assert client.get_run(run.info.run_id).info.status == "RUNNING"
        mlflow.log_metric("m", 2.0, step=1)
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    assert [m.value for m in client.get_metric_history(run.info.run_id, "m")] == [1.0, 2.0]


def test_metric_param_tag_names_with_slashes_dots_and_spaces(client, experiment_id):
    names = ["train/loss", "val acc", "a.b-c_d", "epoch/0/step"]
    with mlflow.start_run() as run:
        for i, name in enumerate(names):
            mlflow.log_metric(name, float(i), step=i)
            mlflow.log_param(name, f"p{i}")
            mlflow.set_tag(name, f"t{i}")
    data = client.get_run(run.info.run_id).data
    assert {n: data.metrics[n] for n in names} == {n: float(i) for i, n in enumerate(names)}
    assert {n: data.params[n] for n in names} == {n: f"p{i}" for i, n in enumerate(names)}
    assert {n: data.tags[n] for n in names} == {n: f"t{i}" for i, n in enumerate(names)}
    for i, name in enumerate(names):
        hist = client.get_metric_history(run.info.run_id, name)
        assert [(m.key, m.step, m.value) for m in hist] == [(name, i, float(i))]
    runs = client.search_runs([experiment_id], filter_string='metrics."train/loss" = 0')
    assert [r.info.run_id for r in runs] == [run.info.run_id]


def test_same_step_logged_twice_keeps_both_points(client, experiment_id):
    run = client.create_run(experiment_id)
    client.log_metric(run.info.run_id, "m", 1.0, timestamp=1000, step=3)
    client.log_metric(run.info.run_id, "m", 2.0, timestamp=2000, step=3)
    hist = client.get_metric_history(run.info.run_id, "m")
    assert [(m.step, m.value, m.timestamp) for m in hist] == [(3, 1.0, 1000), (3, 2.0, 2000)]
    # Latest = highest step, then latest timestamp.
    assert client.get_run(run.info.run_id).data.metrics["m"] == 2.0


def test_latest_metric_is_by_step_not_arrival(client, experiment_id):
    run = client.create_run(experiment_id)
    client.log_metric(run.info.run_id, "m", 9.0, timestamp=5000, step=10)
    client.log_metric(run.info.run_id, "m", 1.0, timestamp=6000, step=2)  # arrives later, lower step
    assert client.get_run(run.info.run_id).data.metrics["m"] == 9.0


def test_async_logging_flushes_everything(client, experiment_id):
    with mlflow.start_run() as run:
        for i in range(300):
            mlflow.log_metric("async_m", float(i), step=i, synchronous=False)
        mlflow.log_param("async_p", "v", synchronous=False)
        mlflow.set_tag("async_t", "v", synchronous=False)
    hist = client.get_metric_history(run.info.run_id, "async_m")
    assert [m.step for m in hist] == list(range(300))
    data = client.get_run(run.info.run_id).data
    assert data.params["async_p"] == "v"
    assert data.tags["async_t"] == "v"


def test_duplicate_experiment_name_is_rejected(client, exp_name):
    client.create_experiment(exp_name)
    with pytest.raises(MlflowException) as err:
        client.create_experiment(exp_name)
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_deleted_experiment_is_found_by_name_and_cannot_be_set(client, exp_name):
    exp_id = client.create_experiment(exp_name)
    client.delete_experiment(exp_id)
    found = client.get_experiment_by_name(exp_name)
    assert found is not None and found.experiment_id == exp_id
    assert found.lifecycle_stage == "deleted"
    with pytest.raises(MlflowException, match="deleted"):
        mlflow.set_experiment(exp_name)


def test_rename_experiment(client, exp_name):
    exp_id = client.create_experiment(exp_name)
    new_name = f"{exp_name}-renamed"
    client.rename_experiment(exp_id, new_name)
    assert client.get_experiment(exp_id).name == new_name
    assert client.get_experiment_by_name(new_name).experiment_id == exp_id
    assert client.get_experiment_by_name(exp_name) is None


def test_long_param_and_tag_values(client, experiment_id):
    run = client.create_run(experiment_id)
    long_param = "p" * 6000
    long_tag = "t" * 5000
    client.log_param(run.info.run_id, "long", long_param)
    client.set_tag(run.info.run_id, "long", long_tag)
    data = client.get_run(run.info.run_id).data
    assert data.params["long"] == long_param
    assert data.tags["long"] == long_tag


def test_log_batch_mixed(client, experiment_id):
    from mlflow.entities import Metric, Param, RunTag

    run = client.create_run(experiment_id)
    client.log_batch(
        run.info.run_id,
        metrics=[Metric("m", float(i), 1000 + i, i) for i in range(1500)],
        params=[Param(f"p{i}", str(i)) for i in range(150)],
        tags=[RunTag(f"t{i}", str(i)) for i in range(150)],
    )
    data = client.get_run(run.info.run_id).data
    assert len([k for k in data.params if k.startswith("p")]) == 150
    assert data.tags["t149"] == "149"
    assert data.metrics["m"] == 1499.0
    assert len(client.get_metric_history(run.info.run_id, "m")) == 1500


def test_run_in_unknown_experiment_is_rejected(client):
    with pytest.raises(MlflowException) as err:
        client.create_run(str(10**9 + uuid.uuid4().int % 1000))
    assert err.value.error_code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE")


def test_concurrent_logging_to_one_run_loses_nothing(client, experiment_id):
    from concurrent.futures import ThreadPoolExecutor

    from mlflow.entities import Metric

    run = client.create_run(experiment_id)

    def worker(w: int) -> None:
        for b in range(5):
            client.log_batch(
                run.info.run_id,
                metrics=[Metric(f"w{w}", float(b * 100 + i), 1000 + b * 100 + i, b * 100 + i) for i in range(100)],
            )
            client.log_param(run.info.run_id, f"param_w{w}_b{b}", str(b))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(worker, range(8)))

    data = client.get_run(run.info.run_id).data
    assert len(data.params) == 40
    for w in range(8):
        hist = client.get_metric_history(run.info.run_id, f"w{w}")
        assert [m.step for m in hist] == list(range(500))
        assert data.metrics[f"w{w}"] == 499.0
