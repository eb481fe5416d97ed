"""Artifacts go through the server's artifact proxy and come back byte for byte."""

from __future__ import annotations

import json
import os

import pytest

import cairn


def test_files_folders_text_and_dicts(server_url, client, experiment, tmp_path):
    src = tmp_path / "src"
    (src / "weights").mkdir(parents=True)
    (src / "weights" / "model.bin").write_bytes(os.urandom(300_000))
    (src / "weights" / "empty.txt").write_bytes(b"")
    (src / "notes.md").write_text("# notes\n")
    with cairn.start_run(experiment=experiment, tracking_uri=server_url) as run:
        run.log_artifact(str(src / "notes.md"))
        run.log_artifact(str(src / "weights"), artifact_path="model")
        run.log_artifacts(str(src / "weights"), artifact_path="flat")
        run.log_text("hello\n", "logs/hello.txt")
        run.log_dict({"lr": 0.1, "layers": [1, 2]}, "config.json")

    top = {f["path"]: f["is_dir"] for f in client.list_artifacts(run.run_id)}
    assert top == {"notes.md": False, "model": True, "flat": True, "logs": True, "config.json": False}

    dest = tmp_path / "dl"
    client.download_artifacts(run.run_id, "", str(dest))
    assert (dest / "notes.md").read_text() == "# notes\n"
    assert (dest / "model" / "weights" / "model.bin").read_bytes() == (src / "weights" / "model.bin").read_bytes()
    assert (dest / "model" / "weights" / "empty.txt").read_bytes() == b""
    assert (dest / "flat" / "model.bin").read_bytes() == (src / "weights" / "model.bin").read_bytes()
    assert (dest / "logs" / "hello.txt").read_text() == "hello\n"
    assert json.loads((dest / "config.json").read_text()) == {"lr": 0.1, "layers": [1, 2]}

    one = client.download_artifacts(run.run_id, "logs/hello.txt", str(tmp_path / "one"))
    assert open(one).read() == "hello\n"


def test_the_mlflow_client_reads_what_cairn_uploaded(server_url, experiment, tmp_path):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    with cairn.start_run(experiment=experiment, tracking_uri=server_url) as run:
        run.log_text("from cairn", "a/b.txt")
    ml = MlflowClient(tracking_uri=server_url)
    local = ml.download_artifacts(run.run_id, "a/b.txt", str(tmp_path))
    assert open(local).read() == "from cairn"


def test_missing_file_is_a_clear_error(server_url, experiment, tmp_path):
    with cairn.start_run(experiment=experiment, tracking_uri=server_url) as run:
        with pytest.raises(cairn.CairnError, match="No such file"):
            run.log_artifact(str(tmp_path / "nope.txt"))
