"""Runs: nesting, params, metrics (incl. NaN and ±inf), tags, delete/restore, and the client errors."""

from __future__ import annotations

import math
import sys
import time
import uuid

import mlflow
import pytest
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException


def assert_infinite(value: float, sign: int, against_mlflow: bool) -> None:
    # mlflow's SQL store clamps ±inf to ±sys.float_info.max; Cairn must keep the real value.
    if against_mlflow and abs(value) == sys.float_info.max:
        assert math.copysign(1, value) == sign
        return
    assert math.isinf(value) and math.copysign(1, value) == sign, value


def test_nested_runs_carry_parent_tag_and_are_searchable(client, experiment_id):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-a", nested=True) as child_a:
            pass
        with mlflow.start_run(run_name="child-b", nested=True) as child_b:
            pass
    with mlflow.start_run(run_name="unrelated"):
        pass

    a = client.get_run(child_a.info.run_id)
    assert a.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert a.info.run_name == "child-a"
    assert a.data.tags["mlflow.runName"] == "child-a"
    assert a.info.status == "FINISHED"
    assert a.info.end_time is not None and a.info.end_time >= a.info.start_time

    p = client.get_run(parent.info.run_id)
    assert "mlflow.parentRunId" not in p.data.tags
    assert p.info.run_name == "parent"

    children = client.search_runs(
        [experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert {r.info.run_id for r in children} == {child_a.info.run_id, child_b.info.run_id}

    df = mlflow.search_runs(
        experiment_ids=[experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'"
    )
    assert set(df["run_id"]) == {child_a.info.run_id, child_b.info.run_id}


def test_run_gets_server_generated_name_and_artifact_uri(client, experiment_id):
    with mlflow.start_run() as run:
        pass
    got = client.get_run(run.info.run_id)
    assert got.info.run_name  # the server names unnamed runs
    assert got.data.tags["mlflow.runName"] == got.info.run_name
    assert got.info.experiment_id == experiment_id
    assert got.info.artifact_uri.endswith(f"{run.info.run_id}/artifacts")
    assert got.info.lifecycle_stage == "active"
    assert got.info.user_id


def test_params(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"optimizer": "adam", "layers": 3, "dropout": None, "name with space": "x y"})
        mlflow.log_param("lr", 0.01)  # same value again is allowed
    params = client.get_run(run.info.run_id).data.params
    assert params == {"lr": "0.01", "optimizer": "adam", "layers": "3", "dropout": "None", "name with space": "x y"}


def test_param_relogged_with_different_value_is_rejected(client, experiment_id):
    run = client.create_run(experiment_id)
    client.log_param(run.info.run_id, "p", "1")
    with pytest.raises(MlflowException) as err:
        client.log_param(run.info.run_id, "p", "2")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "p" in err.value.message
    # The original value is untouched.
    assert client.get_run(run.info.run_id).data.params == {"p": "1"}

    with pytest.raises(MlflowException) as err:
        client.log_batch(run.info.run_id, params=[mlflow.entities.Param("p", "3")])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_metrics_with_steps_timestamps_and_non_finite_values(client, experiment_id, against_mlflow):
    t0 = int(time.time() * 1000) - 10_000
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 0.9, step=0, timestamp=t0)
        mlflow.log_metric("loss", 0.5, step=1, timestamp=t0 + 1)
        mlflow.log_metric("loss", 0.25, step=2, timestamp=t0 + 2)
        mlflow.log_metrics({"acc": 0.7, "f1": 0.6}, step=5, timestamp=t0 + 5)
        mlflow.log_metric("weird", float("nan"), step=1, timestamp=t0 + 10)
        mlflow.log_metric("weird", math.inf, step=2, timestamp=t0 + 11)
        mlflow.log_metric("weird", -math.inf, step=3, timestamp=t0 + 12)
        mlflow.log_metric("nan_last", 1.0, step=0, timestamp=t0)
        mlflow.log_metric("nan_last", float("nan"), step=1, timestamp=t0 + 1)
        mlflow.log_metric("no_step", 3.5)
        # log_metrics goes through runs/log-batch, where non-finite values are also strings.
        mlflow.log_metrics({"batch_nan": float("nan"), "batch_inf": math.inf, "batch_ninf": -math.inf}, step=7)

    run_data = client.get_run(run.info.run_id).data
    # runs/get returns the latest value (highest step) of each key.
    assert run_data.metrics["loss"] == 0.25
    assert run_data.metrics["acc"] == 0.7
    assert run_data.metrics["f1"] == 0.6
    assert_infinite(run_data.metrics["weird"], -1, against_mlflow)
    assert math.isnan(run_data.metrics["nan_last"])
    assert run_data.metrics["no_step"] == 3.5
    assert math.isnan(run_data.metrics["batch_nan"])
    assert_infinite(run_data.metrics["batch_inf"], 1, against_mlflow)
    assert_infinite(run_data.metrics["batch_ninf"], -1, against_mlflow)
    batch_nan = client.get_metric_history(run.info.run_id, "batch_nan")
    assert len(batch_nan) == 1 and batch_nan[0].step == 7 and math.isnan(batch_nan[0].value)

    loss = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value, m.timestamp) for m in loss] == [(0, 0.9, t0), (1, 0.5, t0 + 1), (2, 0.25, t0 + 2)]
    assert all(m.key == "loss" for m in loss)

    weird = client.get_metric_history(run.info.run_id, "weird")
    assert [m.step for m in weird] == [1, 2, 3]
    assert math.isnan(weird[0].value)
    assert_infinite(weird[1].value, 1, against_mlflow)
    assert_infinite(weird[2].value, -1, against_mlflow)

    acc = client.get_metric_history(run.info.run_id, "acc")
    assert [(m.step, m.timestamp) for m in acc] == [(5, t0 + 5)]
    no_step = client.get_metric_history(run.info.run_id, "no_step")
    assert [m.step for m in no_step] == [0]


