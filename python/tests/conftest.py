"""Starts one real server for the session: Cairn (default) or ``mlflow server``
(``CAIRN_TEST_AGAINST=mlflow``). The package is imported from ``python/`` without installing it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))

import cairn  # noqa: E402
from cairn import _transport, tracking  # noqa: E402

TARGET = os.environ.get("CAIRN_TEST_AGAINST", "cairn")
CLIENT_ENV = (
    "MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME",
    "CAIRN_TOKEN", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mlflow_exe() -> str:
    beside = Path(sys.executable).parent / "mlflow"
    found = str(beside) if beside.exists() else shutil.which("mlflow")
    if not found:
        pytest.fail("CAIRN_TEST_AGAINST=mlflow but no `mlflow` executable beside python or on PATH")
    return found


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling a process we do not control: no event to await
    pytest.fail(f"server not healthy after {timeout}s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="cairn-pytest-"))
    log_path = tmp / "server.log"
    if TARGET == "mlflow":
        cmd = [
            _mlflow_exe(), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{tmp / 'mlflow.db'}",
            "--artifacts-destination", str(tmp / "artifacts"),
        ]
        cwd, timeout = tmp, 90.0
    elif TARGET == "cairn":
        cmd = [
            "node", "--import", "tsx", "packages/cli/src/main.ts", "server", "start",
            "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp / "data"),
        ]
        cwd, timeout = REPO_ROOT, 60.0
    else:
        pytest.fail(f"CAIRN_TEST_AGAINST must be 'cairn' or 'mlflow', not {TARGET!r}")
    env = {k: v for k, v in os.environ.items() if k not in CLIENT_ENV}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log_path, timeout)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No client env leaks in or out, and no run stays active across tests."""
    for name in CLIENT_ENV:
        monkeypatch.delenv(name, raising=False)
    yield
    for run in list(tracking._open.values()):
        run.transport.retry = _transport.RetryPolicy(max_retries=0)
        try:
            run.end()
        except Exception:
            pass


@pytest.fixture
def client(server_url: str) -> cairn.Client:
    return cairn.Client(server_url)


@pytest.fixture
def experiment() -> str:
    return f"pytest-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff in tens of milliseconds so retry tests stay quick."""
    from cairn import _transport

    monkeypatch.setattr(_transport.RetryPolicy, "base", 0.02)
    monkeypatch.setattr(_transport.RetryPolicy, "cap", 0.2)
