"""Drives the real mlflow client through every operation docs/mlflow-wire.md describes, against a
tracking URI that points at tools/record_proxy.py. Before each operation it calls the proxy's
/__mark__?op=<name> so the log can be split per operation.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:5099 python record_scenarios.py <scratch-dir>
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import urllib.request

import mlflow
import numpy as np
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

URI = os.environ["MLFLOW_TRACKING_URI"]
scratch = sys.argv[1]
os.makedirs(scratch, exist_ok=True)


def mark(op: str) -> None:
    # Let background logging settle so its requests land under the previous mark.
    time.sleep(0.3)
    urllib.request.urlopen(f"{URI}/__mark__?op={urllib.request.quote(op)}").read()


def try_call(fn):
    try:
        fn()
    except MlflowException as e:
        print("expected error:", e.error_code, e.message[:200])


mark("set_experiment (new)")
exp = mlflow.set_experiment("wire-demo")
mark("set_experiment (existing)")
mlflow.set_experiment("wire-demo")

mark("start_run")
parent = mlflow.start_run(run_name="parent")
mark("start_run nested")
child = mlflow.start_run(run_name="child", nested=True)
mark("log_param")
mlflow.log_param("lr", 0.01)
mark("log_params")
mlflow.log_params({"alpha": "0.5", "layers": 3})
mark("log_metric (step)")
mlflow.log_metric("loss", 0.5, step=1)
mark("log_metric NaN / inf")
mlflow.log_metric("weird", float("nan"), step=2)
mlflow.log_metric("weird", math.inf, step=3)
mlflow.log_metric("weird", -math.inf, step=4)
mark("log_metrics (step)")
mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=2)
mark("set_tag")
mlflow.set_tag("team", "vision")
mark("set_tags")
mlflow.set_tags({"a": "1", "b": "2"})
mark("end_run nested")
mlflow.end_run()

file_path = os.path.join(scratch, "hello.txt")
with open(file_path, "w") as f:
    f.write("hello world\n")
folder = os.path.join(scratch, "folder")
os.makedirs(os.path.join(folder, "sub"), exist_ok=True)
with open(os.path.join(folder, "a.json"), "w") as f:
    f.write('{"x": 1}')
with open(os.path.join(folder, "sub", "b.bin"), "wb") as f:
    f.write(bytes(range(256)))

mark("log_artifact (file)")
mlflow.log_artifact(file_path)
mark("log_artifact (file, artifact_path)")
mlflow.log_artifact(file_path, artifact_path="docs")
mark("log_artifacts (folder)")
mlflow.log_artifacts(folder, artifact_path="data")
mark("log_dict")
mlflow.log_dict({"k": [1, 2]}, "conf/d.json")
mark("log_text")
mlflow.log_text("some text", "notes/t.txt")
run_id = parent.info.run_id
mark("end_run")
mlflow.end_run()

client = MlflowClient()
mark("list_artifacts (root)")
client.list_artifacts(run_id)
mark("list_artifacts (subdir)")
client.list_artifacts(run_id, "data")
mark("download_artifacts (folder)")
mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data", dst_path=os.path.join(scratch, "dl"))
mark("load_dict")
mlflow.artifacts.load_dict(f"runs:/{run_id}/conf/d.json")
mark("load_text")
mlflow.artifacts.load_text(f"runs:/{run_id}/notes/t.txt")

mark("get_run")
client.get_run(child.info.run_id)
mark("search_runs (mlflow.search_runs, filter + order_by)")
mlflow.search_runs(
    experiment_ids=[exp.experiment_id],
    filter_string="metrics.acc > 0.5 and params.alpha = '0.5' and tags.team LIKE 'vis%' and attributes.status = 'FINISHED'",
    order_by=["metrics.acc DESC", "params.alpha ASC"],
)
mark("search_runs (client, max_results=1 + page_token)")
page = client.search_runs([exp.experiment_id], max_results=1)
client.search_runs([exp.experiment_id], max_results=1, page_token=page.token)
mark("search_runs by parentRunId")
client.search_runs([exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run_id}'")

mark("get_metric_history")
client.get_metric_history(child.info.run_id, "weird")
mark("log_batch 30000 metrics")
from mlflow.entities import Metric

now = int(time.time() * 1000)
client.log_batch(child.info.run_id, metrics=[Metric("long", float(i), now, i) for i in range(30000)])
mark("get_metric_history (30000 points)")
h = client.get_metric_history(child.info.run_id, "long")
print("history len", len(h))

mark("delete_run")
client.delete_run(child.info.run_id)
mark("search_runs deleted_only")
client.search_runs([exp.experiment_id], run_view_type=mlflow.entities.ViewType.DELETED_ONLY)
mark("restore_run")
client.restore_run(child.info.run_id)

mark("error: get missing run")
try_call(lambda: client.get_run("0123456789abcdef0123456789abcdef"))
mark("error: log_param twice with different values")
r = client.create_run(exp.experiment_id)
client.log_param(r.info.run_id, "p", "1")
try_call(lambda: client.log_param(r.info.run_id, "p", "2"))
mark("error: get_experiment missing")
try_call(lambda: client.get_experiment("987654321"))
client.set_terminated(r.info.run_id)

mark("create/delete/restore experiment")
eid = client.create_experiment("wire-demo-del")
client.delete_experiment(eid)
client.search_experiments(view_type=mlflow.entities.ViewType.DELETED_ONLY)
client.restore_experiment(eid)

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

X, y = load_iris(return_X_y=True)
mark("sklearn autolog + fit")
mlflow.sklearn.autolog()
with mlflow.start_run() as auto_run:
    model = LogisticRegression(max_iter=200).fit(X, y)
mlflow.sklearn.autolog(disable=True)
mark("after autolog (end)")

mark("sklearn.log_model")
with mlflow.start_run() as lm_run:
    info = mlflow.sklearn.log_model(model, name="model", input_example=X[:2])
print("model_id", info.model_id, "model_uri", info.model_uri)

mark("pyfunc.load_model runs:/<run>/model")
m1 = mlflow.pyfunc.load_model(f"runs:/{lm_run.info.run_id}/model")
mark("pyfunc.load_model models:/<model_id>")
m2 = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
assert (m1.predict(X) == model.predict(X)).all() and (m2.predict(X) == model.predict(X)).all()
mark("pyfunc.load_model runs:/<autolog run>/model")
try_call(lambda: mlflow.pyfunc.load_model(f"runs:/{auto_run.info.run_id}/model"))

mark("end")
print(json.dumps({"parent": run_id, "child": child.info.run_id, "autolog": auto_run.info.run_id, "log_model": lm_run.info.run_id}))
