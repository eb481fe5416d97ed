"""Tracking against the real server: batching, non-blocking logging, retries, errors, NaN/inf,
nested runs, attaching through the job environment."""

from __future__ import annotations

import logging
import math

import pytest

import cairn
from cairn import tracking

from _servers import Proxy


def _params(run: dict) -> dict:
    return {p["key"]: p["value"] for p in run["data"]["params"]}


def _tags(run: dict) -> dict:
    return {t["key"]: t["value"] for t in run["data"]["tags"]}


def test_10k_metrics_arrive_in_order_with_steps(server_url, client, experiment):
    n = 10_000
    with cairn.start_run(experiment=experiment, run_name="batching", tracking_uri=server_url) as run:
        for i in range(n):
            run.log_metric("loss", i / 2, step=i)
        run.log_params({"lr": 0.01, "layers": 3})
        run.set_tags({"team": "vision"})
        run.flush()
        # Batched: about n/1000 requests, not n.
        assert run._sender.requests_sent <= n // 1000 + 3
    history = client.get_metric_history(run.run_id, "loss")
    assert len(history) == n
    ordered = sorted(history, key=lambda m: m["step"])
    assert [m["step"] for m in ordered] == list(range(n))
    assert [m["value"] for m in ordered] == [i / 2 for i in range(n)]
    timestamps = [m["timestamp"] for m in ordered]
    assert timestamps == sorted(timestamps)
    got = client.get_run(run.run_id)
    assert got["info"]["status"] == "FINISHED"
    assert _params(got) == {"lr": "0.01", "layers": "3"}
    assert _tags(got)["team"] == "vision"


def test_log_metric_does_not_wait_for_a_slow_server(server_url, client, experiment):
    with Proxy(server_url) as proxy:
        run = cairn.start_run(experiment=experiment, tracking_uri=proxy.url)
        proxy.gate.clear()  # the server now holds every log-batch until we open the gate
        for i in range(20_000):
            run.log_metric("acc", i, step=i)
        # All 20k calls returned while not one batch had been answered.
        assert proxy.log_batches_answered == 0
        proxy.gate.set()
        run.end()
        assert proxy.log_batches_answered >= 20
    assert len(client.get_metric_history(run.run_id, "acc")) == 20_000


def test_transient_503_is_retried_and_nothing_is_lost_or_doubled(
    server_url, client, experiment, fast_retries, caplog
):
    with Proxy(server_url) as proxy:
        run = cairn.start_run(experiment=experiment, tracking_uri=proxy.url)
        proxy.fail_next_log_batches = 2
        for i in range(1500):
            run.log_metric("m", i, step=i)
        run.log_param("p", "v")
        run.end()
        assert proxy.fail_next_log_batches == 0
        assert proxy.log_batch_attempts >= 4
    history = client.get_metric_history(run.run_id, "m")
    assert sorted(m["step"] for m in history) == list(range(1500))
    assert _params(client.get_run(run.run_id)) == {"p": "v"}
    assert any("retrying" in r.getMessage() for r in caplog.records)


def test_a_rejected_batch_is_raised_on_flush_and_logged(server_url, client, experiment, caplog):
    run = cairn.start_run(experiment=experiment, tracking_uri=server_url)
    run.log_param("lr", "0.1")
    run.flush()
    caplog.set_level(logging.ERROR, logger="cairn")
    run.log_param("lr", "0.2")  # params cannot change: the server answers 400
    run.log_metric("still_sent", 1.0)
    with pytest.raises(cairn.CairnError) as info:
        run.flush()
    assert info.value.status == 400
    assert info.value.code in ("INVALID_PARAMETER_VALUE", "INVALID_ARGUMENT", "CONFLICT")
    assert any("could not log" in r.getMessage() for r in caplog.records)
    # The rest of the batch was not dropped with the bad param.
    assert [m["value"] for m in client.get_metric_history(run.run_id, "still_sent")] == [1.0]
    run.flush()  # the error was reported once
    run.end()
    assert _params(client.get_run(run.run_id)) == {"lr": "0.1"}


