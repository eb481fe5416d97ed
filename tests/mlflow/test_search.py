"""search_runs: filters on metrics, params, tags and attributes; order_by; pagination."""

from __future__ import annotations

import time
import uuid

import mlflow
import pytest


@pytest.fixture(scope="module")
def search_exp(tracking_uri):
    """One experiment with four runs, shared by the read-only search tests of this module.
    Runs a, b, c are FINISHED and d is FAILED; built with the client so no fluent state leaks."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient(tracking_uri)
    exp_id = client.create_experiment(f"search-{uuid.uuid4().hex[:12]}")
    specs = {
        "a": {"acc": 0.91, "opt": "adam", "team": "vision", "lr": "0.1"},
        "b": {"acc": 0.75, "opt": "sgd", "team": "vision-lab", "lr": "0.3"},
        "c": {"acc": 0.40, "opt": "adam", "team": "nlp", "lr": "0.2"},
        "d": {"acc": 0.99, "opt": "rmsprop", "team": "vision", "lr": "0.05"},
    }
    ids = {}
    now = int(time.time() * 1000)
    for name, s in specs.items():
        run = client.create_run(exp_id, run_name=name)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("acc", s["acc"], now, 0)],
            params=[Param("opt", s["opt"]), Param("lr", s["lr"])],
            tags=[RunTag("team", s["team"])],
        )
        client.set_terminated(run.info.run_id, status="FAILED" if name == "d" else "FINISHED")
        ids[name] = run.info.run_id
    return exp_id, ids


@pytest.fixture
def experiment_id(search_exp):
    return search_exp[0]


@pytest.fixture
def four_runs(search_exp):
    return search_exp[1]


def names(runs, ids):
    by_id = {v: k for k, v in ids.items()}
    return [by_id[r.info.run_id] for r in runs]


def test_filter_metric_greater_than(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], filter_string="metrics.acc > 0.5")
    assert set(names(runs, four_runs)) == {"a", "b", "d"}


def test_filter_param_equals(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], filter_string="params.opt = 'adam'")
    assert set(names(runs, four_runs)) == {"a", "c"}


def test_filter_tag_like(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], filter_string="tags.team LIKE 'vision%'")
    assert set(names(runs, four_runs)) == {"a", "b", "d"}


def test_filter_attribute_status(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], filter_string="attributes.status = 'FINISHED'")
    assert set(names(runs, four_runs)) == {"a", "b", "c"}
    runs = client.search_runs([experiment_id], filter_string="attributes.status = 'FAILED'")
    assert names(runs, four_runs) == ["d"]


def test_filter_combined_with_and(client, experiment_id, four_runs):
    runs = client.search_runs(
        [experiment_id],
        filter_string="metrics.acc > 0.5 and tags.team LIKE 'vision%' and attributes.status = 'FINISHED'",
    )
    assert set(names(runs, four_runs)) == {"a", "b"}


def test_order_by_metric_desc(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], order_by=["metrics.acc DESC"])
    assert names(runs, four_runs) == ["d", "a", "b", "c"]


def test_order_by_param_asc(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id], order_by=["params.lr ASC"])
    # params are strings: '0.05' < '0.1' < '0.2' < '0.3'
    assert names(runs, four_runs) == ["d", "a", "c", "b"]


def test_fluent_search_runs_dataframe(experiment_id, four_runs):
    df = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string="params.opt = 'adam'",
        order_by=["metrics.acc DESC"],
    )
    assert list(df["run_id"]) == [four_runs["a"], four_runs["c"]]
    assert list(df["metrics.acc"]) == [0.91, 0.40]
    assert list(df["params.opt"]) == ["adam", "adam"]
    assert list(df["tags.team"]) == ["vision", "nlp"]


def test_pagination_with_page_token(client, exp_name):
    experiment_id = client.create_experiment(exp_name)
    ids = [client.create_run(experiment_id).info.run_id for _ in range(5)]
    seen: list[str] = []
    tokens = []
    page_token = None
    for _ in range(10):
        page = client.search_runs([experiment_id], max_results=2, page_token=page_token)
        assert len(page) <= 2
        seen.extend(r.info.run_id for r in page)
        tokens.append(page.token)
        if not page.token:
            break
        page_token = page.token
    assert sorted(seen) == sorted(ids), "every run exactly once across pages"
    assert len(seen) == len(set(seen))
    assert [bool(t) for t in tokens] == [True, True, False]


def test_more_operators(client, experiment_id, four_runs):
    def q(f):
        return set(names(client.search_runs([experiment_id], filter_string=f), four_runs))

    assert q("metrics.acc >= 0.75") == {"a", "b", "d"}
    assert q("metrics.acc < 0.75") == {"c"}
    assert q("metrics.acc = 0.4") == {"c"}
    assert q("params.opt != 'adam'") == {"b", "d"}
    assert q("tags.team ILIKE 'VISION%'") == {"a", "b", "d"}
    assert q("tags.team = 'vision'") == {"a", "d"}
    assert q("attributes.run_name = 'b'") == {"b"}
    assert q(f"attributes.run_id IN ('{four_runs['a']}', '{four_runs['c']}')") == {"a", "c"}
    assert q("attributes.status != 'FAILED'") == {"a", "b", "c"}
    assert q('metrics."acc" > 0.9') == {"a", "d"}
    assert q("params.absent = 'x'") == set()


def test_default_order_is_newest_first(client, experiment_id, four_runs):
    runs = client.search_runs([experiment_id])
    assert names(runs, four_runs) == ["d", "c", "b", "a"]
    runs = client.search_runs([experiment_id], order_by=["attributes.start_time ASC"])
    assert names(runs, four_runs) == ["a", "b", "c", "d"]


def test_search_across_experiments(client, experiment_id, four_runs, exp_name):
    other = client.create_experiment(exp_name)
    extra = client.create_run(other)
    client.log_metric(extra.info.run_id, "acc", 0.95)
    runs = client.search_runs([experiment_id, other], filter_string="metrics.acc > 0.9", order_by=["metrics.acc DESC"])
    assert [r.info.run_id for r in runs] == [four_runs["d"], extra.info.run_id, four_runs["a"]]
