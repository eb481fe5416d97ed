"""get_metric_history: order, count, and a history long enough that the client pages (>25000)."""

from __future__ import annotations

import time

from mlflow.entities import Metric


def test_history_order_and_count(client, experiment_id):
    run = client.create_run(experiment_id)
    t0 = int(time.time() * 1000)
    # Logged out of step order; history comes back ordered (by timestamp, then step).
    client.log_batch(
        run.info.run_id,
        metrics=[Metric("m", float(s), t0 + s, s) for s in (3, 0, 2, 1, 4)],
    )
    hist = client.get_metric_history(run.info.run_id, "m")
    assert [m.step for m in hist] == [0, 1, 2, 3, 4]
    assert [m.value for m in hist] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [m.timestamp for m in hist] == [t0 + s for s in range(5)]
    assert client.get_metric_history(run.info.run_id, "absent") == []


def test_long_history_is_paged_completely(client, experiment_id):
    run = client.create_run(experiment_id)
    n = 30_000
    t0 = int(time.time() * 1000)
    # The client splits this into requests of 1000 metrics.
    client.log_batch(run.info.run_id, metrics=[Metric("long", i * 0.5, t0 + i, i) for i in range(n)])
    hist = client.get_metric_history(run.info.run_id, "long")
    assert len(hist) == n
    assert [m.step for m in hist] == list(range(n))
    assert hist[0].value == 0.0 and hist[-1].value == (n - 1) * 0.5
    assert hist[-1].timestamp == t0 + n - 1
    assert client.get_run(run.info.run_id).data.metrics["long"] == (n - 1) * 0.5