def test_end_raises_an_unreported_rejection_after_recording_the_status(server_url, client, experiment):
    run = cairn.start_run(experiment=experiment, tracking_uri=server_url)
    run.log_param("x", "1")
    run.flush()
    run.log_param("x", "2")
    with pytest.raises(cairn.CairnError):
        run.end()
    assert client.get_run(run.run_id)["info"]["status"] == "FINISHED"


def test_bad_names_are_rejected_in_the_caller(server_url, experiment):
    run = cairn.start_run(experiment=experiment, tracking_uri=server_url)
    with pytest.raises(cairn.CairnError, match="Invalid metric name"):
        run.log_metric("bad*name", 1.0)
    with pytest.raises(cairn.CairnError, match="different path"):
        run.log_metric("a//b", 1.0)
    with pytest.raises((TypeError, ValueError)):
        run.log_metric("ok", "not a number")
    run.end()
    with pytest.raises(cairn.CairnError, match="has ended"):
        run.log_metric("ok", 1.0)


def test_nan_and_infinities_round_trip_as_mlflow_logs_them(server_url, client, experiment):
    mlflow = pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    values = [math.nan, math.inf, -math.inf, 1.5]
    with cairn.start_run(experiment=experiment, tracking_uri=server_url) as run:
        for step, v in enumerate(values):
            run.log_metric("weird", v, step=step)
    ml = MlflowClient(tracking_uri=server_url)
    ref = ml.create_run(ml.get_experiment_by_name(experiment).experiment_id)
    for step, v in enumerate(values):
        ml.log_metric(ref.info.run_id, "weird", v, step=step)
    ml.set_terminated(ref.info.run_id)

    def read(run_id):
        return [m.value for m in sorted(ml.get_metric_history(run_id, "weird"), key=lambda m: m.step)]

    ours, theirs = read(run.run_id), read(ref.info.run_id)
    assert math.isnan(ours[0]) and math.isnan(theirs[0])
    assert ours[1:] == theirs[1:]
    assert ours[1] > 1e300 and ours[2] < -1e300 and ours[3] == 1.5
    # Our own reader agrees with mlflow's.
    mine = sorted(client.get_metric_history(run.run_id, "weird"), key=lambda m: m["step"])
    assert math.isnan(mine[0]["value"]) and [m["value"] for m in mine[1:]] == ours[1:]
    assert mlflow is not None


def test_nested_runs(server_url, client, experiment):
    with cairn.start_run(experiment=experiment, run_name="parent", tracking_uri=server_url) as parent:
        with pytest.raises(cairn.CairnError, match="nested=True"):
            cairn.start_run(experiment=experiment)
        with cairn.start_run(run_name="child", nested=True) as child:
            assert cairn.active_run() is child
            child.log_metric("c", 1.0)
            cairn.log_metric("via_module", 2.0)  # module functions log to the active run
        assert cairn.active_run() is parent
    got = client.get_run(child.run_id)
    assert _tags(got)["mlflow.parentRunId"] == parent.run_id
    assert got["info"]["experiment_id"] == parent.experiment_id
    assert {m["key"] for m in got["data"]["metrics"]} == {"c", "via_module"}
    assert cairn.active_run() is None


def test_failed_block_marks_the_run_failed(server_url, client, experiment):
    with pytest.raises(RuntimeError):
        with cairn.start_run(experiment=experiment, tracking_uri=server_url) as run:
            run.log_metric("x", 1.0)
            raise RuntimeError("boom")
    got = client.get_run(run.run_id)
    assert got["info"]["status"] == "FAILED"
    assert got["data"]["metrics"][0]["value"] == 1.0


def test_start_run_attaches_to_the_job_run_from_env(server_url, client, experiment, monkeypatch):
    # What the job runner does: create the run, then hand its id to the job's environment.
    owner = cairn.start_run(experiment=experiment, tracking_uri=server_url)
    tracking._forget(owner)  # as if it lived in another process
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server_url)
    monkeypatch.setenv("MLFLOW_RUN_ID", owner.run_id)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", owner.experiment_id)
    run = cairn.start_run()
    assert run.run_id == owner.run_id and run.owned is False
    run.log_metric("job_metric", 3.0, step=7)
    run.end()
    got = client.get_run(owner.run_id)
    assert [(m["value"], m["step"]) for m in got["data"]["metrics"]] == [(3.0, 7)]
    owner._sender.close()
