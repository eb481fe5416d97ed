"""Cost of log_metric in the caller, and time until every point reached the server.

    python python/bench/log_metric.py http://127.0.0.1:5000 [N]

Runs cairn, then (if installed) the mlflow client's async logging as the anchor, against the same
server in the same process, and prints both and their ratio. Not part of the test suite.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import cairn  # noqa: E402


def bench_cairn(uri: str, n: int, experiment: str) -> tuple:
    run = cairn.start_run(experiment=experiment, run_name="cairn", tracking_uri=uri)
    t0 = time.perf_counter()
    for i in range(n):
        run.log_metric("loss", i * 0.5, step=i)
    t1 = time.perf_counter()
    run.flush()
    t2 = time.perf_counter()
    requests = run._sender.requests_sent
    run.end()
    got = len(cairn.Client(uri).get_metric_history(run.run_id, "loss"))
    assert got == n, f"cairn: {got} of {n} points arrived"
    return (t1 - t0) / n * 1e6, t2 - t0, requests


def bench_mlflow_async(uri: str, n: int, experiment: str) -> tuple:
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name="mlflow-async") as run:
        t0 = time.perf_counter()
        for i in range(n):
            mlflow.log_metric("loss", i * 0.5, step=i, synchronous=False)
        t1 = time.perf_counter()
        mlflow.flush_async_logging()
        t2 = time.perf_counter()
    got = len(mlflow.MlflowClient(uri).get_metric_history(run.info.run_id, "loss"))
    assert got == n, f"mlflow: {got} of {n} points arrived"
    return (t1 - t0) / n * 1e6, t2 - t0


def main() -> None:
    uri = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    experiment = f"bench-{uuid.uuid4().hex[:8]}"
    per_call, wall, requests = bench_cairn(uri, n, experiment)
    print(f"cairn        : {per_call:6.2f} us/call, all {n} points on the server after {wall:6.2f} s "
          f"({requests} log-batch requests)")
    if importlib.util.find_spec("mlflow") is None:
        print("mlflow not installed: no anchor")
        return
    m_call, m_wall = bench_mlflow_async(uri, n, experiment)
    print(f"mlflow async : {m_call:6.2f} us/call, all {n} points on the server after {m_wall:6.2f} s")
    print(f"ratio mlflow/cairn: per call {m_call / per_call:.1f}x, until arrived {m_wall / wall:.1f}x")


if __name__ == "__main__":
    main()
