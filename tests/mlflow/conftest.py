"""Compatibility suite: the real `mlflow` client (pinned 3.17.2) against the server under test.

The server is Cairn by default (`cairn server start` from this repository, fresh data dir). With
CAIRN_TEST_AGAINST=mlflow it is a real `mlflow server` instead, which proves the tests themselves.
With CAIRN_TEST_URL=http://host:port an already running server is used and nothing is started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
AGAINST = os.environ.get("CAIRN_TEST_AGAINST", "cairn").lower()
AGAINST_MLFLOW = AGAINST == "mlflow"

# Fail fast: the client's default is 7 retries with exponential backoff (minutes per failing call),
# and a 120 s timeout. These must be set before mlflow reads them (it reads env at call time).
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
os.environ.pop("MLFLOW_RUN_ID", None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen | None, log_path: Path | None, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            log = log_path.read_text(errors="replace")[-4000:] if log_path else ""
            raise RuntimeError(f"server exited with code {proc.returncode} before becoming healthy:\n{log}")
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException as e:
            last_error = e
        time.sleep(0.2)
    log = log_path.read_text(errors="replace")[-4000:] if log_path else ""
    raise RuntimeError(f"server at {url} not healthy after {timeout_s}s ({last_error}):\n{log}")


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _server_command(port: int, data_dir: Path) -> list[str]:
    if AGAINST_MLFLOW:
        mlflow_bin = Path(sys.executable).parent / "mlflow"
        return [
            str(mlflow_bin),
            "server",
            "--backend-store-uri",
            f"sqlite:///{data_dir}/mlflow.db",
            "--artifacts-destination",
            str(data_dir / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ]
    return [
        "node",
        "--import",
        "tsx",
        "packages/cli/src/main.ts",
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]


@pytest.fixture(scope="session")
def tracking_uri() -> str:
    external = os.environ.get("CAIRN_TEST_URL")
    if external:
        _wait_healthy(external.rstrip("/"), None, None, 10)
        yield external.rstrip("/")
        return
    data_dir = Path(tempfile.mkdtemp(prefix=f"mlflow-compat-{AGAINST}-"))
    port = _free_port()
    log_path = data_dir / "server.log"
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            _server_command(port, data_dir),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log_path, 90 if AGAINST_MLFLOW else 30)
        yield url
    finally:
        # The server runs in its own session; signal its whole process group so that children
        # (mlflow's uvicorn workers and job consumers) go with it.
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        if os.environ.get("CAIRN_TEST_KEEP_DATA"):
            print(f"\nserver data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _tracking_env(tracking_uri: str):
    import mlflow

    os.environ["MLFLOW_TRACKING_URI"] = tracking_uri
    mlflow.set_tracking_uri(tracking_uri)
    yield


@pytest.fixture(autouse=True)
def _reset_mlflow_state():
    """Each test starts with no active run, no active experiment and autologging off."""
    import mlflow
    import mlflow.tracking.fluent as fluent

    def reset() -> None:
        while mlflow.active_run() is not None:
            mlflow.end_run()
        fluent._active_experiment_id = None

    reset()
    yield
    reset()


@pytest.fixture
def exp_name(request) -> str:
    """A fresh experiment name per test."""
    return f"{request.node.name[:60]}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def experiment_id(exp_name: str) -> str:
    """A fresh experiment, made the active one."""
    import mlflow

    return mlflow.set_experiment(exp_name).experiment_id


@pytest.fixture
def client(tracking_uri: str):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri)


@pytest.fixture
def against_mlflow() -> bool:
    return AGAINST_MLFLOW
