"""Workspace operations through cairn.Client."""

from __future__ import annotations

import uuid

import pytest

import cairn
from conftest import TARGET


def test_search_runs_filters_orders_and_limits(server_url, client, experiment):
    ids = []
    for i, loss in enumerate([0.5, 0.1, 0.3]):
        with cairn.start_run(experiment=experiment, run_name=f"r{i}", tracking_uri=server_url) as run:
            run.log_metric("loss", loss)
            run.log_param("i", i)
        ids.append(run.run_id)
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None
    assert experiment in {e["name"] for e in client.list_experiments()}

    runs = client.search_runs(None, [exp["experiment_id"]], order_by=["metrics.loss ASC"])
    assert [r["info"]["run_id"] for r in runs] == [ids[1], ids[2], ids[0]]
    runs = client.search_runs(None, [exp["experiment_id"]], filter="metrics.loss < 0.4",
                              order_by=["metrics.loss DESC"])
    assert [r["info"]["run_id"] for r in runs] == [ids[2], ids[1]]
    assert len(client.search_runs(None, [exp["experiment_id"]], max_results=2)) == 2
    assert client.get_experiment_by_name(experiment + "-missing") is None


def test_get_run_of_unknown_id_raises_not_found(client):
    with pytest.raises(cairn.CairnError) as info:
        client.get_run(uuid.uuid4().hex)
    assert info.value.status == 404


@pytest.mark.skipif(TARGET != "cairn", reason="workspaces are Cairn's (mlflow needs --enable-workspaces)")
def test_workspaces_create_and_list(client):
    name = f"ws-{uuid.uuid4().hex[:8]}"
    created = client.create_workspace(name, description="from pytest")
    assert created["name"] == name
    assert name in {w["name"] for w in client.list_workspaces()}