def test_tags(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev", "owner": "ana", "unicode": "naïve ✓"})
        mlflow.set_tag("stage", "prod")  # tags may be overwritten
    client.set_tag(run.info.run_id, "after", "end")
    tags = client.get_run(run.info.run_id).data.tags
    assert tags["team"] == "vision"
    assert tags["stage"] == "prod"
    assert tags["owner"] == "ana"
    assert tags["unicode"] == "naïve ✓"
    assert tags["after"] == "end"

    client.delete_tag(run.info.run_id, "owner")
    assert "owner" not in client.get_run(run.info.run_id).data.tags


def test_delete_and_restore_run_with_view_types(client, experiment_id):
    keep = client.create_run(experiment_id)
    gone = client.create_run(experiment_id)

    def ids(view_type):
        return {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=view_type)}

    client.delete_run(gone.info.run_id)
    assert client.get_run(gone.info.run_id).info.lifecycle_stage == "deleted"
    assert ids(ViewType.ACTIVE_ONLY) == {keep.info.run_id}
    assert ids(ViewType.DELETED_ONLY) == {gone.info.run_id}
    assert ids(ViewType.ALL) == {keep.info.run_id, gone.info.run_id}

    client.restore_run(gone.info.run_id)
    assert client.get_run(gone.info.run_id).info.lifecycle_stage == "active"
    assert ids(ViewType.ACTIVE_ONLY) == {keep.info.run_id, gone.info.run_id}
    assert ids(ViewType.DELETED_ONLY) == set()


def test_missing_run_is_resource_does_not_exist(client):
    missing = uuid.uuid4().hex
    with pytest.raises(MlflowException) as err:
        client.get_run(missing)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert missing in err.value.message

    with pytest.raises(MlflowException) as err:
        client.log_param(missing, "p", "1")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_missing_experiment(client):
    assert client.get_experiment_by_name(f"nope-{uuid.uuid4().hex}") is None
    with pytest.raises(MlflowException) as err:
        client.get_experiment("987654321")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_set_terminated_status(client, experiment_id):
    run = client.create_run(experiment_id)
    assert client.get_run(run.info.run_id).info.status == "RUNNING"
    client.set_terminated(run.info.run_id, status="FAILED")
    info = client.get_run(run.info.run_id).info
    assert info.status == "FAILED"
    assert info.end_time is not None
