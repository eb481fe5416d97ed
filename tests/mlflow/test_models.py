"""MLflow 3 models: sklearn autolog and log_model (logged-model endpoints, model artifacts under
<exp>/models/<model_id>/artifacts), then pyfunc.load_model by runs:/ and models:/ URIs."""

from __future__ import annotations

import mlflow
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_sklearn_autolog_then_pyfunc_load_predicts_the_same(client, experiment_id, iris):
    X, y = iris
    mlflow.sklearn.autolog(log_input_examples=False, silent=True)
    try:
        with mlflow.start_run() as run:
            model = LogisticRegression(max_iter=300).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    run_id = run.info.run_id

    data = client.get_run(run_id).data
    assert data.params["max_iter"] == "300"
    assert data.params["solver"] == "lbfgs"
    assert 0.9 < data.metrics["training_accuracy_score"] <= 1.0
    assert data.tags["estimator_name"] == "LogisticRegression"

    # The autologged model is a logged model attached to the run as an output.
    models = client.search_logged_models(experiment_ids=[experiment_id])
    assert len(models) == 1
    logged = models[0]
    assert logged.source_run_id == run_id
    assert logged.name == "model"
    assert str(logged.status) in ("READY", "LoggedModelStatus.READY", "LOGGED_MODEL_READY")
    assert logged.params["max_iter"] == "300"

    loaded = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    by_id = mlflow.pyfunc.load_model(f"models:/{logged.model_id}")
    np.testing.assert_array_equal(by_id.predict(X), model.predict(X))


def test_log_model_then_load_by_run_and_model_id(client, experiment_id, iris):
    X, y = iris
    model = LogisticRegression(max_iter=300).fit(X, y)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="clf", input_example=X[:3])
    assert info.model_id
    assert info.model_uri == f"models:/{info.model_id}"

    outputs = client.get_run(run.info.run_id).outputs
    assert [o.model_id for o in outputs.model_outputs] == [info.model_id]

    logged = client.get_logged_model(info.model_id)
    assert logged.source_run_id == run.info.run_id
    assert logged.experiment_id == experiment_id
    assert logged.name == "clf"
    assert logged.artifact_location.endswith(f"models/{info.model_id}/artifacts")

    files = {f.path for f in client.list_logged_model_artifacts(info.model_id)}
    assert {"MLmodel", "conda.yaml", "requirements.txt", "python_env.yaml", "input_example.json"} <= files

    expected = model.predict(X)
    np.testing.assert_array_equal(mlflow.pyfunc.load_model(info.model_uri).predict(X), expected)
    np.testing.assert_array_equal(
        mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/clf").predict(X), expected
    )
    np.testing.assert_array_equal(mlflow.sklearn.load_model(info.model_uri).predict(X), expected)
