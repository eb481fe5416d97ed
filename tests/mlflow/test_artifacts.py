"""Artifacts through the server's proxy: files, folders, listing, download, dict/text, large files,
and multipart upload."""

from __future__ import annotations

import filecmp
import hashlib
import os
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    root = tmp_path / "folder"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.json").write_text('{"x": 1}')
    (root / "readme.md").write_text("# hello\n")
    (root / "sub" / "b.bin").write_bytes(bytes(range(256)) * 40)
    (root / "sub" / "deeper" / "c.txt").write_text("deep ✓", encoding="utf-8")
    (root / "sub" / "empty.dat").write_bytes(b"")
    return root


def test_log_artifact_file_list_and_download(client, experiment_id, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_bytes(b"hello world\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(src))
        mlflow.log_artifact(str(src), artifact_path="docs")
    run_id = run.info.run_id

    root = {(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id)}
    assert root == {("hello.txt", False, 12), ("docs", True, None)}
    assert [(f.path, f.file_size) for f in client.list_artifacts(run_id, "docs")] == [("docs/hello.txt", 12)]

    assert client.list_artifacts(run_id, "no-such-dir") == []
    assert client.list_artifacts(run_id, "hello.txt") == []  # listing a file gives nothing

    out = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="docs/hello.txt", dst_path=str(tmp_path / "dl")))
    assert out.read_bytes() == b"hello world\n"


def test_log_artifacts_folder_with_subfolders(client, experiment_id, sample_folder, tmp_path):
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(sample_folder), artifact_path="data")
    run_id = run.info.run_id

    top = {(f.path, f.is_dir) for f in client.list_artifacts(run_id)}
    assert top == {("data", True)}
    data = {(f.path, f.is_dir, f.file_size) for f in client.list_artifacts(run_id, "data")}
    assert data == {("data/a.json", False, 8), ("data/readme.md", False, 8), ("data/sub", True, None)}
    sub = {(f.path, f.is_dir) for f in client.list_artifacts(run_id, "data/sub")}
    assert sub == {("data/sub/b.bin", False), ("data/sub/deeper", True), ("data/sub/empty.dat", False)}

    dst = tmp_path / "dl"
    dst.mkdir()
    local = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data", dst_path=str(dst)))
    assert tree(local) == tree(sample_folder)
    cmp = filecmp.dircmp(local, sample_folder)
    assert not cmp.diff_files and not cmp.left_only and not cmp.right_only

    # The whole run, via the client's artifact root.
    everything = Path(client.download_artifacts(run_id, "", str(tmp_path / "all")))
    assert tree(everything / "data") == tree(sample_folder)


def test_log_dict_and_log_text_round_trip(experiment_id):
    payload = {"k": [1, 2, 3], "nested": {"x": "y"}, "unicode": "naïve"}
    with mlflow.start_run() as run:
        mlflow.log_dict(payload, "conf/d.json")
        mlflow.log_dict({"a": 1}, "conf/d.yaml")
        mlflow.log_text("some text\nline two ✓", "notes/t.txt")
    run_id = run.info.run_id
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/conf/d.json") == payload
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/conf/d.yaml").strip() == "a: 1"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/t.txt") == "some text\nline two ✓"


def test_download_of_missing_artifact_fails(experiment_id, tmp_path):
    with mlflow.start_run() as run:
        mlflow.log_text("x", "present.txt")
    with pytest.raises(Exception):
        mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="absent.txt", dst_path=str(tmp_path)
        )


def test_large_artifact_round_trip(experiment_id, tmp_path):
    src = tmp_path / "big.bin"
    with open(src, "wb") as f:
        for _ in range(50):
            f.write(os.urandom(1 << 20))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(src), artifact_path="blobs")
    out = Path(
        mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="blobs/big.bin", dst_path=str(tmp_path / "dl")
        )
    )
    assert out.stat().st_size == 50 << 20
    assert sha256(out) == sha256(src)


def test_multipart_upload_round_trip(experiment_id, tmp_path, monkeypatch, tracking_uri):
    """With proxy multipart upload forced on and 5 MiB parts, a 12 MiB file takes the mpu/create →
    part PUTs → mpu/complete path when the server supports it; a server that answers mpu/create with
    'Multipart upload is not supported…' gets a plain PUT. Either way the bytes must round-trip, and a
    server that advertises multipart_uploads_enabled in server-info must really take the multipart path."""
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(5 << 20))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 << 20))

    completed: list[int] = []
    original_complete = HttpArtifactRepository.complete_multipart_upload

    def spy_complete(self, local_file, upload_id, parts=None, artifact_path=None):
        completed.append(len(parts or []))
        return original_complete(self, local_file, upload_id, parts, artifact_path)

    monkeypatch.setattr(HttpArtifactRepository, "complete_multipart_upload", spy_complete)

    src = tmp_path / "mpu.bin"
    src.write_bytes(os.urandom((12 << 20) + 12345))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(src), artifact_path="mp")
    out = Path(
        mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="mp/mpu.bin", dst_path=str(tmp_path / "dl")
        )
    )
    assert sha256(out) == sha256(src)

    info = requests.get(f"{tracking_uri}/api/3.0/mlflow/server-info", timeout=10)
    advertises = info.status_code == 200 and info.json().get("multipart_uploads_enabled") is True
    if advertises:
        assert completed == [3], "server advertises multipart uploads but the client did not complete one"
