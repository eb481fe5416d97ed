"""What goes over the wire, seen by a recording stdlib server: batch limits, encoding, auth,
workspace paths. No Cairn or mlflow server needed."""

from __future__ import annotations

import base64
import math

import pytest

import cairn
from cairn import CairnError

from _servers import RecordingServer


@pytest.fixture
def rec():
    with RecordingServer() as server:
        yield server


def test_batches_respect_mlflow_limits(rec):
    run = cairn.start_run(experiment_id="0", tracking_uri=rec.url)
    for i in range(2500):
        run.log_metric("m", i, step=i)
    for i in range(250):
        run.log_param(f"p{i}", i)
        run.set_tag(f"t{i}", i)
    run.log_param("p0", 0)  # same param again: must not share a batch with the first
    run.set_tag("t0", "last")
    run.end()
    batches = rec.log_batches()
    for b in batches:
        assert len(b["metrics"]) <= 1000 and len(b["params"]) <= 100 and len(b["tags"]) <= 100
        assert len(b["metrics"]) + len(b["params"]) + len(b["tags"]) <= 1000
        keys = [p["key"] for p in b["params"]]
        assert len(keys) == len(set(keys))
    steps = [m["step"] for b in batches for m in b["metrics"]]
    assert steps == list(range(2500))
    assert sum(len(b["params"]) for b in batches) == 251
    tags = {}
    for b in batches:
        tags.update({t["key"]: t["value"] for t in b["tags"]})
    assert tags["t0"] == "last" and len(tags) == 250


def test_one_kept_alive_connection_carries_all_batches(rec):
    run = cairn.start_run(experiment_id="0", tracking_uri=rec.url)
    for i in range(5000):
        run.log_metric("m", i, step=i)
        if i % 1000 == 999:
            run.flush()
    run.end()
    batches = [r for r in rec.requests if r["path"].endswith("/runs/log-batch")]
    assert len(batches) == 5
    assert len({r["client_port"] for r in batches}) == 1


def test_large_values_split_batches_under_the_body_limit(rec):
    run = cairn.start_run(experiment_id="0", tracking_uri=rec.url)
    for i in range(100):
        run.log_param(f"big{i}", "x" * 6000)
        run.set_tag(f"big{i}", "y" * 5000)
    run.end()
    sizes = [r for r in rec.requests if r["path"].endswith("/runs/log-batch")]
    assert len(sizes) >= 2
    for r in sizes:
        assert int(r["headers"]["Content-Length"]) < 1_000_000


def test_non_finite_values_are_json_strings(rec):
    run = cairn.start_run(experiment_id="0", tracking_uri=rec.url)
    run.log_metric("a", math.nan)
    run.log_metric("a", math.inf)
    run.log_metric("a", -math.inf)
    run.end()
    values = [m["value"] for b in rec.log_batches() for m in b["metrics"]]
    assert values == ["NaN", "Infinity", "-Infinity"]


def test_bearer_token_from_cairn_token(rec, monkeypatch):
    monkeypatch.setenv("CAIRN_TOKEN", "job-token")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "u")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "p")
    cairn.start_run(experiment_id="0", tracking_uri=rec.url).end()
    assert {r["headers"].get("Authorization") for r in rec.requests} == {"Bearer job-token"}


def test_basic_auth_from_mlflow_username_and_password(rec, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "s3cret")
    cairn.start_run(experiment_id="0", tracking_uri=rec.url).end()
    expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert {r["headers"].get("Authorization") for r in rec.requests} == {expected}


def test_workspace_in_the_tracking_uri_prefixes_every_path(rec, tmp_path):
    run = cairn.start_run(experiment_id="0", tracking_uri=rec.url + "/workspaces/team-a/")
    run.log_metric("m", 1.0)
    run.log_text("x", "f.txt")
    run.end()
    paths = [r["path"] for r in rec.requests]
    assert paths and all(p.startswith("/workspaces/team-a/api/2.0/") for p in paths), paths
    assert any("/mlflow-artifacts/artifacts/0/" in p and p.endswith("/artifacts/f.txt") for p in paths)


def test_client_addresses_a_workspace_by_path(rec):
    c = cairn.Client(rec.url)
    c.list_experiments("team-b")
    c.list_experiments()
    assert [r["path"] for r in rec.requests] == [
        "/workspaces/team-b/api/2.0/mlflow/experiments/search",
        "/api/2.0/mlflow/experiments/search",
    ]


def test_unreachable_server_fails_with_unavailable(fast_retries):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CairnError) as info:
        cairn.start_run(experiment_id="0", tracking_uri=f"http://127.0.0.1:{port}")
    assert info.value.code == "UNAVAILABLE"


def test_non_http_uri_is_refused():
    with pytest.raises(CairnError, match="not an http"):
        cairn.start_run(tracking_uri="file:///tmp/mlruns")
