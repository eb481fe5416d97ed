"""Raw HTTP shapes the client depends on, checked with requests (status codes and error bodies)."""

from __future__ import annotations

import uuid

import mlflow
import requests


def test_error_bodies_and_statuses(tracking_uri, client, experiment_id):
    missing = uuid.uuid4().hex
    r = requests.get(f"{tracking_uri}/api/2.0/mlflow/runs/get", params={"run_id": missing, "run_uuid": missing}, timeout=10)
    assert r.status_code == 404
    body = r.json()
    assert body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert isinstance(body["message"], str) and body["message"]

    r = requests.get(
        f"{tracking_uri}/api/2.0/mlflow/experiments/get-by-name",
        params={"experiment_name": f"nope-{missing}"},
        timeout=10,
    )
    assert r.status_code == 404
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"

    run = client.create_run(experiment_id)
    url = f"{tracking_uri}/api/2.0/mlflow/runs/log-parameter"
    rid = run.info.run_id
    assert requests.post(url, json={"run_id": rid, "run_uuid": rid, "key": "p", "value": "1"}, timeout=10).json() == {}
    r = requests.post(url, json={"run_id": rid, "run_uuid": rid, "key": "p", "value": "2"}, timeout=10)
    assert r.status_code == 400
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_non_finite_metric_values_as_strings(tracking_uri, client, experiment_id):
    run = client.create_run(experiment_id)
    rid = run.info.run_id
    for step, value in enumerate(["NaN", "Infinity", "-Infinity"]):
        r = requests.post(
            f"{tracking_uri}/api/2.0/mlflow/runs/log-metric",
            json={"run_id": rid, "run_uuid": rid, "key": "x", "value": value, "timestamp": 1000 + step, "step": step},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        assert r.json() == {}
    r = requests.get(
        f"{tracking_uri}/api/2.0/mlflow/metrics/get-history",
        params={"run_id": rid, "run_uuid": rid, "metric_key": "x", "max_results": 25000},
        timeout=10,
    )
    assert r.status_code == 200
    values = [m["value"] for m in r.json()["metrics"]]
    assert values[0] == "NaN"
    assert len(values) == 3


def test_artifact_download_headers(tracking_uri, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_text("hello", "h.txt")
    r = requests.get(
        f"{tracking_uri}/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run.info.run_id}/artifacts/h.txt",
        timeout=10,
    )
    assert r.status_code == 200
    assert r.content == b"hello"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert "h.txt" in r.headers.get("Content-Disposition", "")

    r = requests.get(
        f"{tracking_uri}/api/2.0/mlflow-artifacts/artifacts",
        params={"path": f"{experiment_id}/{run.info.run_id}/artifacts"},
        timeout=10,
    )
    assert r.status_code == 200
    assert r.json() == {"files": [{"path": "h.txt", "is_dir": False, "file_size": 5}]}
