"""Experiments: set_experiment create-then-reuse, delete/restore with view types."""

from __future__ import annotations

import mlflow
from mlflow.entities import ViewType


def test_set_experiment_creates_then_reuses(client, exp_name):
    assert client.get_experiment_by_name(exp_name) is None

    created = mlflow.set_experiment(exp_name)
    assert created.name == exp_name
    assert created.lifecycle_stage == "active"
    assert created.experiment_id

    again = mlflow.set_experiment(exp_name)
    assert again.experiment_id == created.experiment_id

    fetched = client.get_experiment(created.experiment_id)
    assert fetched.name == exp_name
    assert fetched.artifact_location  # the client resolves run artifact URIs from the run, but it must be set
    assert client.get_experiment_by_name(exp_name).experiment_id == created.experiment_id

    # The active experiment is used by start_run.
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == created.experiment_id


def test_delete_and_restore_experiment_with_view_types(client, exp_name):
    exp_id = client.create_experiment(exp_name)

    def names(view_type):
        return {e.name for e in client.search_experiments(view_type=view_type, filter_string=f"name = '{exp_name}'")}

    assert names(ViewType.ACTIVE_ONLY) == {exp_name}
    assert names(ViewType.DELETED_ONLY) == set()

    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    assert names(ViewType.ACTIVE_ONLY) == set()
    assert names(ViewType.DELETED_ONLY) == {exp_name}
    assert names(ViewType.ALL) == {exp_name}

    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    assert names(ViewType.ACTIVE_ONLY) == {exp_name}
    assert names(ViewType.DELETED_ONLY) == set()


def test_experiment_tags_and_search_by_name(client, exp_name):
    exp_id = client.create_experiment(exp_name, tags={"project": "alpha"})
    client.set_experiment_tag(exp_id, "owner", "ana")
    exp = client.get_experiment(exp_id)
    assert exp.tags["project"] == "alpha"
    assert exp.tags["owner"] == "ana"

    found = client.search_experiments(filter_string=f"name LIKE '{exp_name[:20]}%' AND tags.owner = 'ana'")
    assert [e.experiment_id for e in found] == [exp_id]
